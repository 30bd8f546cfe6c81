#!/usr/bin/env bash
# The portable tarball as a user installs it: checked against its .sha256, unpacked into /opt in a
# bare container (no network, nothing installed but what debootstrap's minbase has), linked into
# /usr/local/bin, then --version, doctor, plan, up and exec against this host's engine through the
# mounted socket. Run in Debian 12 and in Debian 11 (glibc 2.31, the oldest the build supports).
# Usage: tests/install/portable.sh TARBALL [IMAGE]     (IMAGE: default dlc-test/bookworm:latest)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
tarball=$(realpath "${1:?usage: portable.sh TARBALL [IMAGE]}")
image=${2:-dlc-test/bookworm:latest}
name=$(basename "$tarball" .tar.gz)
version=$(sed -n 's/^dlcontainer-\([0-9.]*\)-linux-x64$/\1/p' <<<"$name")

check "$(basename "$tarball") matches its .sha256" sh -c 'cd "$(dirname "$1")" && sha256sum --quiet -c "$(basename "$1").sha256"' _ "$tarball"
make_fixtures
cp "$tarball" "$work/"
# No network: nothing can be fetched; the engine is reached through its socket.
start_container "$image" --network none
echo "in $image: $(in_container sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), $(in_container ldd --version | head -1)"
in_container tar -xzf "$work/$(basename "$tarball")" -C /opt
in_container ln -s "/opt/$name/bin/dlcontainer" /usr/local/bin/dlcontainer
check "the binary links nothing but the C library and libgcc_s: $(in_container ldd "/opt/$name/bin/dlcontainer" | awk '{print $1}' | tr '\n' ' ')" \
  sh -c "! docker exec '$container' ldd '/opt/$name/bin/dlcontainer' | grep -Ev '^\s*(linux-vdso|/lib64/ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libgcc_s)\.so' | grep -q ."
check "the agent is a static program" sh -c "docker exec '$container' ldd '/opt/$name/lib/dlcontainer/dlcontainer-agent' 2>&1 | grep -q 'not a dynamic executable'"
check "--version says it is the portable build" sh -c "docker exec '$container' dlcontainer --version | grep -q 'portable linux-x64'"
user_checks dlcontainer "$version"

echo "$failures failed"
[ "$failures" -eq 0 ]
