#!/usr/bin/env bash
# The portable build: one dlcontainer for any x86-64 Linux with glibc >= 2.31 (everything but the C
# library linked in) and its static agent, in BUILD (default build-portable/), against the sysroot
# that packaging/portable/sysroot.sh makes (BUILD/sysroot unless DLC_SYSROOT names one; made when
# missing). The licences of what is linked in go to BUILD/third-party/, which `cmake --install`
# puts under share/doc/dlcontainer/.
# Usage: packaging/portable/build.sh [BUILD [CMAKE_ARGS...]]      (CMAKE_BUILD_TYPE: default RelWithDebInfo)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-$repo/build-portable}")
shift || true
sysroot=${DLC_SYSROOT:-$build/sysroot}
[ -f "$sysroot/usr/lib/x86_64-linux-gnu/libc_nonshared.a" ] || "$repo/packaging/portable/sysroot.sh" "$sysroot"
# This host's library and header paths must not reach the compiler.
unset LIBRARY_PATH CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH

# The licences of the libraries linked in (and of the C library the agent links statically).
mkdir -p "$build/third-party"
while read -r pkg _; do
  for p in "$pkg" gcc-12-base libc6; do
    f=$(readlink -f "/usr/share/doc/$p/copyright" || true)
    [ -f "$f" ] && cp "$f" "$build/third-party/$p.copyright"
  done
done < <(sed -n 's/ .*//p' "$sysroot/host-packages.txt")

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
  -DDLC_PORTABLE=ON -DDLC_BUILD_TESTS=OFF \
  -DCMAKE_TOOLCHAIN_FILE="$repo/packaging/portable/toolchain.cmake" -DDLC_SYSROOT="$sysroot" "$@" >/dev/null
ninja -C "$build" -j "${DLC_JOBS:-2}"
"$build/server/dlcontainer" --version
