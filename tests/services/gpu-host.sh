#!/usr/bin/env bash
# TensorBoard has no Debian package and PyPI is out of reach here, so `dlcontainer tensorboard` is
# checked on the GPU test host, whose /opt/torch/.venv has PyTorch and TensorBoard (docs/services.md).
#
#   tests/services/gpu-host.sh pack   here: tests/gpu/pack.sh (.engine/engine.tar.xz, the Docker engine, and
#                                     .engine/dlcontainer.tar.xz: dlcontainer, its agent, their libraries)
#   tests/services/gpu-host.sh run    there, from the repository root: starts the carried engine, in the GPU run's
#                                     workspace (tests/gpu/workspace, the host's Python over a tiny root):
#                                     trains on the GPU, writes scalars with torch.utils.tensorboard,
#                                     starts TensorBoard with dlcontainer, reads the scalars' tags through
#                                     the forwarded port, asks again (same URL), lists ports, stops it.
# The run's log goes to $OUT/tensorboard-run.log (or /tmp). Exit status 0 when every check passed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

pack() {
  # One package for both GPU-host scripts (the carry limit is 64 MiB): tests/gpu/pack.sh puts dlcontainer,
  # its agent and their libraries in .engine/dlcontainer.tar.xz beside the engine.
  "$repo/tests/gpu/pack.sh"
}

run() {
  local log=${OUT:-/tmp}/tensorboard-run.log failed=0
  exec > >(tee "$log") 2>&1
  check() { if "$@"; then echo "PASS: $*"; else echo "FAIL: $*"; failed=1; fi; }
  local dlc=${DLC:-/opt/dlcontainer/bin/dlcontainer}
  [ -x "$dlc" ] || { mkdir -p /opt/dlcontainer && tar -xJf .engine/dlcontainer.tar.xz -C /opt/dlcontainer; }
  echo "dlcontainer $($dlc --version) (commit $(cat /opt/dlcontainer/COMMIT))"
  [ -x /opt/engine/bin/docker ] && export PATH=/opt/engine/bin:$PATH  # started by tests/gpu/run.sh
  if ! docker version >/dev/null 2>&1; then
    [ -x /opt/engine/start-engine.sh ] || { mkdir -p /opt/engine && tar -xJf .engine/engine.tar.xz -C /opt/engine; }
    /opt/engine/start-engine.sh || exit 2
    export PATH=/opt/engine/bin:$PATH
  fi
  docker version --format 'engine {{.Server.Version}}' || exit 2
  /opt/torch/.venv/bin/python -c 'import tensorboard, torch; print("tensorboard", tensorboard.__version__, "torch", torch.__version__)'

  # The GPU run's workspace (tests/gpu/workspace: requires a GPU; the host's /usr and PyTorch mounted
  # read-only over a tiny imported root), copied so that its runs/ folder is the run's own.
  if ! docker image inspect dlc-gpu/hostroot:latest >/dev/null 2>&1; then
    local root
    root=$(mktemp -d)
    mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/usr"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - dlc-gpu/hostroot:latest
    rm -rf "$root"
  fi
  local ws=/tmp/tb-ws
  rm -rf "$ws" && mkdir -p "$ws" && cp -r tests/gpu/workspace/.devcontainer "$ws/"
  $dlc up "$ws" || exit 2
  local trained
  trained=$($dlc exec -w "$ws" -- python -c '
import torch
from torch.utils.tensorboard import SummaryWriter
dev = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
x = torch.randn(4096, 64, device=dev); y = (x.sum(1, keepdim=True) > 0).float()
model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 1)).to(dev)
opt = torch.optim.Adam(model.parameters(), 1e-2)
w = SummaryWriter("runs/exp1")
for step in range(50):
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
    opt.zero_grad(); loss.backward(); opt.step()
    w.add_scalar("train/loss", loss.item(), step)
w.close()
print("trained on", dev, torch.cuda.get_device_name(0) if dev == "cuda" else "", "final loss", round(loss.item(), 4), "; wrote runs/exp1")')
  echo "$trained"
  check sh -c "echo '$trained' | grep -q 'trained on cuda'"
  local first second url port
  first=$($dlc tensorboard "$ws" --json)
  echo "$first"
  url=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
  port=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostPort"])')
  check test -n "$url"
  check sh -c "echo '$first' | grep -q '\"detail\": \"/workspaces/tb-ws/runs\"'"
  check sh -c "echo '$first' | grep -q '\"via\": \"forwarded\"'"
  local tags=""
  for _ in $(seq 1 60); do
    tags=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
      "http://127.0.0.1:$port/data/plugin/scalars/tags" 2>/dev/null || true)
    echo "$tags" | grep -q 'train/loss' && break
    sleep 1
  done
  echo "scalars tags: $tags"
  check sh -c "echo '$tags' | grep -q 'train/loss'"
  second=$($dlc tensorboard "$ws" --json)
  check test "$(echo "$second" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')" = "$url"
  check sh -c "echo '$second' | grep -q '\"reused\": true'"
  $dlc ports "$ws"
  check sh -c "$dlc ports '$ws' --json | grep -q '\"service\": \"tensorboard\"'"
  check sh -c "$dlc tensorboard '$ws' --stop | grep -q 'stopped 1'"
  $dlc down "$ws" --remove
  echo "tensorboard checks: $([ $failed = 0 ] && echo all passed || echo FAILED)"
  return $failed
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: $0 pack|run"; exit 2 ;;
esac
