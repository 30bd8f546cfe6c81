#!/usr/bin/env bash
# The artifacts of scripts/release.sh installed as users would: lintian on the package, the package
# with apt in bare Debian 12, the portable tarball in bare Debian 12 and Debian 11 (glibc 2.31).
# scripts/release.sh --test runs it; so does scripts/test.sh with DLC_RELEASE=1.
# Usage: tests/install/release.sh DIST
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist=$(realpath "${1:?usage: release.sh DIST}")
deb=$(ls "$dist"/dlcontainer_*_amd64.deb)
tarball=$(ls "$dist"/dlcontainer-*-linux-x64.tar.gz)
"$repo/tests/images/build.sh" bookworm python
"$here/bullseye-image.sh"
status=0
run() { echo "==> $*"; "$@" || status=1; }
run lintian --fail-on error,warning --pedantic "$deb"
run "$here/deb.sh" "$deb"
run "$here/portable.sh" "$tarball" dlc-test/bookworm:latest
run "$here/portable.sh" "$tarball" dlc-test/bullseye:latest
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) && echo "ok: SHA256SUMS" || { echo "FAILED: SHA256SUMS"; status=1; }
exit $status
