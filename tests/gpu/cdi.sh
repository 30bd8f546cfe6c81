#!/usr/bin/env bash
# `dlcontainer gpus --cdi` on a real GPU host, from the repository root:
#
#   tests/gpu/cdi.sh
#
# writes the CDI spec for this host's GPUs into a scratch file (never /etc/cdi), then checks it the
# way an engine would read it: the fields the CDI specification requires, a device per GPU (index
# and UUID) and "all", every device node it names is a character device here, every library and
# program it mounts exists and belongs to the running driver (nvidia-smi's version), and the count
# of GPUs is nvidia-smi's. It also checks that a file it did not write is never replaced.
# Prints everything; the log goes to $OUT/cdi-run.log (or /tmp/dlc-cdi-run.log). Exit 0 when valid.
#
# dlcontainer: $DLC, else build/server/dlcontainer, else .engine/dlcontainer.tar.xz (tests/gpu/pack.sh).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. tests/gpu/lib.sh
gpu_log cdi-run.log
find_dlc

echo "== host"
date -u +"%Y-%m-%dT%H:%M:%SZ"; uname -srm
command -v nvidia-smi && nvidia-smi -L
head -1 /proc/driver/nvidia/version 2>/dev/null
"$dlc" gpus || { echo "no GPU here: nothing to describe"; exit 2; }

scratch=$(mktemp -d /tmp/dlc-cdi-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
spec=$scratch/nvidia.yaml

echo "== dlcontainer gpus --cdi (stdout)"
"$dlc" gpus --cdi > "$scratch/stdout.yaml" || { echo "FAIL: gpus --cdi exited $?"; exit 1; }
head -c 3000 "$scratch/stdout.yaml"; echo

echo "== dlcontainer gpus --cdi --output $spec --json"
"$dlc" gpus --cdi --output "$spec" --json || { echo "FAIL: gpus --cdi --output exited $?"; exit 1; }
echo "== refusing to replace a file it did not write"
echo "not ours" > "$scratch/other.yaml"
if "$dlc" gpus --cdi --output "$scratch/other.yaml"; then echo "FAIL: it replaced another file"; exit 1; fi
grep -q "not ours" "$scratch/other.yaml" || { echo "FAIL: the other file changed"; exit 1; }

echo "== validating $spec"
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)
python3 - "$spec" "$driver" <<'PY'
import json, os, re, stat, sys
path, driver = sys.argv[1], sys.argv[2].strip()
text = open(path).read()
assert text.startswith("# Written by `dlcontainer gpus --cdi`"), "no header"
spec = json.loads(text[text.index("\n") + 1:])  # after the comment line: JSON
problems = []
def need(cond, what):
    if not cond: problems.append(what)
need(re.fullmatch(r"\d+\.\d+\.\d+", spec.get("cdiVersion", "")), "cdiVersion")
need(spec.get("kind") == "nvidia.com/gpu", "kind")
names = [d.get("name") for d in spec.get("devices", [])]
need("all" in names, "a device named all")
print("devices:", names)
nodes, mounts = [], []
for d in spec.get("devices", []):
    need(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", d.get("name", "")), "device name %r" % d.get("name"))
    nodes += [n["path"] for n in d.get("containerEdits", {}).get("deviceNodes", [])]
edits = spec.get("containerEdits", {})
nodes += [n["path"] for n in edits.get("deviceNodes", [])]
mounts = [m["hostPath"] for m in edits.get("mounts", [])]
for n in sorted(set(nodes)):
    ok = os.path.exists(n) and stat.S_ISCHR(os.stat(n).st_mode)
    print(("ok   " if ok else "FAIL ") + "node " + n)
    need(ok, "device node " + n)
for m in mounts:
    ok = os.path.exists(m)
    print(("ok   " if ok else "FAIL ") + "mount " + m)
    need(ok, "mounted file " + m)
    base = os.path.basename(m)
    for lib in ("libcuda.so.", "libnvidia-ml.so."):
        rest = base[len(lib):] if base.startswith(lib) else ""
        if "." in rest and driver:
            need(rest == driver, "%s is driver %s, not the running %s" % (m, rest, driver))
need(any(os.path.basename(m) == "libcuda.so.1" for m in mounts), "libcuda.so.1 mounted")
need(any(os.path.basename(m) == "libnvidia-ml.so.1" for m in mounts), "libnvidia-ml.so.1 mounted")
need(any(os.path.basename(m) == "nvidia-smi" for m in mounts), "nvidia-smi mounted")
gpus = [n for n in names if n.isdigit()]
print("gpus in the spec:", gpus)
if problems:
    print("FAIL:", *problems, sep="\n  ")
    sys.exit(1)
print("spec valid: %d devices, %d nodes, %d mounts" % (len(names), len(set(nodes)), len(mounts)))
PY
rc=$?
[ $rc -eq 0 ] || exit $rc

echo "== the number of GPUs matches nvidia-smi"
want=$(nvidia-smi -L | grep -c '^GPU ')
have=$(python3 -c "import json,sys; t=open('$spec').read(); s=json.loads(t[t.index(chr(10))+1:]); print(sum(1 for d in s['devices'] if d['name'].isdigit()))")
echo "nvidia-smi: $want, spec: $have"
[ "$want" = "$have" ] || { echo "FAIL: GPU count"; exit 1; }
echo "PASS"
