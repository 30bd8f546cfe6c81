#!/usr/bin/env bash
# What reaching a service costs, in one run on the same engine and container:
#   one HTTP request (a new connection each time) through a published port  vs  through a forward
#   (an exec of the agent per connection);
#   `dlcontainer jupyter` the first time (start + readiness) and again (found running).
# Medians (hyperfine), written to bench/results/services.{json,md}.
# Usage: bench/services.sh [RUNS]   (default 20). Needs the build, dockerd and tests/images (services).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
dlc="$repo/build/server/dlcontainer"
out="$repo/bench/results"
mkdir -p "$out"
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >/dev/null
[ -x "$dlc" ] || { echo "build first: scripts/setup.sh"; exit 1; }
"$repo/tests/images/build.sh" bookworm python services >/dev/null

work=$(mktemp -d /tmp/dlc-bench-services.XXXXXX)
cleanup() {
  docker ps -aq --filter "label=dev.dlcontainer.workspace=$work/ws" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ws/.devcontainer"
echo hello > "$work/ws/hello.txt"
published=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/ws/.devcontainer/devcontainer.json" <<EOF
{"image": "dlc-test/services:latest", "remoteUser": "dev", "forwardPorts": [$published]}
EOF
"$dlc" up "$work/ws" >/dev/null 2>&1
id=$(docker ps -q --filter "label=dev.dlcontainer.workspace=$work/ws")
# One server on the published port (it must listen on the container's interface), one on loopback only.
docker exec -d -w /workspaces/ws "$id" python3 -m http.server "$published" --bind 0.0.0.0
docker exec -d -w /workspaces/ws "$id" python3 -m http.server 8700 --bind 127.0.0.1
sleep 1
host_published=$("$dlc" ports "$work/ws" --json | python3 -c "import json,sys; print([r['hostPort'] for r in json.load(sys.stdin) if r['via']=='published'][0])")
forwarded=$("$dlc" forward -w "$work/ws" 8700 --detach --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostPort"])')

hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/http.json" \
  -n "published port" "curl -sf -o /dev/null http://127.0.0.1:$host_published/hello.txt" \
  -n "forwarded port (agent)" "curl -sf -o /dev/null http://127.0.0.1:$forwarded/hello.txt" >/dev/null 2>&1

# Jupyter: each first run starts a new server (the previous one stopped), each second run finds it.
hyperfine -N --runs 5 --export-json "$work/jupyter.json" \
  --prepare "$dlc jupyter $work/ws --stop" -n "jupyter (start)" "$dlc jupyter $work/ws --json" >/dev/null 2>&1
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/jupyter-again.json" \
  -n "jupyter (already running)" "$dlc jupyter $work/ws --json" >/dev/null 2>&1

python3 - "$work" "$out" "$runs" "$(docker version --format '{{.Server.Version}}')" <<'PY'
import json, statistics, sys, datetime, platform, os
work, out, runs, docker_version = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
median = {}
for name in ("http", "jupyter", "jupyter-again"):
    for r in json.load(open(f"{work}/{name}.json"))["results"]:
        median[r["command"]] = statistics.median(r["times"]) * 1000
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    "engine": f"dockerd {docker_version}", "runs": runs,
    "loadAverage": round(os.getloadavg()[0], 1),  # other work on the machine inflates every figure
    "medianMs": {k: round(v, 1) for k, v in median.items()},
}
json.dump(res, open(f"{out}/services.json", "w"), indent=2)
lines = [f"# Services benchmark ({res['date']})", "",
         f"{res['machine']} (load average {res['loadAverage']}); {res['engine']}; median of {runs} runs (jupyter start: 5).", "",
         "| what | median ms |", "| --- | ---: |"] + [f"| {k} | {v:.1f} |" for k, v in median.items()]
open(f"{out}/services.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
