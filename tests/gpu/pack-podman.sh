#!/usr/bin/env bash
# Packs Debian's Podman (podman, conmon, runc, Debian's seccomp profile) with the shared libraries they
# link into .engine/podman.tar.xz, for tests/gpu/podman.sh on a GPU host that has no Podman and no
# network. Run it here (Debian 12, `apt-get install podman`); it builds nothing: the dlcontainer that
# travels beside it is tests/gpu/pack.sh's .engine/dlcontainer.tar.xz (or its --portable one).
#
# Left out on purpose: netavark, aardvark-dns and the CNI plugins. The GPU host has no iptables, which
# Podman's bridge network needs, so podman.sh's workspace asks for the host's network (runArgs
# --network=host) and no network program is ever started. The configuration (containers.conf,
# storage.conf, registries.conf, policy.json) is written by podman.sh where it unpacks this, so that it
# can name the folders it chose.
# Usage: tests/gpu/pack-podman.sh [OUT.tar.xz]     (default .engine/podman.tar.xz; about 11 MB)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.engine/podman.tar.xz}
mkdir -p "$(dirname "$out")"
for prog in /usr/bin/podman /usr/bin/conmon /usr/sbin/runc /usr/bin/patchelf; do
  [ -x "$prog" ] || { echo "$prog is missing here: apt-get install podman patchelf" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/libexec" "$work/libs" "$work/share"
cp /usr/bin/podman /usr/bin/conmon /usr/sbin/runc "$work/libexec/"
strip --strip-debug "$work"/libexec/* 2>/dev/null || true
cp /usr/share/containers/seccomp.json "$work/share/"
# Every library they link but the C library's own parts, which the host has (newer and compatible).
ldd /usr/bin/podman /usr/bin/conmon /usr/sbin/runc | awk '/=>/ {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) continue ;;
  esac
  cp -L "$lib" "$work/libs/"
done
# Podman starts conmon, conmon starts runc, and conmon runs podman again when a container exits, each
# with an environment of its own (conmon got no LD_LIBRARY_PATH on the GPU host: "libglib-2.0.so.0:
# cannot open shared object file"). So each binary names the carried libraries itself: a DT_RPATH (not
# RUNPATH, which the libraries' own dependencies would not use) of $ORIGIN/../libs.
for prog in "$work"/libexec/*; do
  patchelf --force-rpath --set-rpath '$ORIGIN/../libs' "$prog"
done
cat > "$work/bin/podman" <<'WRAP'
#!/bin/sh
# Debian's podman with the libraries it was built against (packed by tests/gpu/pack-podman.sh).
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/../libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/../libexec/podman" "$@"
WRAP
chmod +x "$work/bin/podman"
{
  podman --version
  dpkg-query -W -f '${Package} ${Version}\n' podman conmon runc 2>/dev/null
} > "$work/VERSIONS"
tar -C "$work" -cf - . | xz -T2 -6 > "$out"
ls -l "$out"
