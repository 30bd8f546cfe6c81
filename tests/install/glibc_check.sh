#!/usr/bin/env bash
# packaging/portable/check_glibc.cmake, which the portable build runs after each link, tells a binary
# that asks for a newer glibc than its limit: this build's dlcontainer (linked against Debian 12's
# glibc 2.36, so it asks for GLIBC_2.34's __libc_start_main at least) fails the 2.31 limit, naming the
# symbols, and passes a limit above what it asks for. The portable build itself is made and run by
# scripts/release.sh (DLC_RELEASE=1); this keeps its guard tested by the default suite.
# Usage: tests/install/glibc_check.sh BUILD_DIR      (ctest runs it as install_portable_glibc_check)
set -uo pipefail
build=$(realpath "${1:?usage: glibc_check.sh BUILD_DIR}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
check=$repo/packaging/portable/check_glibc.cmake
dlc=$build/server/dlcontainer
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

newest=$(objdump -T "$dlc" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
echo "this build's dlcontainer asks for glibc up to $newest"

out=$(cmake -DBINARY="$dlc" -DMAX_GLIBC=2.31 -P "$check" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "needs glibc newer than 2.31" <<<"$out" && grep -q "GLIBC_$newest" <<<"$out"; then
  ok "a binary asking for glibc $newest fails the 2.31 limit, and the symbols are named"
else
  fail "check_glibc.cmake with MAX_GLIBC=2.31 (exit $rc): $out"
fi

out=$(cmake -DBINARY="$dlc" -DMAX_GLIBC="$newest" -P "$check" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "the same binary passes a limit of $newest"; else fail "check_glibc.cmake with MAX_GLIBC=$newest (exit $rc): $out"; fi

out=$(cmake -DBINARY=/nonexistent/dlcontainer -DMAX_GLIBC=2.31 -P "$check" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "objdump -T /nonexistent/dlcontainer failed" <<<"$out"; then
  ok "a binary objdump cannot read fails the check (it does not pass unseen)"
else
  fail "check_glibc.cmake on a missing file (exit $rc): $out"
fi

echo "$failures failed"
[ $failures -eq 0 ]
