#!/usr/bin/env bash
# Side by side, in one run: dlcontainer against docker and the devcontainer CLI on the same engine.
#   warm `up` (the workspace's container already running): dlcontainer up  vs  devcontainer up
#   `exec -- true`:  dlcontainer exec  vs  docker exec  vs  devcontainer exec
#   peak memory (max RSS) of each command
# Medians of several runs (hyperfine), written to bench/results/foundation.{json,md}.
# Usage: bench/run.sh [RUNS]   (default 20). Needs the build, dockerd, tests/images and tests/node.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
dlc="$repo/build/server/dlcontainer"
devcontainer="$repo/tests/node/node_modules/.bin/devcontainer"
out="$repo/bench/results"
mkdir -p "$out"
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine time >/dev/null
done
[ -x "$dlc" ] || { echo "build first: scripts/setup.sh"; exit 1; }
[ -x "$devcontainer" ] || (cd "$repo/tests/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
"$repo/tests/images/build.sh" bookworm python >/dev/null

work=$(mktemp -d /tmp/dlc-bench.XXXXXX)
cleanup() {
  for ws in "$work/dlc" "$work/ref"; do
    docker ps -aq --filter "label=devcontainer.local_folder=$ws" | xargs -r docker rm -f >/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
for ws in dlc ref; do
  mkdir -p "$work/$ws/.devcontainer"
  echo '{"image": "dlc-test/python:latest"}' > "$work/$ws/.devcontainer/devcontainer.json"
done
# Each tool's own workspace, brought up once so that every measured run is warm.
"$dlc" up "$work/dlc" >/dev/null 2>&1
"$devcontainer" up --workspace-folder "$work/ref" >/dev/null 2>&1
ref_id=$(docker ps -q --filter "label=devcontainer.local_folder=$work/ref")
dlc_id=$(docker ps -q --filter "label=devcontainer.local_folder=$work/dlc")

hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/up.json" \
  -n "dlcontainer up" "$dlc up $work/dlc" \
  -n "devcontainer up" "$devcontainer up --workspace-folder $work/ref" >/dev/null 2>&1
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/exec.json" \
  -n "dlcontainer exec" "$dlc exec -w $work/dlc -- true" \
  -n "docker exec" "docker exec $dlc_id true" \
  -n "devcontainer exec" "$devcontainer exec --workspace-folder $work/ref true" >/dev/null 2>&1

peak() {  # median max RSS in KiB over 5 runs
  for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p
}
python3 - "$work" "$out" "$runs" \
  "$(peak "$dlc" up "$work/dlc")" "$(peak "$devcontainer" up --workspace-folder "$work/ref")" \
  "$(peak "$dlc" exec -w "$work/dlc" -- true)" "$(peak docker exec "$dlc_id" true)" \
  "$(peak "$devcontainer" exec --workspace-folder "$work/ref" true)" \
  "$(docker version --format '{{.Server.Version}}')" "$("$devcontainer" --version)" <<'PY'
import json, statistics, sys, datetime, platform
work, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rss = dict(zip(["dlcontainer up", "devcontainer up", "dlcontainer exec", "docker exec", "devcontainer exec"],
               map(int, sys.argv[4:9])))
docker_version, devcontainer_version = sys.argv[9], sys.argv[10]
median = {}
for name in ("up", "exec"):
    for r in json.load(open(f"{work}/{name}.json"))["results"]:
        median[r["command"]] = statistics.median(r["times"]) * 1000
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {__import__('os').cpu_count()} cores",
    "engine": f"dockerd {docker_version}", "devcontainerCli": devcontainer_version, "runs": runs,
    "medianMs": {k: round(v, 2) for k, v in median.items()},
    "peakRssKiB": rss,
    "ratios": {
        "devcontainer up / dlcontainer up": round(median["devcontainer up"] / median["dlcontainer up"], 1),
        "devcontainer exec / dlcontainer exec": round(median["devcontainer exec"] / median["dlcontainer exec"], 1),
        "dlcontainer exec / docker exec": round(median["dlcontainer exec"] / median["docker exec"], 2),
    },
}
json.dump(res, open(f"{out}/foundation.json", "w"), indent=2)
lines = [f"# Foundation benchmark ({res['date']})", "",
         f"{res['machine']}; {res['engine']}; devcontainer CLI {devcontainer_version}; median of {runs} runs each.", "",
         "| command | median ms | peak RSS MiB |", "| --- | ---: | ---: |"]
for k in rss:
    lines.append(f"| {k} | {median[k]:.1f} | {rss[k] / 1024:.1f} |")
lines += ["", "| ratio | value |", "| --- | ---: |"] + [f"| {k} | {v} |" for k, v in res["ratios"].items()]
open(f"{out}/foundation.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
