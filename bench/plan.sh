#!/usr/bin/env bash
# `dlcontainer plan` on a generated repository of 10,000 files (a paper repository's shape: Python
# packages with imports, CUDA ops with a CUDAExtension, notebooks, docs, configs and sample data,
# requirements with includes, environment.yml, pyproject.toml, a README, one git commit).
# Median wall time of many runs (hyperfine), for a host given with --driver and for --no-gpu, with what
# inspection remembers from the run before (an editor planning again) and with nothing remembered (the
# first plan of a fresh clone: every source file read, libgit2 started); peak RSS; written to
# bench/results/plan.{json,md}. Target: under 50 ms. The cache lives in the run's own folder.
# Usage: bench/plan.sh [RUNS]   (default 50). Needs the build (build/server/dlcontainer) and git.
# To measure elsewhere (another machine, a copied binary): DLC_CMD is the command that runs
# dlcontainer, BENCH_REPO a repository generated before (GENERATE_ONLY=DIR writes one and stops),
# BENCH_OUT the results folder. BASELINE_CMD (another dlcontainer, e.g. main's build) adds it side by side,
# each binary with its own cache (their cache formats may differ), both started through env(1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-50}
files=10000
dlc=${DLC_CMD:-"$repo/build/server/dlcontainer"}
out=${BENCH_OUT:-"$repo/bench/results"}
mkdir -p "$out"
work=$(mktemp -d /tmp/dlc-bench-plan.XXXXXX)
trap 'rm -rf "$work"' EXIT
paper=${BENCH_REPO:-${GENERATE_ONLY:-"$work/paper"}}
if [ -z "${BENCH_REPO:-}" ]; then
command -v git >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q git >/dev/null
python3 - "$paper" "$files" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2])
random.seed(7)
def write(rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
fixed = {
    "requirements.txt": "-r requirements/runtime.txt\n--extra-index-url https://download.pytorch.org/whl/cu113\n"
                        "torch==1.11.0+cu113\ntorchvision==0.12.0+cu113\n",
    "requirements/runtime.txt": "numpy>=1.21\nopencv-python>=4.5\nscipy\ntqdm\npyyaml\neinops\ntimm==0.6.12\n",
    "requirements/docs.txt": "sphinx\n",
    "environment.yml": "name: paper\nchannels:\n  - pytorch\ndependencies:\n  - python=3.8\n  - pip\n  - pip:\n    - -r requirements.txt\n",
    "pyproject.toml": "[project]\nname = \"paper\"\nrequires-python = \">=3.7\"\ndependencies = [\"torch>=1.10\"]\n",
    "setup.py": "from setuptools import setup\nsetup(name='paper', install_requires=['torch>=1.10', 'numpy'])\n",
    "ops/dcn/setup.py": "from torch.utils.cpp_extension import BuildExtension, CUDAExtension\n"
                        "setup(ext_modules=[CUDAExtension('dcn', ['src/dcn.cpp', 'src/dcn_kernel.cu'])],"
                        " cmdclass={'build_ext': BuildExtension})\n",
    "README.md": "# Paper\n\nTested with PyTorch 1.11 and CUDA 11.3 on Ubuntu 20.04, Python 3.8.\n\n"
                 "```\nconda create -n paper python=3.8\npip install -r requirements.txt\n```\n" + "Some prose.\n" * 200,
    ".gitignore": "outputs/\n",
}
for rel, text in fixed.items():
    write(rel, text)
imports = ["import os", "import sys", "import numpy as np", "import torch", "import torch.nn as nn", "from tqdm import tqdm",
           "import cv2", "from PIL import Image", "import yaml", "from einops import rearrange"]
n = len(fixed)
i = 0
while n < total:
    kind = random.random()
    pkg = f"paper/module{i % 40}/sub{i % 7}"
    if kind < 0.30:
        body = "\n".join(random.sample(imports, 4)) + "\n\n" + "".join(f"def f{k}(x):\n    return x * {k}\n\n" for k in range(30))
        write(f"{pkg}/file{i}.py", body)
    elif kind < 0.33:
        write(f"ops/kernels/k{i}.cu", "__global__ void k(float* x) { x[threadIdx.x] *= 2; }\n")
    elif kind < 0.35:
        write(f"notebooks/nb{i}.ipynb", '{"cells": [{"source": ["import torch\\n", "import matplotlib.pyplot as plt\\n"]}]}\n')
    elif kind < 0.45:
        write(f"docs/section{i % 20}/page{i}.md", "Text.\n" * 20)
    elif kind < 0.55:
        write(f"configs/exp{i % 30}/cfg{i}.yaml", "lr: 0.001\nbatch: 32\n")
    else:
        write(f"data/samples/split{i % 50}/sample{i}.json", '{"label": %d}\n' % i)
    n += 1
    i += 1
PY
(cd "$paper" && git init -q && git add -A && GIT_COMMITTER_DATE=2022-04-01T12:00:00Z \
   git -c user.name=bench -c user.email=bench@localhost commit -q --date 2022-04-01T12:00:00Z -m paper)
fi
[ -z "${GENERATE_ONLY:-}" ] || { trap - EXIT; rm -rf "$work"; echo "generated $paper"; exit 0; }
gnu_time=${TIME_BIN:-/usr/bin/time}
for tool in hyperfine "$gnu_time"; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine time >/dev/null
done
$dlc --version >/dev/null || { echo "build first: scripts/setup.sh"; exit 1; }
count=$(find "$paper" -path "$paper/.git" -prune -o -type f -print | wc -l)

export XDG_CACHE_HOME="$work/cache"
$dlc plan "$paper" --driver 515.48.07 >/dev/null  # must succeed before it is timed
# `--version` is the floor: starting the process (and loading its libraries) with no work at all.
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/plan.json" \
  -n "plan --driver 515.48.07" "$dlc plan $paper --driver 515.48.07" \
  -n "plan --no-gpu --json" "$dlc plan $paper --no-gpu --json" \
  -n "dlcontainer --version (process start only)" "$dlc --version" >/dev/null 2>&1
hyperfine -N --warmup 2 --runs "$(( runs < 20 ? runs : 20 ))" --prepare "rm -rf $work/cache" --export-json "$work/plan-cold.json" \
  -n "plan --driver 515.48.07, nothing remembered" "$dlc plan $paper --driver 515.48.07" >/dev/null 2>&1
if [ -n "${BASELINE_CMD:-}" ]; then
  mine="env XDG_CACHE_HOME=$work/cache-mine $dlc"
  base="env XDG_CACHE_HOME=$work/cache-base $BASELINE_CMD"
  $mine plan "$paper" --driver 515.48.07 >/dev/null && $base plan "$paper" --driver 515.48.07 >/dev/null
  hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/plan-side.json" \
    -n "side by side: this build, plan --driver 515.48.07" "$mine plan $paper --driver 515.48.07" \
    -n "side by side: baseline, plan --driver 515.48.07" "$base plan $paper --driver 515.48.07" >/dev/null 2>&1
  hyperfine -N --warmup 2 --runs "$(( runs < 20 ? runs : 20 ))" --prepare "rm -rf $work/cache-mine $work/cache-base" \
    --export-json "$work/plan-side-cold.json" \
    -n "side by side: this build, nothing remembered" "$mine plan $paper --driver 515.48.07" \
    -n "side by side: baseline, nothing remembered" "$base plan $paper --driver 515.48.07" >/dev/null 2>&1
fi
peak() {  # median max RSS in KiB over 5 runs
  for _ in 1 2 3 4 5; do "$gnu_time" -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p
}
rss=$(peak $dlc plan "$paper" --driver 515.48.07)
image=$($dlc plan "$paper" --driver 515.48.07 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["plan"]["baseImage"])')

python3 - "$work" "$out" "$runs" "$count" "$rss" "$image" <<'PY'
import datetime, json, os, platform, statistics, sys
work, out, runs, count, rss, image = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
results = json.load(open(f"{work}/plan.json"))["results"] + json.load(open(f"{work}/plan-cold.json"))["results"]
for side in ("plan-side.json", "plan-side-cold.json"):
    if os.path.exists(f"{work}/{side}"):
        results += json.load(open(f"{work}/{side}"))["results"]
median = {r["command"]: round(statistics.median(r["times"]) * 1000, 2) for r in results}
p90 = {r["command"]: round(sorted(r["times"])[int(0.9 * (len(r["times"]) - 1))] * 1000, 2) for r in results}
# CPU time (user + system) says what the work costs when the machine is shared and wall time waits.
cpu = {r["command"]: round((r["user"] + r["system"]) * 1000, 2) for r in results}
load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    "repository": {"files": count, "shape": "python packages, CUDA ops with a CUDAExtension, notebooks, docs, configs, sample data; one git commit"},
    "runs": runs, "medianMs": median, "p90Ms": p90, "meanCpuMs": cpu, "loadAverage": load, "peakRssKiB": rss,
    "targetMs": 50, "withinTarget": {k: v < 50 for k, v in median.items() if k.startswith("plan")}, "planned": image,
    "baseline": os.environ.get("BASELINE_CMD", ""),
}
json.dump(res, open(f"{out}/plan.json", "w"), indent=2)
lines = [f"# Plan benchmark ({res['date']})", "",
         f"{res['machine']}; `dlcontainer plan` on a generated repository of {count} files ({res['repository']['shape']}); "
         f"median of {runs} runs each (hyperfine, 5 warm-up runs; 20 of the first plan, each after emptying the cache); "
         f"load average {load} when measured. Target: under 50 ms.", "",
         "Inspection remembers, per repository, what each source file imports (by its stat) and HEAD's date (by "
         "commit id): a plan after the first reads only what changed. The first plan of a repository reads every "
         "source file and starts libgit2.", "",
         "| command | median ms | p90 ms | mean CPU ms (user+sys) |", "| --- | ---: | ---: | ---: |"]
for k in median:
    lines.append(f"| `{k}` | {median[k]} | {p90[k]} | {cpu[k]} |")
lines += ["", f"Peak RSS: {rss / 1024:.1f} MiB. Planned image: `{image}`."]
if res["baseline"]:
    lines += ["", f"Side by side, in the same hyperfine runs: the baseline is `{res['baseline']}`; each binary has "
              "its own cache and is started through env(1)."]
lines += [""]
open(f"{out}/plan.md", "w").write("\n".join(lines))
print("\n".join(lines))
PY
