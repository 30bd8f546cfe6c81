#!/usr/bin/env bash
# Builds the local images the tests run on. Docker Hub is out of reach, so nothing is pulled: the base
# is Debian bookworm made with debootstrap and imported, and each image is `docker build` on top.
# Cached by name and recipe: an image whose Dockerfile has not changed is not built again.
# Usage: tests/images/build.sh [NAME...]   (default: all, in dependency order)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Order matters: each image is built FROM one before it.
all=(bookworm python torch services sshd git)
# Built only when named: code-server from npm takes ~10 minutes (tests that need it run under
# DLC_CODE_SERVER=1).
on_request=(code-server)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")

recipe_of() {  # the hash of an image's recipe, stored as a label to tell when it changed
  if [ "$1" = bookworm ]; then sha256sum "$here/build.sh" | cut -c1-16; else sha256sum "$here/$1/Dockerfile" | cut -c1-16; fi
}

built_recipe() {
  docker image inspect --format '{{ index .Config.Labels "dev.dlcontainer.test-recipe" }}' "dlc-test/$1:latest" 2>/dev/null || true
}

build_bookworm() {
  local root
  root=$(mktemp -d /tmp/dlc-bookworm.XXXXXX)
  trap 'rm -rf "$root"' RETURN
  echo "debootstrap bookworm (minbase) into $root"
  debootstrap --variant=minbase bookworm "$root/rootfs" http://deb.debian.org/debian >"$root/log" 2>&1 || { tail -20 "$root/log"; exit 1; }
  rm -rf "$root/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$root/rootfs" -c . | docker import \
    -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' \
    -c "LABEL dev.dlcontainer.test-recipe=$(recipe_of bookworm)" - dlc-test/bookworm:latest >/dev/null
}

for name in "${names[@]}"; do
  want=$(recipe_of "$name")
  if [ "$(built_recipe "$name")" = "$want" ]; then
    echo "dlc-test/$name: up to date"
    continue
  fi
  echo "dlc-test/$name: building"
  if [ "$name" = bookworm ]; then
    build_bookworm
  elif grep -q extra-ca "$here/$name/Dockerfile"; then
    # An image that downloads over TLS (npm) trusts what this host trusts beyond Debian's CAs (a
    # TLS-inspecting proxy's CA, in /usr/local/share/ca-certificates), given in the context as extra-ca/.
    context=$(mktemp -d /tmp/dlc-image-context.XXXXXX)
    cp -r "$here/$name/." "$context/"
    mkdir -p "$context/extra-ca"
    cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true
    touch "$context/extra-ca/.none"
    docker build -q --network host --label "dev.dlcontainer.test-recipe=$want" -t "dlc-test/$name:latest" "$context" >/dev/null \
      || { rm -rf "$context"; exit 1; }
    rm -rf "$context"
  else
    docker build -q --network host --label "dev.dlcontainer.test-recipe=$want" -t "dlc-test/$name:latest" "$here/$name" >/dev/null
  fi
  echo "dlc-test/$name: built"
done
