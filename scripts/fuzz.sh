#!/usr/bin/env bash
# Fuzzes one target of tests/fuzz for a bounded time with libFuzzer, ASan and UBSan, starting from the
# committed seed corpus tests/fuzz/corpus/TARGET. New inputs go to a scratch copy, so the seeds stay as
# committed; a crash leaves its input in build-fuzz/crashes/ and fails the script.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET]   (default 60 s, rpc; devcontainer, requirements, environment).
# Needs clang and libclang-rt (Debian: clang, libclang-rt-14-dev).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
target=${2:-rpc}
build="$repo/build-fuzz"
export CCACHE_DIR=${CCACHE_DIR:-$repo/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo}
CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLC_FUZZ=ON >/dev/null
ninja -C "$build" -j "${JOBS:-2}" "${target}_fuzz" >/dev/null
work="$build/corpus-$target"
rm -rf "$work" && mkdir -p "$work" "$build/crashes"
cp "$repo"/tests/fuzz/corpus/"$target"/* "$work"/
echo "==> fuzzing $target for ${seconds}s"
"$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/crashes/" -print_final_stats=1 "$work" 2>&1 | tail -n 25
echo "==> no crash in ${seconds}s"
