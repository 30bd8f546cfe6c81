#!/usr/bin/env bash
# The main job, from nothing: installs and builds dlcontainer, then opens the bundled example repo
# (examples/mnist) in a container and trains its model there. Run as root on Debian 12.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
DLC_BUILD_TARGETS=dlcontainer "$repo/scripts/setup.sh"
dlc="$repo/build/server/dlcontainer"

# The example builds FROM debian:bookworm-slim. Where Docker Hub is out of reach, a local debootstrap
# of the same release stands in for it (said here, so nobody mistakes it for the Hub's image).
if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 && ! docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  echo "==> Docker Hub is out of reach: tagging a local debootstrap of bookworm as debian:bookworm-slim"
  "$repo/tests/images/build.sh" bookworm
  docker tag dlc-test/bookworm:latest debian:bookworm-slim
fi

echo "==> dlcontainer up examples/mnist"
"$dlc" up "$repo/examples/mnist"
echo "==> dlcontainer exec -- python3 train.py"
"$dlc" exec -w "$repo/examples/mnist" -- python3 train.py
echo
echo "The container stays up: 'build/server/dlcontainer exec -w examples/mnist -- bash' opens a shell,"
echo "'build/server/dlcontainer down examples/mnist' stops it."
