#!/usr/bin/env bash
# A hundred workspaces on one engine (a lab server with a team on it): `dlcontainer up` of N workspaces
# from a small local image, then eight clients of `dlcontainer serve` asking workspace/status and
# workspace/list, with the event-fed cache and without it (--no-events: the engine every time); the
# server's resident memory; and the CLI's `dlcontainer list` beside `docker ps` of the same containers.
# Medians of RUNS runs, written to bench/results/many.{json,md}. Every container it made is removed.
# Usage: bench/many.sh [WORKSPACES] [RUNS] [REQUESTS]   (default 100, 3, 8000 per scenario).
# DLC_BENCH_PARSE_ALL=1: the clients parse every answer to check it (as before 2026-12-05's change), instead
# of comparing it with the answers they have checked already.
# Needs the build (dlcontainer, dlc_many_bench), dockerd and tests/images. DLC_BASELINE=/path/to/another/
# dlcontainer serves the same load in the same run, each run alternating the two (an earlier build, to
# show a change on a machine whose load moves).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-100}
runs=${2:-3}
requests=${3:-8000}
dlc="$repo/build/server/dlcontainer"
bench="$repo/build/bench/dlc_many_bench"
out="$repo/bench/results"
mkdir -p "$out"
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >/dev/null
[ -x "$dlc" ] && [ -x "$bench" ] || { echo "build first: scripts/setup.sh (or ninja -C build dlcontainer dlc_many_bench)"; exit 1; }
"$repo/tests/images/build.sh" bookworm >/dev/null

work=$(mktemp -d /tmp/dlc-many-bench.XXXXXX)
# Ours are the containers whose folder label is under $work: found by it, whatever else runs here.
ours() {
  docker ps -a --filter label=devcontainer.local_folder --format '{{.ID}} {{.Label "devcontainer.local_folder"}}' |
    awk -v w="$work/" 'index($2, w) == 1 { print $1 }'
}
cleanup() {
  ours | xargs -r docker rm -f >/dev/null 2>&1 || true
  left=$(ours | wc -l)
  [ "$left" -eq 0 ] || echo "bench/many.sh: $left container(s) could not be removed" >&2
  rm -rf "$work"
}
trap cleanup EXIT
for i in $(seq -w 1 "$count"); do
  mkdir -p "$work/ws-$i/.devcontainer"
  echo '{"image": "dlc-test/bookworm:latest"}' > "$work/ws-$i/.devcontainer/devcontainer.json"
  touch -d '1 minute ago' "$work/ws-$i/.devcontainer/devcontainer.json"  # settled, as a real repo's is
  echo "$work/ws-$i" >> "$work/workspaces"
done
started=$(date +%s)
# Two at a time: the machine has two cores, and a daemon busy creating is the same daemon measured next.
xargs -P 2 -I{} sh -c '"$1" up "$2" >/dev/null 2>&1 || { echo "up failed for $2" >&2; exit 255; }' _ "$dlc" {} < "$work/workspaces"
echo "$count workspaces up in $(( $(date +%s) - started )) s" >&2
[ "$(ours | wc -l)" -eq "$count" ] || { echo "expected $count containers, found $(ours | wc -l)"; exit 1; }

for r in $(seq 1 "$runs"); do
  [ -z "${DLC_BASELINE:-}" ] || "$bench" "$DLC_BASELINE" "$work/workspaces" "$requests" > "$work/base-$r.json"
  "$bench" "$dlc" "$work/workspaces" "$requests" > "$work/run-$r.json"
done
hyperfine -N --warmup 3 --runs 30 --export-json "$work/cli.json" \
  -n "dlcontainer list" "$dlc list" \
  -n "docker ps (the same containers)" "docker ps -a --filter label=devcontainer.local_folder" >/dev/null 2>&1

python3 - "$work" "$out" "$runs" "$count" "$(docker version --format '{{.Server.Version}}')" <<'PY'
import json, statistics, sys, datetime, platform, os
work, out, runs, count, engine = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
med = lambda xs: round(statistics.median(xs), 1)
def scenarios(prefix):
    r = [json.load(open(f"{work}/{prefix}-{i}.json")) for i in range(1, runs + 1)]
    scen = {}
    for k in ("status8", "list8", "status8NoEvents", "list8NoEvents"):
        scen[k] = {f: med([x[k].get(f, float("nan")) for x in r]) for f in ("p50Us", "p99Us", "maxUs", "requestsPerSecond", "serverCpuUsPerRequest", "clientCpuUsPerRequest")}
        scen[k]["requests"] = r[0][k]["requests"]
        scen[k]["clientCheck"] = r[0][k].get("clientCheck", "parse every answer")
    return r, scen
r, scen = scenarios("run")
baseline = os.environ.get("DLC_BASELINE", "")
base = scenarios("base")[1] if baseline else None
rss = {k: med([x["rssKiB"][k] for x in r]) for k in ("idle", "afterLoad", "peak")}
cli = {x["command"]: round(statistics.median(x["times"]) * 1000, 1) for x in json.load(open(f"{work}/cli.json"))["results"]}
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    "loadAverage": [round(x, 1) for x in os.getloadavg()],  # the machine may be shared: say how busy it was
    "engine": f"dockerd {engine}", "workspaces": count, "clients": 8, "runs": runs,
    "scenarios": scen, "rssKiB": rss, "cliMedianMs": cli,
    **({"baseline": {"binary": baseline, "scenarios": base}} if base else {}),
    "targets": {"p99 status, 8 clients": "< 1000 us", "p99 list, 8 clients": "< 1000 us",
                "server RSS (peak)": "< 30 MiB", "CLI list": "< 50 ms"},
}
res["met"] = {
    "p99 status < 1 ms": scen["status8"]["p99Us"] < 1000,
    "p99 list < 1 ms": scen["list8"]["p99Us"] < 1000,
    "peak RSS < 30 MiB": rss["peak"] < 30 * 1024,
    "CLI list < 50 ms": cli["dlcontainer list"] < 50,
}
json.dump(res, open(f"{out}/many.json", "w"), indent=2)
names = {"status8": "workspace/status, event-fed cache", "list8": "workspace/list, event-fed cache",
         "status8NoEvents": "workspace/status, --no-events (engine every time)",
         "list8NoEvents": "workspace/list, --no-events (engine every time)"}
lines = [f"# Many workspaces ({res['date']})", "",
         f"{res['machine']} (load average {', '.join(map(str, res['loadAverage']))} when written); {res['engine']}. {count} workspaces (`dlcontainer up` of dlc-test/bookworm), "
         f"8 clients of `dlcontainer serve --socket`, each sequential; status cycles through every workspace. "
         f"Medians of {runs} runs." + (f" Baseline: `{baseline}` (an earlier build), run before this build in each run." if base else ""), "",
         f"The clients check every answer ({scen['status8']['clientCheck']}; DLC_BENCH_PARSE_ALL=1 parses every one).", "",
         "| scenario | requests | req/s | p50 µs | p99 µs | max µs | server CPU µs/request | clients' CPU µs/request |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for k, label in names.items():
    for who, sc in (("", scen), (" (baseline)", base)):
        if sc is None: continue
        s = sc[k]
        lines.append(f"| {label}{who} | {s['requests']} | {s['requestsPerSecond']:.0f} | {s['p50Us']} | {s['p99Us']} | {s['maxUs']} | {s['serverCpuUsPerRequest']} | {s['clientCpuUsPerRequest']} |")
lines += ["", "| server memory | MiB |", "| --- | ---: |",
          f"| idle (cache warm) | {rss['idle'] / 1024:.1f} |", f"| after the load | {rss['afterLoad'] / 1024:.1f} |",
          f"| peak | {rss['peak'] / 1024:.1f} |", "",
          "| command (median of 30) | ms |", "| --- | ---: |"] + [f"| `{k}` | {v} |" for k, v in cli.items()]
lines += ["", "Targets: " + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in res["met"].items()) + "."]
open(f"{out}/many.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
