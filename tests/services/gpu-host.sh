#!/usr/bin/env bash
# TensorBoard has no Debian package and PyPI is out of reach here, so `dlcontainer tensorboard` is
# checked on the GPU test host, whose /opt/torch/.venv has PyTorch and TensorBoard (docs/services.md).
#
#   tests/services/gpu-host.sh pack   here: .engine/engine.tar.xz (the Docker engine) and
#                                     .engine/services.tar.xz (dlcontainer, its agent, their libraries)
#   tests/services/gpu-host.sh run    there, from the repository root: starts the carried engine, makes an
#                                     image of the host's own files, and in a workspace whose container
#                                     runs the host's Python: writes scalars with torch.utils.tensorboard,
#                                     starts TensorBoard with dlcontainer, reads the scalars' tags through
#                                     the forwarded port, asks again (same URL), lists ports, stops it.
# The run's log goes to $OUT/tensorboard-run.log (or /tmp). Exit status 0 when every check passed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

pack() {
  set -e
  mkdir -p .engine
  [ -s .engine/engine.tar.xz ] || /work/shared/gpu-host/pack-engine.sh .engine/engine.tar.xz
  local work
  work=$(mktemp -d)
  mkdir -p "$work/bin" "$work/libs"
  cp build/server/dlcontainer "$work/bin/dlcontainer.real"
  strip --strip-debug "$work/bin/dlcontainer.real"
  cp build/server/dlcontainer-agent "$work/bin/"
  ldd build/server/dlcontainer | awk '/=>/ {print $3}' | sort -u | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*) continue ;;
    esac
    cp -L "$lib" "$work/libs/"
  done
  cat > "$work/bin/dlcontainer" <<'WRAP'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
DLC_AGENT="$here/dlcontainer-agent" LD_LIBRARY_PATH="$here/../libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/dlcontainer.real" "$@"
WRAP
  chmod +x "$work/bin/dlcontainer"
  git rev-parse --short HEAD > "$work/COMMIT"
  tar -C "$work" -cf - . | xz -T2 -6 > .engine/services.tar.xz
  rm -rf "$work"
  ls -l .engine
}

run() {
  local log=${OUT:-/tmp}/tensorboard-run.log failed=0
  exec > >(tee "$log") 2>&1
  check() { if "$@"; then echo "PASS: $*"; else echo "FAIL: $*"; failed=1; fi; }
  mkdir -p /opt/dlcontainer && tar -xJf .engine/services.tar.xz -C /opt/dlcontainer
  local dlc=/opt/dlcontainer/bin/dlcontainer
  echo "dlcontainer $($dlc --version) (commit $(cat /opt/dlcontainer/COMMIT))"
  if ! docker version >/dev/null 2>&1; then
    mkdir -p /opt/engine && tar -xJf .engine/engine.tar.xz -C /opt/engine && /opt/engine/start-engine.sh || exit 2
    export PATH=/opt/engine/bin:$PATH
  fi
  docker version --format 'engine {{.Server.Version}}' || exit 2
  /opt/torch/.venv/bin/python -c 'import tensorboard, torch; print("tensorboard", tensorboard.__version__, "torch", torch.__version__)'

  # An image of the host's own files: a tiny root, with the host's /usr (and its PyTorch) mounted read-only.
  if ! docker image inspect dlc-services/hostroot:latest >/dev/null 2>&1; then
    local root
    root=$(mktemp -d)
    mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/usr"
    chmod 1777 "$root/tmp"
    for d in bin sbin lib lib64; do [ -L "/$d" ] && ln -s "usr/$d" "$root/$d"; done
    printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - dlc-services/hostroot:latest
    rm -rf "$root"
  fi
  local ws=/tmp/tb-ws
  rm -rf "$ws" && mkdir -p "$ws/.devcontainer"
  cat > "$ws/.devcontainer/devcontainer.json" <<'JSON'
{
  "image": "dlc-services/hostroot:latest",
  "remoteUser": "root",
  "mounts": ["source=/usr,target=/usr,type=bind,readonly", "source=/opt/torch,target=/opt/torch,type=bind,readonly"],
  "containerEnv": {"PATH": "/opt/torch/.venv/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
}
JSON
  $dlc up "$ws" || exit 2
  $dlc exec -w "$ws" -- python -c '
from torch.utils.tensorboard import SummaryWriter
w = SummaryWriter("runs/exp1")
for step in range(5): w.add_scalar("train/loss", 1.0 / (step + 1), step)
w.close()
print("wrote runs/exp1")'
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
    tags=$(curl -sf "http://127.0.0.1:$port/data/plugin/scalars/tags" || true)
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
