#!/usr/bin/env bash
# Builds a release of HEAD from a clean copy of it (git archive: uncommitted changes are not in it)
# into dist/:
#   dlcontainer_<v>-1_amd64.deb                   Debian 12 package (checked with lintian)
#   dlcontainer-<v>-linux-x64.tar.gz (+ .sha256)   the portable build: any x86-64 Linux with glibc >= 2.31
#   dlcontainer-<v>-linux-x64.vsix                 the VS Code extension with the portable server inside
#   SHA256SUMS
# Reproducible: SOURCE_DATE_EPOCH is HEAD's commit time, paths are mapped out of the binaries, archives
# are written in name order with fixed owners and times. --twice builds the package and the tarball
# again in another folder without the compiler cache and fails unless both come out byte-identical.
# --test then installs them as users would (tests/install/release.sh: apt in bare Debian 12, the
# tarball in bare Debian 12 and 11).
# Usage: scripts/release.sh [--twice] [--test] [--out DIR]      (as root on Debian 12 after scripts/setup.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/dist
twice=false
test=false
while [ $# -gt 0 ]; do
  case "$1" in
    --twice) twice=true ;;
    --test) test=true ;;
    --out) out=$(realpath -m "$2"); shift ;;
    *) echo "unknown argument $1 (takes --twice, --test, --out DIR)" >&2; exit 2 ;;
  esac
  shift
done

commit=$(git -C "$repo" rev-parse HEAD)
short=${commit:0:12}
export SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct HEAD)
version=$(sed -n 's/^project(dlcontainer VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
[ -n "$version" ] || { echo "cannot read the version from CMakeLists.txt" >&2; exit 1; }
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: the working tree has uncommitted changes; the release is of HEAD ($short) without them"
fi
top=$repo/build-release
rm -rf "$top"
mkdir -p "$top" "$out"
# One sysroot for both builds (packaging/portable/sysroot.sh; its debootstrap is cached).
"$repo/packaging/portable/sysroot.sh" "$top/sysroot"
unset LIBRARY_PATH CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH
# ccache's base_dir rewrites the compiler's absolute paths to relative ones (the source file's too), so
# the debug info names ../src/… instead of the mapped /build/src/…, the build-id follows, and a cached
# build differs from an uncached one: the cache may serve this build only with the same arguments.
export CCACHE_BASEDIR=

# build DIR: the package and the tarball from a clean copy of HEAD in DIR/src, into DIR/out.
build() {
  local dir=$1 src=$1/src
  mkdir -p "$src" "$dir/out"
  # tar.umask 0022: the files keep the modes a package wants (git archive writes 0664 by default).
  git -C "$repo" -c tar.umask=0022 archive --format=tar HEAD | tar -C "$src" -xf -
  # Debian's flags (hardening included); CMake reads CXXFLAGS and LDFLAGS, not CPPFLAGS. The folders
  # of this build are mapped out of what the compiler writes, so that another folder gives the same.
  eval "$(cd "$src" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
  export CXXFLAGS="$CXXFLAGS $CPPFLAGS -ffile-prefix-map=$dir=/build -ffile-prefix-map=$top/sysroot=/sysroot"
  export LDFLAGS
  # RelWithDebInfo: Debian's -O2 (what the suite tests), its debug info stripped from what ships.
  local common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLC_BUILD_TESTS=OFF -DDLC_COMMIT="$short")

  echo "==> the portable build ($dir/portable)"
  CMAKE_BUILD_TYPE=RelWithDebInfo DLC_SYSROOT=$top/sysroot "$src/packaging/portable/build.sh" "$dir/portable" -DDLC_COMMIT="$short" >/dev/null
  DLC_SYSROOT=$top/sysroot "$src/packaging/portable/tarball.sh" "$dir/portable" "$dir/out" >/dev/null

  echo "==> the Debian package ($dir/deb)"
  cmake -S "$src" -B "$dir/deb" "${common[@]}" -DDLC_BUILD_VARIANT="Debian 12 package" >/dev/null
  ninja -C "$dir/deb" -j "${DLC_JOBS:-2}" >/dev/null
  (cd "$dir/deb" && cpack -G DEB -B "$dir/deb/cpack" >/dev/null)
  cp "$dir"/deb/cpack/dlcontainer_*.deb "$dir/out/"
}

build "$top/1"
# SHA256SUMS is written last, once every check passed: a run that fails leaves none describing other files.
rm -f "$out/SHA256SUMS"
cp "$top"/1/out/* "$out/"
tarball=dlcontainer-$version-linux-x64.tar.gz

echo "==> lintian"
lintian --fail-on error,warning --pedantic "$out"/dlcontainer_"$version"-*_amd64.deb

echo "==> the VS Code extension with the portable server"
ext=$top/1/src/extensions/vscode
(cd "$ext" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
  npm run -s package -- --target linux-x64 --binary "$top/1/portable/stage/dlcontainer-$version-linux-x64/bin/dlcontainer" \
    -o "$out/dlcontainer-$version-linux-x64.vsix" >/dev/null)

if $twice; then
  echo "==> again, in another folder, without the compiler cache"
  CCACHE_DISABLE=1 build "$top/2"
  for f in "$tarball" "dlcontainer_$version-1_amd64.deb"; do
    a=$(sha256sum < "$top/1/out/$f" | cut -d' ' -f1)
    b=$(sha256sum < "$top/2/out/$f" | cut -d' ' -f1)
    if [ "$a" = "$b" ]; then
      echo "reproducible: $f $a"
    else
      echo "NOT reproducible: $f: $a, then $b (diffoscope $top/1/out/$f $top/2/out/$f says where)" >&2
      exit 1
    fi
  done
fi

(cd "$out" && sha256sum dlcontainer_"$version"-*_amd64.deb "$tarball" "dlcontainer-$version-linux-x64.vsix" > SHA256SUMS)
echo "==> $out (HEAD $short, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
cat "$out/SHA256SUMS"

if $test; then
  "$repo/tests/install/release.sh" "$out"
fi
