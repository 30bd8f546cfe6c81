#!/usr/bin/env bash
# Forwarded ports (one agent session per container: services/agent_session.h) against a published one,
# in one run on the same engine, container and server (tests/integration/mux_server.py, on the
# container's loopback for the forwards, on its interface for the published port): a forward on its
# direct lane (services/direct_lane.h) and one kept on the exec stream (DLC_FORWARD_LANE=stream) side by
# side: new-connection latency, 256 MiB each way, 64 connections at once, and each forwarding process's
# memory over 10,000 connections. Also an exec per connection (what a forward cost before sessions).
# Medians, written to bench/results/forward.{json,md}.
# Usage: bench/forward.sh [RUNS]   (bulk runs, default 5). Needs the build, dockerd and tests/images (python).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build=${DLC_BUILD:-$repo/build}
dlc="$build/server/dlcontainer"
bench="$build/bench/dlc_forward_bench"
out="$repo/bench/results"
mkdir -p "$out"
[ -x "$dlc" ] && [ -x "$bench" ] || { echo "build first: ninja -C build dlcontainer dlc_forward_bench"; exit 1; }
docker image inspect dlc-test/python:latest >/dev/null 2>&1 || "$repo/tests/images/build.sh" bookworm python >/dev/null

work=$(mktemp -d /tmp/dlc-bench-forward.XXXXXX)
cleanup() {
  "$dlc" forward -w "$work/ws" 9100 --stop >/dev/null 2>&1 || true
  "$dlc" forward -w "$work/ws" 9101 --stop >/dev/null 2>&1 || true
  docker ps -aq --filter "label=dev.dlcontainer.workspace=$work/ws" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ws/.devcontainer"
cp "$repo/tests/integration/mux_server.py" "$work/ws/"
published=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/ws/.devcontainer/devcontainer.json" <<JSON
{"image": "dlc-test/python:latest", "forwardPorts": [$published]}
JSON
"$dlc" up "$work/ws" >/dev/null 2>&1
id=$(docker ps -q --no-trunc --filter "label=dev.dlcontainer.workspace=$work/ws")
docker exec -d "$id" python3 /workspaces/ws/mux_server.py "$published" 0.0.0.0
docker exec -d "$id" python3 /workspaces/ws/mux_server.py 9100
docker exec -d "$id" python3 /workspaces/ws/mux_server.py 9101
sleep 1
host_published=$("$dlc" ports "$work/ws" --json | python3 -c "import json,sys; print([r['hostPort'] for r in json.load(sys.stdin) if r['via']=='published'][0])")
# Each detached forward reads DLC_FORWARD_LANE when its session starts: 9100 takes the direct lane,
# 9101 (another copy of the server) is kept on the exec stream.
forward() { DLC_FORWARD_LANE=$2 "$dlc" forward -w "$work/ws" "$1" --detach --json | python3 -c 'import json,sys; f=json.load(sys.stdin); print(f["hostPort"], f["pid"])'; }
read -r direct direct_pid < <(forward 9100 auto)
read -r stream stream_pid < <(forward 9101 stream)
# The direct column means nothing unless the lane is up: a listener (state 0A) on an address of the
# container's other than loopback (0100007F) and any (00000000, the published port's server).
docker exec "$id" cat /proc/net/tcp | awk '$4 == "0A" { split($2, a, ":"); if (a[1] != "0100007F" && a[1] != "00000000") found = 1 } END { exit !found }' ||
  { echo "no direct lane in the container: the direct forward would measure the exec stream" >&2; exit 1; }
agent=$(docker exec "$id" sh -c 'ls /usr/local/lib/dlcontainer/agent 2>/dev/null || ls /tmp/.dlcontainer-agent/agent')

"$bench" "$id" "$agent" "$runs" "$host_published" "$direct" "$direct_pid" "$stream" "$stream_pid" > "$work/result.json"

# The ceiling of any exec-stream design on this engine: 256 MiB through a bare `docker exec`'s stdout and stdin.
for i in $(seq "$runs"); do
  t0=$(date +%s.%N); docker exec "$id" head -c 268435456 /dev/zero >/dev/null; t1=$(date +%s.%N)
  head -c 268435456 /dev/zero | docker exec -i "$id" sh -c 'cat >/dev/null'; t2=$(date +%s.%N)
  echo "$t0 $t1 $t2"
done > "$work/exec-stream.txt"

python3 - "$work/result.json" "$out" "$(docker version --format '{{.Server.Version}}')" "$work/exec-stream.txt" <<'PY'
import json, sys, datetime, platform, os, statistics
r = json.load(open(sys.argv[1]))
out, docker_version = sys.argv[2], sys.argv[3]
times = [list(map(float, l.split())) for l in open(sys.argv[4]) if l.strip()]
mb = 268435456 / 1e6
r["execStreamMBs"] = {"fromContainer": statistics.median(mb / (t1 - t0) for t0, t1, t2 in times),
                      "toContainer": statistics.median(mb / (t2 - t1) for t0, t1, t2 in times)}
r.update({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
          "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
          "engine": f"dockerd {docker_version}",
          "loadAverage": round(os.getloadavg()[0], 1)})  # other work on the machine inflates every figure
json.dump(r, open(f"{out}/forward.json", "w"), indent=2)
lat, bulk, conc, rss = r["newConnectionMs"], r["bulkMBs"], r["concurrent"], r["rssKiB"]
ratio = lambda a, b: f"{a / b:.2f}x"
def row(what, get, fmt):
    p, d, s_ = get("published"), get("direct"), get("stream")
    return f"| {what} | {p:{fmt}} | {d:{fmt}} | {s_:{fmt}} | {ratio(d, p)} | {ratio(s_, p)} |"
def rss_line(way):
    m = rss[way]
    return (f"{m['idle']} KiB idle, {m['before']} KiB after the runs above, {m['after1000']} KiB after 1,000 connections, "
            f"{m['after10000']} KiB after 10,000 (every 1,000: {', '.join(map(str, m['every1000']))})")
lines = [f"# Forwarded ports against a published port ({r['date']})", "",
         f"{r['machine']} (load average {r['loadAverage']}); {r['engine']}; one container, one server "
         "(tests/integration/mux_server.py); medians. *direct*: a forward on its direct lane (to the agent's "
         "listener on the container's bridge address); *stream*: a forward kept on the exec stream "
         "(`DLC_FORWARD_LANE=stream`).", "",
         "| what | published port | forwarded, direct | forwarded, stream | direct / published | stream / published |",
         "| --- | ---: | ---: | ---: | ---: | ---: |",
         row(f"new connection, one byte echoed (ms, {lat['samples']} each)", lambda w: lat[w], ".2f"),
         row(f"256 MiB from the container (MB/s, {r['runs']} runs)", lambda w: bulk["fromContainer"][w], ".0f"),
         row(f"256 MiB to the container (MB/s, {r['runs']} runs)", lambda w: bulk["toContainer"][w], ".0f"),
         row("64 connections at once, 4 MiB echoed each (MB/s both ways)", lambda w: conc[w]["totalMBs"], ".0f"),
         f"| ... slowest / fastest connection (ms) | {conc['published']['slowestMs']:.0f} / {conc['published']['fastestMs']:.0f} | "
         f"{conc['direct']['slowestMs']:.0f} / {conc['direct']['fastestMs']:.0f} | {conc['stream']['slowestMs']:.0f} / {conc['stream']['fastestMs']:.0f} | | |",
         "",
         f"An exec per connection (forwards before agent sessions): {lat['execPerConnection']:.1f} ms a connection ({lat['execSamples']} runs).", "",
         f"The ceiling of any design over an exec stream here: 256 MiB through a bare `docker exec` moves at "
         f"{r['execStreamMBs']['fromContainer']:.0f} MB/s from the container (stdout) and {r['execStreamMBs']['toContainer']:.0f} MB/s "
         "to it (stdin).", "",
         f"The forwarding processes' resident memory. Direct: {rss_line('direct')}. Stream: {rss_line('stream')}."]
open(f"{out}/forward.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
