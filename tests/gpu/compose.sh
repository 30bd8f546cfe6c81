#!/usr/bin/env bash
# The GPU run of a Compose dev container: on a host with an NVIDIA GPU and a compose tool (docker compose
# or docker-compose), from the repository root, after tests/gpu/run.sh (which makes the
# dlc-gpu/hostroot:latest image):
#
#   tests/gpu/compose.sh
#
# brings tests/gpu/compose up (its app service requires a GPU), shows the override dlcontainer wrote and
# what the engine was told, runs nvidia-smi -L in the service, and removes the project. The log is
# $OUT/gpu-compose.log (or /tmp/dlc-gpu-compose.log). Exit status 0 when the service saw a GPU.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
log=${OUT:-/tmp}/gpu-compose.log
[ -n "${OUT:-}" ] || log=/tmp/dlc-gpu-compose.log
exec > >(tee "$log") 2>&1
run() { printf '$ %s\n' "$*"; "$@"; local rc=$?; printf '(exit %d)\n' "$rc"; return $rc; }

dlc=${DLC:-$repo/build/server/dlcontainer}
[ -x "$dlc" ] || [ ! -x /opt/dlcontainer/bin/dlcontainer ] || dlc=/opt/dlcontainer/bin/dlcontainer
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  echo "no compose tool on this host (docker compose or docker-compose): nothing to run"; exit 2
fi
image=${DLC_GPU_IMAGE_REF:-dlc-gpu/hostroot:latest}
docker image inspect "$image" >/dev/null 2>&1 || { echo "no $image: run tests/gpu/run.sh first"; exit 2; }
export DLC_GPU_IMAGE_REF=$image
ws=tests/gpu/compose
run "$dlc" up "$ws" --json || { run "$dlc" down "$ws" --remove; exit 1; }
echo "the override:"; cat "${XDG_CACHE_HOME:-$HOME/.cache}/dlcontainer/compose/compose_devcontainer/docker-compose.dlcontainer.yml"
cid=$("$dlc" status "$ws" --json | sed -n 's/.*"containerId": "\([0-9a-f]*\)".*/\1/p' | head -1)
docker inspect --format 'DeviceRequests: {{json .HostConfig.DeviceRequests}} Devices: {{json .HostConfig.Devices}}' "$cid"
run "$dlc" exec -w "$ws" -- nvidia-smi -L; rc=$?
run "$dlc" down "$ws" --remove
exit $rc
