#!/usr/bin/env bash
# The long fuzz run: each target (tests/fuzz/*_fuzz.cpp) under libFuzzer with ASan and UBSan, for SECONDS
# each, from its committed seed corpus. New inputs go to a scratch copy, so the seeds stay as committed;
# a crash leaves its input in build-fuzz/crashes/<target>/ and fails the script. The short run of the
# same targets is part of every test run (ctest -L fuzz: corpus and mutations, without libFuzzer).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 60 s; all targets). JOBS=2 to build faster.
# Needs clang and libclang-rt (Debian: clang, libclang-rt-14-dev; scripts/setup.sh installs them).
# docs/reliability.md records the runs (10 minutes per target) and what they found.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rpc_fuzz rpc_message_fuzz requirements_fuzz environment_fuzz devcontainer_fuzz engine_http_fuzz agent_mux_fuzz)
fi
declare -A corpus=([rpc_fuzz]=rpc [rpc_message_fuzz]=rpc_message [requirements_fuzz]=requirements [environment_fuzz]=environment [devcontainer_fuzz]=devcontainer [engine_http_fuzz]=engine_http [agent_mux_fuzz]=agent_mux)
build="$repo/build-fuzz"
export CCACHE_DIR=${CCACHE_DIR:-$repo/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo}
CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLC_FUZZ=ON >/dev/null
ninja -C "$build" -j "${JOBS:-2}" "${targets[@]}" >/dev/null
failed=0
for target in "${targets[@]}"; do
  seeds=${corpus[$target]:?"no corpus known for $target"}
  work="$build/corpus/$target"
  crashes="$build/crashes/$target"
  rm -rf "$work" && mkdir -p "$work" "$crashes"
  cp "$repo/tests/fuzz/corpus/$seeds"/* "$work"/
  echo "==> $target for ${seconds}s from tests/fuzz/corpus/$seeds ($(ls "$work" | wc -l) seeds)"
  start=$(date +%s)
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$crashes/" -print_final_stats=1 "$work" >"$build/$target.log" 2>&1; then
    status=clean
  else
    status="FAILED (see $build/$target.log and $crashes/)"
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$build/$target.log" | tail -1 || true)
  echo "    $status: $runs runs in $(( $(date +%s) - start ))s, $cov, corpus $(ls "$work" | wc -l) inputs"
  tail -n 3 "$build/$target.log" | sed 's/^/    /'
done
exit $failed
