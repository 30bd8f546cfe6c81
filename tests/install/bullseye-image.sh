#!/usr/bin/env bash
# dlc-test/bullseye: Debian 11 (glibc 2.31, the oldest C library the portable build supports) as
# debootstrap makes it (minbase), imported as an image; what tests/install/portable.sh runs the
# portable tarball in. Nothing is pulled. Cached by name and recipe, as tests/images/build.sh does.
set -euo pipefail
recipe=$(sha256sum "$0" | cut -c1-16)
image=dlc-test/bullseye:latest
if [ "$(docker image inspect --format '{{ index .Config.Labels "dev.dlcontainer.test-recipe" }}' "$image" 2>/dev/null || true)" = "$recipe" ]; then
  echo "$image: up to date"
  exit 0
fi
root=$(mktemp -d /tmp/dlc-bullseye.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "$image: debootstrap bullseye (minbase) into $root"
debootstrap --variant=minbase bullseye "$root/rootfs" "${DLC_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$root/log" 2>&1 || {
  tail -20 "$root/log"
  exit 1
}
rm -rf "$root/rootfs/var/cache/apt/archives/"*.deb
tar -C "$root/rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' \
  -c "LABEL dev.dlcontainer.test-recipe=$recipe" - "$image" >/dev/null
echo "$image: built"
