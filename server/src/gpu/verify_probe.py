# dlcontainer verify: proves, inside a workspace's container, that the GPU works (or that the CPU does).
# Shipped inside the dlcontainer binary and run with `python3 - ARGS` on stdin, so the image needs only
# Python and a framework. Prints what it does as it goes, then one line "@@DLC_VERIFY <json>".
# Python 3.6+ and nothing but the standard library beyond the framework it finds.
import json
import os
import platform
import shutil
import subprocess
import sys
import time

RESULT = {
    "python": platform.python_version(),
    "nvidiaSmi": {"present": False},
    "framework": None,
    "frameworkVersion": None,
    "gpuVisible": False,
    "gpuCount": 0,
    "device": None,
    "onGpu": False,
    "steps": 0,
    "seconds": 0.0,
    "stepsPerSecond": 0.0,
    "firstLoss": None,
    "lastLoss": None,
    "lossFell": False,
    "problems": [],
}


def say(text=""):
    print(text, flush=True)


def problem(text):
    RESULT["problems"].append(text)
    say("  problem: " + text)


def args():
    out = {"steps": 300, "batch": 128, "framework": ""}
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--steps" and i + 1 < len(argv):
            out["steps"] = max(20, int(argv[i + 1]))
        elif a == "--batch" and i + 1 < len(argv):
            out["batch"] = int(argv[i + 1])
        elif a == "--framework" and i + 1 < len(argv):
            out["framework"] = argv[i + 1]
    return out


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return "CPU (" + line.split(":", 1)[1].strip() + ")"
    except OSError:
        pass
    return "CPU (" + (platform.processor() or platform.machine()) + ")"


def check_nvidia_smi():
    say("== nvidia-smi")
    smi = shutil.which("nvidia-smi")
    if not smi:
        say("  not in this container (no GPU attached, or an image without it)")
        return
    RESULT["nvidiaSmi"]["present"] = True
    RESULT["nvidiaSmi"]["path"] = smi
    try:
        p = subprocess.run([smi], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        text = p.stdout.decode("utf-8", "replace")
        RESULT["nvidiaSmi"]["exitCode"] = p.returncode
        for line in text.rstrip().splitlines():
            say("  " + line)
        if p.returncode != 0:
            problem("nvidia-smi exited with status %d" % p.returncode)
        q = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        if q.returncode == 0:
            RESULT["nvidiaSmi"]["gpus"] = [l.strip() for l in q.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
    except (OSError, subprocess.TimeoutExpired) as e:
        RESULT["nvidiaSmi"]["exitCode"] = -1
        problem("nvidia-smi could not run: %s" % e)


def finish_training(losses, started, steps, name):
    elapsed = time.time() - started
    RESULT["steps"] = steps
    RESULT["seconds"] = round(elapsed, 3)
    RESULT["stepsPerSecond"] = round(steps / elapsed, 1) if elapsed > 0 else 0.0
    # The first step's loss is the untrained model's (about ln 10 = 2.3); the end is averaged, as
    # single steps are noisy.
    tail = losses[-10:]
    first = losses[0]
    last = sum(tail) / len(tail)
    RESULT["firstLoss"] = round(first, 4)
    RESULT["lastLoss"] = round(last, 4)
    RESULT["lossFell"] = last < 0.5 * first
    say("  %d steps in %.1fs on %s: %.0f steps/s, loss %.3f -> %.3f" % (steps, elapsed, name, RESULT["stepsPerSecond"], first, last))
    if not RESULT["lossFell"]:
        problem("the loss did not fall (%.3f -> %.3f)" % (first, last))


# Each trainer: synthetic MNIST, where each of 10 classes is a fixed random 28x28 template and a sample is
# its template plus noise. A small MLP learns it in a few hundred steps, so a falling loss shows that
# the device really computes (a silently broken kernel would not learn).
def run_torch(steps, batch):
    import torch
    from torch import nn
    RESULT["framework"] = "pytorch"
    RESULT["frameworkVersion"] = torch.__version__
    say("== PyTorch %s" % torch.__version__)
    built_cuda = getattr(torch.version, "cuda", None)
    say("  built for CUDA: %s" % (built_cuda or "no (CPU build)"))
    visible = False
    try:
        visible = torch.cuda.is_available()
    except Exception as e:  # a broken driver can raise here
        problem("torch.cuda.is_available() raised: %s" % e)
    RESULT["gpuVisible"] = bool(visible)
    if visible:
        RESULT["gpuCount"] = torch.cuda.device_count()
        for i in range(RESULT["gpuCount"]):
            cap = torch.cuda.get_device_capability(i)
            say("  cuda:%d %s (sm %d.%d)" % (i, torch.cuda.get_device_name(i), cap[0], cap[1]))
        device = torch.device("cuda:0")
        name = torch.cuda.get_device_name(0)
    else:
        say("  no GPU visible to PyTorch")
        device = torch.device("cpu")
        name = cpu_name()
    RESULT["device"] = name
    RESULT["onGpu"] = device.type == "cuda"

    say("== training a small MLP on synthetic MNIST (%d steps, batch %d) on %s" % (steps, batch, name))
    torch.manual_seed(0)
    templates = torch.randn(10, 28 * 28, device=device)
    model = nn.Sequential(nn.Linear(28 * 28, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    started = time.time()
    for step in range(steps):
        labels = torch.randint(0, 10, (batch,), device=device)
        inputs = templates[labels] + 0.5 * torch.randn(batch, 28 * 28, device=device)
        loss = loss_fn(model(inputs), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 100 == 0:
            say("  step %4d  loss %.4f" % (step, losses[-1]))
    if device.type == "cuda":
        torch.cuda.synchronize()
    finish_training(losses, started, steps, name)


def run_tensorflow(steps, batch):
    import tensorflow as tf
    RESULT["framework"] = "tensorflow"
    RESULT["frameworkVersion"] = tf.__version__
    say("== TensorFlow %s" % tf.__version__)
    gpus = tf.config.list_physical_devices("GPU")
    RESULT["gpuVisible"] = bool(gpus)
    RESULT["gpuCount"] = len(gpus)
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        name = details.get("device_name", gpus[0].name)
        say("  %d GPU(s); the first is %s" % (len(gpus), name))
        device = "/GPU:0"
    else:
        say("  no GPU visible to TensorFlow")
        name = cpu_name()
        device = "/CPU:0"
    RESULT["device"] = name
    RESULT["onGpu"] = bool(gpus)

    say("== training a small MLP on synthetic MNIST (%d steps, batch %d) on %s" % (steps, batch, name))
    tf.random.set_seed(0)
    losses = []
    with tf.device(device):
        templates = tf.random.normal([10, 28 * 28])
        model = tf.keras.Sequential([tf.keras.layers.Dense(256, activation="relu"), tf.keras.layers.Dense(10)])
        opt = tf.keras.optimizers.SGD(learning_rate=0.05)
        loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        started = time.time()
        for step in range(steps):
            labels = tf.random.uniform([batch], 0, 10, dtype=tf.int32)
            inputs = tf.gather(templates, labels) + 0.5 * tf.random.normal([batch, 28 * 28])
            losses.append(float(train_step(inputs, labels)))
            if step % 100 == 0:
                say("  step %4d  loss %.4f" % (step, losses[-1]))
    finish_training(losses, started, steps, name)


def run_paddle(steps, batch):
    import paddle
    RESULT["framework"] = "paddlepaddle"
    RESULT["frameworkVersion"] = paddle.__version__
    say("== PaddlePaddle %s" % paddle.__version__)
    count = 0
    try:
        if paddle.device.is_compiled_with_cuda():
            count = paddle.device.cuda.device_count()
    except Exception as e:
        problem("paddle could not count GPUs: %s" % e)
    RESULT["gpuVisible"] = count > 0
    RESULT["gpuCount"] = count
    if count > 0:
        paddle.set_device("gpu:0")
        name = paddle.device.cuda.get_device_name(0)
        say("  %d GPU(s); the first is %s" % (count, name))
    else:
        paddle.set_device("cpu")
        say("  no GPU visible to PaddlePaddle")
        name = cpu_name()
    RESULT["device"] = name
    RESULT["onGpu"] = count > 0

    say("== training a small MLP on synthetic MNIST (%d steps, batch %d) on %s" % (steps, batch, name))
    paddle.seed(0)
    templates = paddle.randn([10, 28 * 28])
    model = paddle.nn.Sequential(paddle.nn.Linear(28 * 28, 256), paddle.nn.ReLU(), paddle.nn.Linear(256, 10))
    opt = paddle.optimizer.SGD(learning_rate=0.05, parameters=model.parameters())
    loss_fn = paddle.nn.CrossEntropyLoss()
    losses = []
    started = time.time()
    for step in range(steps):
        labels = paddle.randint(0, 10, [batch])
        inputs = paddle.gather(templates, labels) + 0.5 * paddle.randn([batch, 28 * 28])
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        opt.step()
        opt.clear_grad()
        losses.append(float(loss.item()))
        if step % 100 == 0:
            say("  step %4d  loss %.4f" % (step, losses[-1]))
    finish_training(losses, started, steps, name)


FRAMEWORKS = [("torch", "pytorch", run_torch), ("tensorflow", "tensorflow", run_tensorflow), ("paddle", "paddlepaddle", run_paddle)]


def find_framework(wanted):
    import importlib.util
    for module, name, run in FRAMEWORKS:
        if wanted and wanted not in (module, name):
            continue
        if importlib.util.find_spec(module) is not None:
            return name, run
    return None, None


def main():
    a = args()
    say("dlcontainer verify: Python %s at %s" % (platform.python_version(), sys.executable))
    check_nvidia_smi()
    name, run = find_framework(a["framework"])
    if run is None:
        problem("no deep-learning framework in this container (looked for PyTorch, TensorFlow, PaddlePaddle)")
    else:
        try:
            run(a["steps"], a["batch"])
        except Exception as e:  # report, do not crash: the caller reads the result line
            import traceback
            traceback.print_exc(file=sys.stdout)
            problem("%s failed: %s: %s" % (name, type(e).__name__, e))
    say("@@DLC_VERIFY " + json.dumps(RESULT))


if __name__ == "__main__":
    main()
