#!/usr/bin/env bash
# Fuzzes the RPC frame reader and dispatcher (tests/fuzz/rpc_fuzz.cpp) for a bounded time with libFuzzer,
# ASan and UBSan, starting from the committed seed corpus. New inputs go to a scratch copy, so the seeds
# stay as committed; a crash leaves its input in bench/../build-fuzz/crashes/ and fails the script.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60). Needs clang and libclang-rt (Debian: clang, libclang-rt-14-dev).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build="$repo/build-fuzz"
export CCACHE_DIR=${CCACHE_DIR:-$repo/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo}
CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLC_FUZZ=ON >/dev/null
ninja -C "$build" -j "${JOBS:-2}" rpc_fuzz >/dev/null
work="$build/corpus"
rm -rf "$work" && mkdir -p "$work" "$build/crashes"
cp "$repo"/tests/fuzz/corpus/rpc/* "$work"/
echo "==> fuzzing the RPC frame reader and dispatcher for ${seconds}s"
"$build/tests/rpc_fuzz" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/crashes/" -print_final_stats=1 "$work" 2>&1 | tail -n 25
echo "==> no crash in ${seconds}s"
