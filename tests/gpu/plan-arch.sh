#!/usr/bin/env bash
# On a host with an NVIDIA GPU, from the repository root:
#
#   tests/gpu/plan-arch.sh
#
# plans an old PyTorch 1.x repository (tests/gpu/paper-2020: torch==1.7.1) for this host, with the
# GPU's compute capability read through NVML, and prints whether the GPU can run the chosen build
# (code for its architecture, or only PTX to JIT-compile) and the way out the plan names; then the
# same for a release with code for Hopper (--framework torch==2.1.0), as the control. Nothing is
# pulled or built. Kept in $OUT/plan-arch.log (or /tmp/dlc-plan-arch.log) for docs/runs/.
# Exit status 0 when the plan read the GPU's compute capability and said what it means.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. tests/gpu/lib.sh
gpu_log plan-arch.log

step "host"
date -u +"%Y-%m-%dT%H:%M:%SZ"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=index,name,compute_cap,driver_version --format=csv
find_dlc
export XDG_CACHE_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT

step "dlcontainer plan: torch==1.7.1 on this GPU"
run "$dlc" plan tests/gpu/paper-2020
json=$("$dlc" plan tests/gpu/paper-2020 --json) || exit 1

step "what the plan says of the GPU"
verdict=$(printf '%s' "$json" | python3 -c '
import json, sys
p = json.load(sys.stdin)["plan"]
print("host:  ", p["host"])
print("image: ", p["baseImage"], "(PyTorch", p["frameworkVersion"] + ", CUDA", p["cuda"] + ")")
arch = [d for d in p["decisions"] if d["topic"] == "gpu-arch"]
if not arch:
    print("NO gpu-arch decision: the GPU'"'"'s compute capability was not read")
    sys.exit(1)
d = arch[0]
print("gpu:   ", d["choice"])
print("why:   ", d["reason"])
for c in d.get("citations", []):
    print("per:   ", c)
')
rc=$?
echo "$verdict"

step "control: --framework torch==2.1.0 (a build with sm_90 code)"
run "$dlc" plan tests/gpu/paper-2020 --framework torch==2.1.0
exit $rc
