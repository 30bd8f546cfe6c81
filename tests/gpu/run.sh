#!/usr/bin/env bash
# The end-to-end GPU run: on a host with an NVIDIA GPU, from the repository root,
#
#   tests/gpu/run.sh
#
# does `dlcontainer gpus`, `dlcontainer doctor`, `dlcontainer up` on a workspace that requires a GPU
# (tests/gpu/workspace), shows what the container was given, runs `dlcontainer verify --require-gpu`
# in it, and removes the container. Everything it does is printed, and kept in $OUT/gpu-run.log (or
# /tmp/dlc-gpu-run.log). Exit status 0 when verify passed on the GPU.
#
# What it needs, in order of preference:
#   dlcontainer: $DLC, else build/server/dlcontainer, else .engine/dlcontainer.tar.xz (tests/gpu/pack.sh)
#   Docker:      a running engine, else .engine/engine.tar.xz unpacked to /opt/engine and started
#   an image:    $DLC_GPU_IMAGE (any image with Python and a CUDA framework), else dlc-gpu/hostroot:latest,
#                made here without network from the host's own files: a tiny imported root whose /usr,
#                /lib*, /bin, /sbin and /opt/torch are the host's, mounted read-only (see
#                tests/gpu/workspace/.devcontainer/devcontainer.json). The host's PyTorch is in
#                /opt/torch/.venv; set DLC_GPU_PYTHON_HOME to use another folder of that kind.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. tests/gpu/lib.sh
gpu_log gpu-run.log

step "host"
date -u +"%Y-%m-%dT%H:%M:%SZ"
uname -srm
grep -h PRETTY_NAME /etc/os-release 2>/dev/null
echo "PATH=$PATH"
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
command -v nvidia-smi && nvidia-smi -L
head -1 /proc/driver/nvidia/version 2>/dev/null
ls -l /dev/nvidia* 2>/dev/null
ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libnvidia-ml\.so' || echo "(the loader's cache has no libcuda/libnvidia-ml)"

step "dlcontainer"
find_dlc
# What it links on this host: the portable build (tests/gpu/pack.sh --portable) only the C library's
# parts and libgcc_s, found in the host's own folders, nothing carried.
ldd "$dlc" 2>&1 || true

step "docker engine"
if ! docker version >/dev/null 2>&1; then
  if [ -x /opt/engine/start-engine.sh ] || [ -s .engine/engine.tar.xz ]; then
    if [ ! -x /opt/engine/start-engine.sh ]; then mkdir -p /opt/engine && tar -xJf .engine/engine.tar.xz -C /opt/engine; fi
    /opt/engine/start-engine.sh || { echo "the carried engine did not start"; exit 2; }
    export PATH=/opt/engine/bin:$PATH
  fi
fi
docker version --format 'client {{.Client.Version}}, server {{.Server.Version}} (API {{.Server.APIVersion}})' || {
  echo "no Docker engine: install one, or carry .engine/engine.tar.xz (tests/gpu/pack.sh)"
  exit 2
}

step "dlcontainer gpus"
if ! run "$dlc" gpus && [ -e /proc/driver/nvidia/version ]; then
  # The kernel module is loaded but neither the loader nor PATH knows the driver's libraries. A user would
  # follow doctor's fix (ld.so.conf.d or LD_LIBRARY_PATH); this run does the second and says so.
  nvml=$(find /usr/local /usr/lib /usr/lib64 /opt -maxdepth 4 -name libnvidia-ml.so.1 2>/dev/null | head -1)
  if [ -n "$nvml" ]; then
    export LD_LIBRARY_PATH="$(dirname "$nvml")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "NOTE: the driver's libraries are in $(dirname "$nvml"), unknown to the loader: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    run "$dlc" gpus
  fi
fi
run "$dlc" gpus --json

step "dlcontainer doctor"
run "$dlc" doctor
doctor_rc=$?
run "$dlc" doctor --json >/dev/null

step "dlcontainer plan (a 2022 paper's pins, against this driver)"
run "$dlc" plan tests/gpu/paper
run "$dlc" plan tests/gpu/paper --driver 450.80.02

step "the workspace's image"
image=${DLC_GPU_IMAGE:-dlc-gpu/hostroot:latest}
pyhome=${DLC_GPU_PYTHON_HOME:-/opt/torch}
if [ "$image" = dlc-gpu/hostroot:latest ] && ! docker image inspect "$image" >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/workspaces"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$image" && echo "made $image from the host's files"
  rm -rf "$root"
fi
docker image inspect --format '{{.RepoTags}} {{.Size}} bytes' "$image"

# The isolated configuration hides the host's /usr/local behind a tmpfs, so the driver's libraries and
# nvidia-smi (in /usr/local/nvidia on such hosts) reach the container only through dlcontainer's
# attach. When Python itself lives under /usr/local that cannot work, and the plain one is used.
ws=tests/gpu/workspace
py_real=$(readlink -f "$pyhome/.venv/bin/python" 2>/dev/null || true)
echo "python: $pyhome/.venv/bin/python -> ${py_real:-missing}"
configs=()
case "$py_real" in
  /usr/local/*) ;;
  *) configs+=("$ws/.devcontainer/devcontainer.json") ;;
esac
configs+=("$ws/.devcontainer/host-usr-local/devcontainer.json")

passed=""
for config in "${configs[@]}"; do
  step "dlcontainer up ($config)"
  export DLC_GPU_IMAGE_REF=$image DLC_GPU_PYTHON_HOME=$pyhome
  if ! run "$dlc" up "$ws" --config "$config" --rebuild; then
    echo "up failed with $config"
    continue
  fi
  run "$dlc" up "$ws" --config "$config" --json
  run "$dlc" status "$ws"
  cid=$("$dlc" status "$ws" --json | sed -n 's/.*"containerId": "\([0-9a-f]*\)".*/\1/p' | head -1)
  echo "what the engine was told:"
  docker inspect --format 'Devices: {{json .HostConfig.Devices}}
DeviceRequests: {{json .HostConfig.DeviceRequests}}
ShmSize: {{.HostConfig.ShmSize}}  IpcMode: {{.HostConfig.IpcMode}}
Env: {{json .Config.Env}}
Mounts: {{range .Mounts}}{{.Source}} -> {{.Destination}} ({{if .RW}}rw{{else}}ro{{end}})
        {{end}}' "$cid"

  step "dlcontainer verify ($config)"
  run "$dlc" exec -w "$ws" -T -- sh -c 'command -v nvidia-smi; nvidia-smi -L; echo LD_LIBRARY_PATH=$LD_LIBRARY_PATH'
  run "$dlc" verify "$ws" --require-gpu
  rc=$?
  run "$dlc" verify "$ws" --require-gpu --json --steps 500 2>/dev/null
  run "$dlc" down "$ws" --remove
  if [ $rc -eq 0 ]; then
    passed=$config
    break
  fi
done

step "summary"
echo "doctor exit status: $doctor_rc (0: a GPU container can be made)"
if [ -n "$passed" ]; then
  echo "PASS: verify ran on the GPU in a container that dlcontainer up made ($passed)"
  echo "log: $log"
  exit 0
fi
echo "FAIL: verify did not pass on the GPU; the output above says where it stopped"
echo "log: $log"
exit 1
