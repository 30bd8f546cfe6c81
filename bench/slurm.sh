#!/usr/bin/env bash
# Time from `up --slurm` to a command in the container on an idle cluster, split into the scheduler's
# wait, Podman's start in the job and dlcontainer's own time, beside the same container run by hand
# with srun + podman. The cluster is the integration tests' own single-node one (slurmctld, slurmd and
# munge from Debian, started and removed by the run; tests/integration/slurm_support.h), so the
# scheduler's wait is its floor (an idle node), not a real cluster's queue.
# Results: bench/results/slurm.{json,md}. Usage: bench/slurm.sh [RUNS]   (as root; default 5)
# DLC_BENCH_BASELINE=/path/to/an/older/dlcontainer measures that build too, run for run, in the same cluster.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-"$repo/bench/results"}
build=${BUILD:-"$repo/build"}
"$repo/tests/images/build.sh" python >/dev/null
DLC_BENCH_RUNS=${1:-5} DLC_BENCH_OUT="$out/slurm.json" "$build/tests/dlc_integration_tests" \
  --gtest_also_run_disabled_tests --gtest_filter='SlurmBench.*UpToAShell*'
# The srun steps of one up (this build's, and the baseline's when given), in a process of its own: run
# after the first in one process, its cluster's `up` found no image in the new user's Podman storage
# (not investigated; each test alone passes).
"$build/tests/dlc_integration_tests" --gtest_also_run_disabled_tests --gtest_filter='SlurmBench.*TheSrunSteps*' \
  | grep -E 'srun steps|^[0-9.]+ start' > "$out/slurm-steps.txt" || true
python3 - "$out/slurm.json" "$out/slurm.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["median"]
b = r.get("baseline", {}).get("median")
rows = [("scheduler wait (submitted → running)", "scheduler"), ("Podman start in the job (running → API answers via srun)", "podman_start"),
        ("dlcontainer's own (sbatch, probes, container, exec)", "dlcontainer"), ("**`up --slurm` to `exec true`, total**", "total"),
        ("by hand: `srun --gres=gpu:1 podman run --rm IMAGE true`", "by_hand")]
with open(sys.argv[2], "w") as f:
    f.write(f"# up --slurm to a shell ({r['runs']} runs, medians, ms; {r['cluster']})\n\n")
    if b:
        f.write(f"| | this build | baseline ({r['baseline']['binary']}) |\n| --- | ---: | ---: |\n")
        for label, key in rows:
            f.write(f"| {label} | {m[key]:.0f} | {b[key]:.0f} |\n" if key in b else f"| {label} | {m[key]:.0f} | |\n")
    else:
        f.write("| | ms |\n| --- | ---: |\n")
        for label, key in rows:
            f.write(f"| {label} | {m[key]:.0f} |\n")
PY
cat "$out/slurm.md"
