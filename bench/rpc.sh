#!/usr/bin/env bash
# dlcontainer serve under load: workspace/status over stdio (1 client, and 8 requests in flight) and over
# the unix socket (1 and 8 clients), with the event-fed status cache warm, and once over stdio without it
# (--no-events) for comparison; requests/s, p50/p99 latency, and the server's resident memory idle, after
# the load and at its peak. Writes bench/results/rpc.{json,md}.
# Usage: bench/rpc.sh [REQUESTS]   (default 20000 per scenario). Needs the build, dockerd and tests/images.
# DLC_BASELINE=/path/to/another/dlcontainer serves the same load first in the same run (an earlier build,
# to show a change on a machine whose load moves).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
requests=${1:-20000}
dlc="$repo/build/server/dlcontainer"
bench="$repo/build/bench/dlc_rpc_bench"
out="$repo/bench/results"
mkdir -p "$out"
[ -x "$dlc" ] && [ -x "$bench" ] || { echo "build first: scripts/setup.sh (or ninja -C build dlcontainer dlc_rpc_bench)"; exit 1; }
"$repo/tests/images/build.sh" bookworm python >/dev/null

work=$(mktemp -d /tmp/dlc-rpc-bench.XXXXXX)
cleanup() {
  "$dlc" down --remove "$work/ws" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ws/.devcontainer"
echo '{"image": "dlc-test/python:latest"}' > "$work/ws/.devcontainer/devcontainer.json"
touch -d '1 minute ago' "$work/ws/.devcontainer/devcontainer.json"  # settled, as a real repo's is
"$dlc" up "$work/ws" >/dev/null 2>&1

[ -z "${DLC_BASELINE:-}" ] || "$bench" "$DLC_BASELINE" "$work/ws" "$requests" > "$work/base.json"
"$bench" "$dlc" "$work/ws" "$requests" > "$work/rpc.json"
python3 - "$work/rpc.json" "$out" "$(docker version --format '{{.Server.Version}}')" "$work/base.json" <<'PY'
import json, sys, datetime, platform, os
r = json.load(open(sys.argv[1]))
out, engine = sys.argv[2], sys.argv[3]
baseline = os.environ.get("DLC_BASELINE", "")
base = json.load(open(sys.argv[4])) if baseline else None
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    "engine": f"dockerd {engine}",
    "scenarios": {k: v for k, v in r.items() if k != "rssKiB"},
    "rssKiB": r["rssKiB"],
    "loadAverage": [round(x, 1) for x in os.getloadavg()],
    **({"baseline": {"binary": baseline, "scenarios": {k: v for k, v in base.items() if k != "rssKiB"}, "rssKiB": base["rssKiB"]}} if base else {}),
    "targets": {"p99 workspace/status, warm cache, stdio, 1 client": "< 1000 us", "idle RSS": "< 15 MiB"},
}
res["met"] = {
    "p99 < 1 ms": r["stdio1"]["p99Us"] < 1000,
    "idle RSS < 15 MiB": r["rssKiB"]["idle"] < 15 * 1024,
}
json.dump(res, open(f"{out}/rpc.json", "w"), indent=2)
names = {"stdio1": "stdio, 1 client", "stdio8": "stdio, 8 requests in flight", "socket1": "socket, 1 client",
         "socket8": "socket, 8 clients", "stdio1NoCache": "stdio, 1 client, --no-events (engine every time)"}
lines = [f"# RPC benchmark ({res['date']})", "",
         f"{res['machine']} (load average {', '.join(map(str, res['loadAverage']))} when written); {res['engine']}. "
         f"`workspace/status` of one running workspace, timed from write to response."
         + (f" Baseline: `{baseline}` (an earlier build), run before this build." if base else ""), "",
         "| scenario | requests | req/s | p50 µs | p99 µs | max µs |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
for k, label in names.items():
    for who, run in (("", r), (" (baseline)", base)):
        if run is None: continue
        s = run[k]
        lines.append(f"| {label}{who} | {s['requests']} | {s['requestsPerSecond']:.0f} | {s['p50Us']} | {s['p99Us']} | {s['maxUs']} |")
m = r["rssKiB"]
lines += ["", "| server memory | MiB |", "| --- | ---: |",
          f"| idle (initialized, cache warm) | {m['idle'] / 1024:.1f} |",
          f"| after the stdio load | {m['afterLoad'] / 1024:.1f} |",
          f"| peak (stdio) | {m['peak'] / 1024:.1f} |",
          f"| peak (socket, 8 clients) | {m['socketPeak8Clients'] / 1024:.1f} |", "",
          f"Targets: p99 < 1 ms with a warm cache: {'met' if res['met']['p99 < 1 ms'] else 'NOT met'}; "
          f"idle RSS < 15 MiB: {'met' if res['met']['idle RSS < 15 MiB'] else 'NOT met'}."]
open(f"{out}/rpc.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
