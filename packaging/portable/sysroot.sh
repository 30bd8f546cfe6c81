#!/usr/bin/env bash
# Makes the sysroot that the portable build (packaging/portable/toolchain.cmake) compiles and links
# against, so that its one binary runs on any x86-64 Linux with glibc >= 2.31:
#   - the C library from Debian 11 (bullseye, glibc 2.31): its headers, crt files, libc.so, libpthread,
#     libdl, and libgcc_s.so.1 (debootstrap, cached: it takes minutes);
#   - everything else from this Debian 12 host: the headers of the header-only libraries, and the
#     headers and static archives (.a) of those linked in. Never their .so files, so that nothing
#     but the C library can be linked dynamically by mistake.
# The compiler is this host's GCC 12; its C++ runtime is linked statically (docs/install.md says why
# and what that costs). Usage: packaging/portable/sysroot.sh DIR
set -euo pipefail
out=${1:?usage: sysroot.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mirror=${DLC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bullseye
include=libc6-dev,linux-libc-dev
cache=${DLC_SYSROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dlcontainer-build}
base=$cache/$suite-$(printf '%s %s' "$suite" "$include" | sha256sum | cut -c1-12)

# The host packages whose headers and static archives the portable build uses (packaging/portable/
# CMakeLists' libraries, and what their archives need).
host_packages=(
  libboost1.74-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libyaml-cpp-dev libssl-dev libxau-dev x11proto-dev libre2-dev
  libgit2-dev libmbedtls-dev libssh2-1-dev libhttp-parser-dev libpcre2-dev zlib1g-dev
  libarchive-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev
  libkrb5-dev krb5-multidev libcurl4-openssl-dev
)

if [ ! -f "$base/.complete" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is needed (apt-get install debootstrap)" >&2; exit 1; }
  rm -rf "$base"
  mkdir -p "$base"
  echo "debootstrap $suite (minbase + $include) into $base"
  debootstrap --variant=minbase --include="$include" "$suite" "$base" "$mirror" >"$base.log" 2>&1 || {
    tail -20 "$base.log" >&2
    exit 1
  }
  rm -rf "$base"/var/cache/apt/archives/*.deb
  # The linker follows symbolic links inside the sysroot: an absolute one (lib64/ld-linux-x86-64.so.2
  # -> /lib/...) would lead it to this host's files.
  find "$base" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$base$target")" "$link"
  done
  touch "$base/.complete"
fi

missing=()
for p in "${host_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing host packages: ${missing[*]} (scripts/setup.sh installs them)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
cp -a "$base/." "$out/"
rm -f "$out/.complete"
dpkg -L "${host_packages[@]}" | sort -u | while read -r f; do
  { [ -f "$f" ] || [ -L "$f" ]; } || continue
  case "$f" in
    /usr/include/*|/usr/lib/x86_64-linux-gnu/*.a) echo "${f#/}" ;;
  esac
done | tar -C / --no-recursion -cf - -T - | tar -C "$out" -xf -
# What went in, for the record (release.sh keeps it beside the tarball).
dpkg-query -W -f='${Package} ${Version}\n' "${host_packages[@]}" > "$out/host-packages.txt"
(chroot "$out" dpkg-query -W -f='${Package} ${Version}\n' libc6 libc6-dev libgcc-s1 2>/dev/null || true) > "$out/$suite-packages.txt"
echo "sysroot: $out (glibc $(sed -n 's/^libc6 //p' "$out/$suite-packages.txt"), $(du -sh "$out" | cut -f1))"
