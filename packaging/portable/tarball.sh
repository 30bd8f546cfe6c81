#!/usr/bin/env bash
# The portable tarball from a portable build (packaging/portable/build.sh): the build installed and
# stripped into BUILD/stage/dlcontainer-<v>-linux-x64/ (kept: the .vsix bundles its binary), with the
# list of packages it was built with, archived in name order with fixed owners and times (mtime:
# SOURCE_DATE_EPOCH, default HEAD's commit time) as OUT/dlcontainer-<v>-linux-x64.tar.gz, and its
# .sha256 beside it. scripts/release.sh makes the release's this way; so can anyone from build-portable/.
# Usage: packaging/portable/tarball.sh BUILD OUT      (the sysroot: DLC_SYSROOT, default the one BUILD was made with)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:?usage: tarball.sh BUILD OUT}")
out=$(realpath -m "${2:?usage: tarball.sh BUILD OUT}")
[ -f "$build/build.ninja" ] || { echo "$build is not a build folder (packaging/portable/build.sh $build)" >&2; exit 1; }
grep -q '^DLC_PORTABLE:BOOL=ON' "$build/CMakeCache.txt" || { echo "$build is not a portable build (packaging/portable/build.sh)" >&2; exit 1; }
sysroot=${DLC_SYSROOT:-$(sed -n 's/^DLC_SYSROOT:[A-Z]*=//p' "$build/CMakeCache.txt")}
[ -f "$sysroot/host-packages.txt" ] || { echo "no sysroot at $sysroot (set DLC_SYSROOT to the one $build was built against)" >&2; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || { echo "cannot read the version from $build/CMakeCache.txt" >&2; exit 1; }
: "${SOURCE_DATE_EPOCH:=$(git -C "$repo" log -1 --format=%ct HEAD)}"

name=dlcontainer-$version-linux-x64
stage=$build/stage
rm -rf "$stage"
cmake --install "$build" --prefix "$stage/$name" --strip >/dev/null
# What --strip leaves that differs between otherwise equal builds (the compiler's notes and build id).
strip --remove-section=.comment --remove-section=.note "$stage/$name/bin/dlcontainer" "$stage/$name/lib/dlcontainer/dlcontainer-agent"
cat "$sysroot/host-packages.txt" "$sysroot/bullseye-packages.txt" > "$stage/$name/share/doc/dlcontainer/third-party/built-with.txt"
mkdir -p "$out"
tar -C "$stage" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --format=gnu \
  -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
