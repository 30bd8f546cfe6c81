#!/usr/bin/env bash
# The portable build beside the dynamic one, both from the same release (scripts/release.sh): the
# Debian package's /usr/bin/dlcontainer (links 11 shared libraries, loads libgit2 and libarchive when
# first needed) and the tarball's bin/dlcontainer (everything but the C library linked in). Sizes, and
# the median wall time of `--version` (process start only), `plan` of a small repository (what
# inspection remembers is warm) and `up` of a workspace whose container runs (warm), each pair side by
# side in one hyperfine run. Results: bench/results/install.{json,md}.
# Usage: bench/install.sh [DIST] [RUNS]     (DIST: default dist/; RUNS: default 30)
# DLC_BENCH_SOURCE says how DIST was made, for the results (default: scripts/release.sh's words).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dist=$(realpath "${1:-$repo/dist}")
runs=${2:-30}
out=${BENCH_OUT:-"$repo/bench/results"}
deb=$(ls "$dist"/dlcontainer_*_amd64.deb)
tarball=$(ls "$dist"/dlcontainer-*-linux-x64.tar.gz)
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >/dev/null
work=$(mktemp -d /tmp/dlc-bench-install.XXXXXX)
cleanup() {
  for id in $(docker ps -aq --filter "label=dev.dlcontainer.workspace=$work/ws"); do docker rm -f "$id" >/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

dpkg-deb -x "$deb" "$work/deb"
mkdir -p "$work/portable" && tar -xzf "$tarball" -C "$work/portable"
dynamic=$work/deb/usr/bin/dlcontainer
portable=$(ls -d "$work"/portable/dlcontainer-*/bin/dlcontainer)
export XDG_CACHE_HOME=$work/cache

mkdir -p "$work/repo" "$work/ws/.devcontainer"
printf 'torch==2.1.0\nnumpy<2\n' > "$work/repo/requirements.txt"
echo 'import torch' > "$work/repo/train.py"
git -C "$work/repo" init -q && git -C "$work/repo" add . &&
  git -C "$work/repo" -c user.name=b -c user.email=b@localhost commit -qm init
echo '{ "image": "dlc-test/python:latest", "hostRequirements": { "gpu": "optional" } }' > "$work/ws/.devcontainer/devcontainer.json"
"$repo/tests/images/build.sh" bookworm python >/dev/null
"$dynamic" up "$work/ws" >/dev/null

bench() {  # bench NAME ARGS...: both binaries, side by side
  local name=$1; shift
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$name.json" \
    -n dynamic "$dynamic $*" -n portable "$portable $*" >/dev/null
}
bench version --version
bench plan plan "$work/repo" --no-gpu --json
bench up up "$work/ws" --json

load=$(cut -d' ' -f1 /proc/loadavg)
source_note=${DLC_BENCH_SOURCE:-"Both from the same release (\`scripts/release.sh\`: RelWithDebInfo with Debian's hardening flags, stripped)"}
python3 - "$work" "$out" "$dynamic" "$portable" "$deb" "$tarball" "$runs" "$load" "$source_note" <<'PY'
import datetime, json, os, platform, statistics, subprocess, sys
work, out, dynamic, portable, deb, tarball, runs, load, source_note = sys.argv[1:]
def libs(b):
    return len([l for l in subprocess.run(["ldd", b], capture_output=True, text=True).stdout.splitlines() if "=>" in l or "ld-linux" in l])
results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "runs": int(runs),
           "load_average": float(load), "cores": os.cpu_count(), "source": source_note,
           "version": {"dynamic": subprocess.run([dynamic, "--version"], capture_output=True, text=True).stdout.strip(),
                       "portable": subprocess.run([portable, "--version"], capture_output=True, text=True).stdout.strip()},
           "size": {"dynamic": {"binary": os.path.getsize(dynamic), "package": os.path.getsize(deb), "libraries_at_start": libs(dynamic)},
                    "portable": {"binary": os.path.getsize(portable), "package": os.path.getsize(tarball), "libraries_at_start": libs(portable)}},
           "times_ms": {}}
for name in ["version", "plan", "up"]:
    r = json.load(open(os.path.join(work, name + ".json")))["results"]
    results["times_ms"][name] = {x["command"]: {"median": round(x["median"] * 1000, 2),
                                              "p90": round(sorted(x["times"])[int(len(x["times"]) * 0.9) - 1] * 1000, 2),
                                              "mean_cpu": round((x["user"] + x["system"]) * 1000, 2)} for x in r}
os.makedirs(out, exist_ok=True)
json.dump(results, open(os.path.join(out, "install.json"), "w"), indent=2)
mib = lambda b: f"{b / 1048576:.1f} MiB"
t, s = results["times_ms"], results["size"]
label = {"version": "`--version` (process start only)", "plan": "`plan` of a small repository (warm)", "up": "`up` of a running workspace (warm)"}
rows = "\n".join(f"| {label[n]} | {t[n]['dynamic']['median']} | {t[n]['portable']['median']} | "
                 f"{t[n]['dynamic']['mean_cpu']} | {t[n]['portable']['mean_cpu']} |" for n in ["version", "plan", "up"])
md = f"""# Install benchmark: the portable build beside the dynamic one ({results['date']})

{platform.machine()}, {results['cores']} cores, load average {results['load_average']} when measured (other builds ran beside it).
{source_note}: the Debian package's binary (`{results['version']['dynamic']}`) and the portable tarball's
(`{results['version']['portable']}`). Median of {runs} runs each, 3 warm-up runs; each row's two
commands in one hyperfine run (`bench/install.sh`).

| | dynamic (.deb) | portable (.tar.gz) |
| --- | ---: | ---: |
| binary | {mib(s['dynamic']['binary'])} | {mib(s['portable']['binary'])} |
| package | {mib(s['dynamic']['package'])} (+ its 11 library packages) | {mib(s['portable']['package'])} |
| shared objects mapped at start (ldd) | {s['dynamic']['libraries_at_start']} | {s['portable']['libraries_at_start']} |

| command | dynamic median ms | portable median ms | dynamic mean CPU ms | portable mean CPU ms |
| --- | ---: | ---: | ---: | ---: |
{rows}

The dynamic binary loads libgit2 (and the 22 libraries it needs) with dlopen when `plan` first reads
a repository's HEAD and nothing remembers it; with the cache warm, as here, neither loads it.
"""
open(os.path.join(out, "install.md"), "w").write(md)
print(md)
PY
