#!/usr/bin/env bash
# The Debian package as a user installs it: `apt-get install ./dlcontainer_*.deb` in a fresh Debian 12
# container (dlc-test/bookworm: debootstrap's minbase, no compiler, no -dev packages), which must
# bring every library the binary needs; then --version, doctor, plan, up and exec against this host's
# engine through the mounted socket; then `apt-get purge` leaves none of the package's files.
# Usage: tests/install/deb.sh PACKAGE.deb
#        tests/install/deb.sh --build BUILD_DIR   (makes the package from that build with cpack first)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

if [ "${1:-}" = --build ]; then
  build=$(realpath "${2:?usage: deb.sh --build BUILD_DIR}")
  (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
  deb=$(ls "$work"/cpack/dlcontainer_*.deb)
else
  deb=$(realpath "${1:?usage: deb.sh PACKAGE.deb | --build BUILD_DIR}")
fi
version=$(dpkg-deb -f "$deb" Version)
echo "package: $deb ($version)"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
cp "$deb" "$work/"
deb=$work/$(basename "$deb")
make_fixtures

start_container dlc-test/bookworm:latest --network host
check "the container has no compiler (a user's machine, not a build machine)" in_container sh -c '! command -v cc && ! command -v c++'
in_container sh -c 'apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1"' _ "$deb" >"$work/apt.log" 2>&1
check "apt-get install ./$(basename "$deb") brings what it depends on (no recommends)" \
  in_container sh -c 'dpkg-query -W -f="\${Status}" dlcontainer 2>/dev/null | grep -qx "install ok installed"' || tail -20 "$work/apt.log"
in_container dpkg -L dlcontainer > "$work/files.txt"
check "the package installs bin/dlcontainer, its agent, man page and completions" grep -qx /usr/lib/dlcontainer/dlcontainer-agent "$work/files.txt"
for f in /usr/bin/dlcontainer /usr/share/man/man1/dlcontainer.1.gz /usr/share/bash-completion/completions/dlcontainer \
  /usr/share/zsh/vendor-completions/_dlcontainer /usr/share/fish/vendor_completions.d/dlcontainer.fish /usr/share/doc/dlcontainer/copyright; do
  grep -qx "$f" "$work/files.txt" || fail "the package lacks $f"
done
check "every library the binary links is installed (ldd finds all)" in_container sh -c '! ldd /usr/bin/dlcontainer | grep -q "not found"'
# What it loads with dlopen when first used (libgit2, libarchive, libcurl): ldd does not see them, so
# the package's Depends must bring them; the build lists the ones it was given SONAMEs of.
if [ "${1:-}" = --build ]; then
  while read -r lib; do
    [ -n "$lib" ] || continue
    soname=$(objdump -p "$lib" | sed -n 's/^ *SONAME *//p')
    # docker exec -i would read the rest of the list: its stdin is /dev/null.
    check "$soname, loaded when first used, is installed" in_container sh -c 'ldconfig -p | grep -q "^[[:space:]]*$1 "' _ "$soname" </dev/null
  done < "$build/server/dlopen-libraries.txt"
fi

user_checks /usr/bin/dlcontainer "${version%-*}"

in_container sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q dlcontainer' >"$work/purge.log" 2>&1
# What is still there of what the package listed, except folders that other packages own too.
left=$(in_container sh -c 'while read -r f; do
  [ "$f" = /. ] && continue
  [ -e "$f" ] || [ -L "$f" ] || continue
  [ -d "$f" ] && [ ! -L "$f" ] && dpkg -S "$f" >/dev/null 2>&1 && continue
  echo "$f"
done' < "$work/files.txt")
check "apt-get purge leaves none of the $(wc -l < "$work/files.txt") paths dpkg -L listed${left:+: $left}" test -z "$left"

echo "$failures failed"
[ "$failures" -eq 0 ]
