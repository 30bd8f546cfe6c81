#!/usr/bin/env bash
# Prepares a Debian 12 machine (as root) to build, run and test dlcontainer: installs the packages,
# starts dockerd when it is not running, and builds into build/. Safe to run again: each step is
# skipped when already done. Sourced by demo.sh and test.sh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libboost-dev nlohmann-json3-dev libgit2-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev
  libbenchmark-dev libyaml-cpp-dev libtomlplusplus-dev libarchive-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev libssl-dev libcurl4-openssl-dev
  docker.io docker-compose debootstrap xz-utils procps docker-registry openssl
  openssh-client openssh-server openjdk-17-jdk-headless junit5 libjackson2-databind-java
  libxau-dev gdb xvfb xauth x11-utils python3-jsonschema libre2-dev json-schema-test-suite
  lintian fish zsh git libkrb5-dev
  podman uidmap slirp4netns fuse-overlayfs patchelf
  slurmctld slurmd slurm-client munge
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Docker engine: systemd may not be there (containers, CI), so start dockerd by hand if needed.
if ! docker info >/dev/null 2>&1; then
  echo "==> starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; its log:"; tail -20 /var/log/dockerd.log; exit 1; }
fi

echo "==> building"
export CCACHE_DIR=${CCACHE_DIR:-$repo/.ccache}
cmake -S "$repo" -B "$repo/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$repo/build" ${DLC_BUILD_TARGETS:-}
