#!/usr/bin/env bash
# Packs what a GPU host without Docker and without network needs from here: the Docker engine
# (../shared/gpu-host/pack-engine.sh) and the dlcontainer binary with the libraries it links (all but
# the C library and the C++ runtime, which the host has newer), and the agent it injects into containers. Both land in .engine/, which git ignores;
# carry that folder with the working tree and run tests/gpu/run.sh there (and tests/gpu/remote.sh, for
# which OpenSSH's server and client are packed too). About 58 MB in all.
# Usage: tests/gpu/pack.sh        (builds dlcontainer first when build/ exists)
#        tests/gpu/pack.sh --portable [TARBALL]
#   packs the portable build alone (docs/install.md: glibc >= 2.31, nothing linked but the C library),
#   no libraries beside it: TARBALL (dist/dlcontainer-*-linux-x64.tar.gz from scripts/release.sh), else
#   build-portable/ (made or brought up to date with packaging/portable/build.sh). Same
#   .engine/dlcontainer.tar.xz layout (bin/dlcontainer, lib/dlcontainer/dlcontainer-agent, COMMIT), so
#   tests/gpu/run.sh runs it as before.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mkdir -p .engine
portable=false
tarball=
if [ "${1:-}" = --portable ]; then
  portable=true
  tarball=${2:+$(realpath "$2")}
fi

engine_pack=${DLC_PACK_ENGINE:-/work/shared/gpu-host/pack-engine.sh}
if [ ! -s .engine/engine.tar.xz ]; then
  [ -x "$engine_pack" ] || { echo "pack-engine.sh not found at $engine_pack (set DLC_PACK_ENGINE)" >&2; exit 1; }
  "$engine_pack" .engine/engine.tar.xz
fi

if $portable; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if [ -n "$tarball" ]; then
    tar -xzf "$tarball" -C "$work"
    tree=$(ls -d "$work"/dlcontainer-*-linux-x64)
  else
    CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} packaging/portable/build.sh "$repo/build-portable" >/dev/null
    tree=$work/dlcontainer
    cmake --install build-portable --prefix "$tree" --strip >/dev/null
  fi
  "$tree/bin/dlcontainer" --version | grep -q 'portable linux-x64' || { echo "$tree/bin/dlcontainer is not the portable build" >&2; exit 1; }
  mkdir -p "$work/pack/bin" "$work/pack/lib/dlcontainer"
  cp "$tree/bin/dlcontainer" "$work/pack/bin/"
  cp "$tree/lib/dlcontainer/dlcontainer-agent" "$work/pack/lib/dlcontainer/"
  "$tree/bin/dlcontainer" --version | sed -n 's/.*(commit \([^,]*\),.*/\1/p' > "$work/pack/COMMIT"
  tar -C "$work/pack" -cf - . | xz -T2 -6 > .engine/dlcontainer.tar.xz
  ls -l .engine/
  du -sh .engine
  exit 0
fi

if [ -f build/build.ninja ]; then
  CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} ninja -C build -j2 dlcontainer dlcontainer-agent >/dev/null
fi
bin=build/server/dlcontainer
[ -x "$bin" ] || { echo "no $bin: build the project first (README: cmake + ninja)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/libs"
cp "$bin" "$work/bin/dlcontainer.real"
strip --strip-debug "$work/bin/dlcontainer.real"
# The static agent that services inject into containers is found beside the program.
cp build/server/dlcontainer-agent "$work/bin/"
# What the binary links, and what it loads with dlopen when first needed (libgit2, libarchive: listed
# by CMake in build/server/dlopen-libraries.txt) with what those link.
{
  ldd "$bin"
  while read -r lib; do
    [ -n "$lib" ] || continue
    echo "$(basename "$lib") => $(readlink -f "$lib") (dlopen)"
    ldd "$lib"
  done < build/server/dlopen-libraries.txt
} | awk '/=>/ {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*) continue ;;
  esac
  cp -L "$lib" "$work/libs/"
done
# libarchive links libxml2 (for the xar format only), which links ICU, whose data library is 31 MB:
# more than half of what may travel to the GPU host (64 MiB with the engine). dlcontainer never reads
# xar archives, so ICU's data is never opened; a stand-in that only answers the symbol the loader
# needs keeps the carry small. Were ICU's data ever asked for, ICU reports its data as missing
# (U_INVALID_FORMAT_ERROR): an error, never a wrong answer.
for data in "$work"/libs/libicudata.so.*; do
  [ -e "$data" ] || continue
  name=$(basename "$data")
  symbol=$(nm -D --defined-only "$data" | awk '/icudt[0-9]+_dat/ {print $3; exit}')
  [ -n "$symbol" ] || continue
  printf 'const char %s[16] = {0};\n' "$symbol" > "$work/icudata.c"
  cc -shared -fPIC -Wl,-soname,"$name" -o "$data" "$work/icudata.c"
  rm -f "$work/icudata.c"
done
# dlopen asks for the SONAME (libgit2.so.1.5), which the copy of the real file must answer to.
while read -r lib; do
  [ -n "$lib" ] || continue
  real=$(basename "$(readlink -f "$lib")")
  soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
  [ "$real" = "$soname" ] || ln -sf "$real" "$work/libs/$soname"
done < build/server/dlopen-libraries.txt
cat > "$work/bin/dlcontainer" <<'WRAP'
#!/bin/sh
# dlcontainer with the libraries it was built against (packed by tests/gpu/pack.sh). DLC_PROGRAM tells
# it to name this wrapper, not the binary, where it writes itself into a command (ssh's ProxyCommand).
here=$(dirname "$(readlink -f "$0")")
DLC_PROGRAM="$here/dlcontainer" LD_LIBRARY_PATH="$here/../libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/dlcontainer.real" "$@"
WRAP
chmod +x "$work/bin/dlcontainer"
git rev-parse --short HEAD > "$work/COMMIT" 2>/dev/null || true
tar -C "$work" -cf - . | xz -T2 -6 > .engine/dlcontainer.tar.xz

# OpenSSH's server and client with their libraries, for the remote-engine leg (tests/gpu/remote.sh):
# the GPU host may have neither.
ssh_work=$(mktemp -d)
trap 'rm -rf "$work" "$ssh_work"' EXIT
mkdir -p "$ssh_work/bin" "$ssh_work/libs"
for prog in /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen; do
  [ -x "$prog" ] || { echo "$prog is missing here: apt-get install openssh-server openssh-client" >&2; exit 1; }
  cp "$prog" "$ssh_work/bin/"
  ldd "$prog" | awk '/=>/ {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) continue ;;
    esac
    cp -L "$lib" "$ssh_work/libs/"
  done
done
tar -C "$ssh_work" -cf - . | xz -T2 -6 > .engine/openssh.tar.xz
ls -l .engine/
du -sh .engine
