#!/usr/bin/env bash
# Cold start with the image present: a new container each run (the previous one removed first, outside
# the timing), side by side in one run:
#   dlcontainer up      of a workspace whose devcontainer.json names the image
#   docker run -d       of the same container: the line is derived from what `dlcontainer up` made
#                       (docker inspect: name aside, the same labels, env, mounts, user, entrypoint,
#                       command, init, capabilities; bench/docker_run_of.py)
#   devcontainer up     (the reference CLI, tests/node) of an identical workspace
# Medians of interleaved runs, written to bench/results/cold.{json,md}. Every container it made is removed.
# Usage: bench/cold.sh [RUNS] [IMAGE]   (default 15, dlc-test/bookworm:latest). Needs the build, dockerd,
# tests/images and tests/node. DLC_BASELINE=/path/to/another/dlcontainer adds that binary's `up` (an
# earlier build, to show a change) in the same run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-15}
image=${2:-dlc-test/bookworm:latest}
dlc="$repo/build/server/dlcontainer"
devcontainer="$repo/tests/node/node_modules/.bin/devcontainer"
out="$repo/bench/results"
mkdir -p "$out"
[ -x "$dlc" ] || { echo "build first: scripts/setup.sh"; exit 1; }
[ -x "$devcontainer" ] || (cd "$repo/tests/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
"$repo/tests/images/build.sh" bookworm >/dev/null

work=$(mktemp -d /tmp/dlc-cold-bench.XXXXXX)
name="dlc-cold-bench-$$"
ours() {
  docker ps -a --filter label=devcontainer.local_folder --format '{{.ID}} {{.Label "devcontainer.local_folder"}}' |
    awk -v w="$work/" 'index($2, w) == 1 { print $1 }'
}
cleanup() {
  ours | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for ws in dlc ref base; do
  mkdir -p "$work/$ws/.devcontainer"
  echo "{\"image\": \"$image\"}" > "$work/$ws/.devcontainer/devcontainer.json"
done

# The docker run line, from the container dlcontainer makes.
"$dlc" up "$work/dlc" >/dev/null 2>&1
id=$(docker ps -aq --filter "label=devcontainer.local_folder=$work/dlc")
docker inspect "$id" > "$work/container.json"
docker image inspect "$image" > "$work/image.json"
python3 "$repo/bench/docker_run_of.py" "$work/container.json" "$work/image.json" "$name" > "$work/docker-run.sh"
docker rm -f "$id" >/dev/null
# The line makes a container that keeps running, as up's does (else the comparison is with less work).
sh "$work/docker-run.sh" >/dev/null
sleep 1
[ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || { echo "the docker run line's container did not keep running"; exit 1; }
docker rm -f "$name" >/dev/null

rm_dlc="docker ps -aq --filter label=devcontainer.local_folder=$work/dlc | xargs -r docker rm -f >/dev/null; docker rm -f $name >/dev/null 2>&1; true"
rm_ref="docker ps -aq --filter label=devcontainer.local_folder=$work/ref | xargs -r docker rm -f >/dev/null; true"
rm_base="docker ps -aq --filter label=devcontainer.local_folder=$work/base | xargs -r docker rm -f >/dev/null; true"
# The commands' runs interleaved, round by round (each round in another order): on a shared machine
# whose load drifts, running one command's runs together (as hyperfine does) moves the ratios.
# The shell that runs the docker line is part of its time: measured beside them, to take out.
python3 - "$work" "$runs" "${DLC_BASELINE:-}" "$dlc" "$devcontainer" "$rm_dlc" "$rm_ref" "$rm_base" <<'PY'
import json, shlex, subprocess, sys, time
work, runs, base, dlc, devc, rm_dlc, rm_ref, rm_base = sys.argv[1:9]
cmds = [("dlcontainer up", rm_dlc, f"{dlc} up {work}/dlc"),
        ("docker run -d (the same container)", rm_dlc, f"sh {work}/docker-run.sh"),
        ("devcontainer up", rm_ref, f"{devc} up --workspace-folder {work}/ref"),
        ("sh -c true", "true", "sh -c true")]
if base:
    cmds.insert(1, ("dlcontainer up (baseline)", rm_base, f"{base} up {work}/base"))
times = {name: [] for name, _, _ in cmds}
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for r in range(-2, int(runs)):  # two warm-up rounds
    k = r % len(cmds)
    for name, prepare, run in cmds[k:] + cmds[:k]:
        subprocess.run(prepare, shell=True, **quiet)
        t = time.perf_counter()
        if subprocess.run(shlex.split(run), **quiet).returncode != 0:
            sys.exit(f"{name} failed: {run}")
        if r >= 0:
            times[name].append(time.perf_counter() - t)
subprocess.run(rm_dlc + "; " + rm_ref + "; " + rm_base, shell=True, **quiet)
sh = times.pop("sh -c true")
json.dump({"results": [{"command": n, "times": t} for n, t in times.items()]}, open(f"{work}/cold.json", "w"))
json.dump({"results": [{"command": "sh -c true", "times": sh}]}, open(f"{work}/sh.json", "w"))
PY

python3 - "$work" "$out" "$runs" "$image" "$(docker version --format '{{.Server.Version}}')" "$("$devcontainer" --version)" <<'PY'
import json, statistics, sys, datetime, platform, os
work, out, runs, image, engine, devc = sys.argv[1:7]
med = {r["command"]: statistics.median(r["times"]) * 1000 for r in json.load(open(f"{work}/cold.json"))["results"]}
sh = statistics.median(json.load(open(f"{work}/sh.json"))["results"][0]["times"]) * 1000
docker = med["docker run -d (the same container)"] - sh
dlc, ref = med["dlcontainer up"], med["devcontainer up"]
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    "loadAverage": [round(x, 1) for x in os.getloadavg()],  # the machine may be shared: say how busy it was
    "engine": f"dockerd {engine}", "devcontainerCli": devc, "image": image, "runs": int(runs),
    "medianMs": {"dlcontainer up": round(dlc, 1), "docker run -d": round(docker, 1), "devcontainer up": round(ref, 1),
                 **({"dlcontainer up (baseline: " + os.environ["DLC_BASELINE"] + ")": round(med["dlcontainer up (baseline)"], 1)}
                    if "dlcontainer up (baseline)" in med else {})},
    "dockerRunLine": open(f"{work}/docker-run.sh").read().strip(),
    "ratios": {"dlcontainer up / docker run -d": round(dlc / docker, 2), "devcontainer up / dlcontainer up": round(ref / dlc, 1)},
}
res["met"] = {"<= 1.1x docker run": dlc / docker <= 1.1, ">= 10x faster than devcontainer up": ref / dlc >= 10}
json.dump(res, open(f"{out}/cold.json", "w"), indent=2)
lines = [f"# Cold start, image present ({res['date']})", "",
         f"{res['machine']} (load average {', '.join(map(str, res['loadAverage']))} when written); {res['engine']}; devcontainer CLI {devc}; `{image}`; a new container every run "
         f"(the last one removed outside the timing); median of {runs} runs each.", "",
         "| command | median ms |", "| --- | ---: |"] + [f"| {k} | {v} |" for k, v in res["medianMs"].items()]
lines += ["", "| ratio | value |", "| --- | ---: |"] + [f"| {k} | {v} |" for k, v in res["ratios"].items()]
lines += ["", "`docker run -d` is the line derived from the container `dlcontainer up` made (bench/docker_run_of.py), "
          f"less the {sh:.1f} ms of the `sh` that runs it:", "", "```", res["dockerRunLine"], "```", "",
          "Targets: " + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in res["met"].items()) + "."]
open(f"{out}/cold.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
