#!/usr/bin/env bash
# Remote engines side by side, in one run (medians, hyperfine): warm `up`, `exec -- true` and `status`
# through dlcontainer, against the docker CLI doing the same through the same endpoint
# (`docker start` of the running container, `docker exec ID true`, `docker inspect ID`):
#   ssh://   Debian's sshd on 127.0.0.1 in front of the shared engine (a test user with the docker CLI);
#            docker with plain ssh (its default: a login per command) and with an ssh ControlMaster;
#            dlcontainer as it ships (its own master) and with DLC_SSH_CONTROL_MASTER=0;
#   tcp+TLS  a second dockerd with --tlsverify on 127.0.0.1 and certificates made here;
#   unix     the local socket, for reference.
# Writes bench/results/remote.{json,md}. Usage: bench/remote.sh [RUNS] (default 20). As root, with the
# build, dockerd, tests/images, openssh-server and hyperfine. Everything it starts ends with it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
dlc="$repo/build/server/dlcontainer"
out="$repo/bench/results"
[ -x "$dlc" ] || { echo "build first: scripts/setup.sh"; exit 1; }
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >/dev/null
"$repo/tests/images/build.sh" bookworm python >/dev/null

work=$(mktemp -d /tmp/dlc-bench-remote.XXXXXX)
chmod 755 "$work"
user=dlcbench$RANDOM
sshd_pid="" dockerd_pid=""
# The second dockerd's own bridge. Never --bridge=none: with it, dockerd deletes the host's docker0, the
# bridge of the engine everything else here uses (the ssh:// leg's containers then cannot start).
bridge=dlcbr$((RANDOM % 10000))
cleanup() {
  set +e
  for ws in "$work"/ws-*; do
    docker ps -aq --filter "label=dev.dlcontainer.workspace=$ws" | xargs -r docker rm -f >/dev/null
  done
  for sock in "$work"/run/*/ssh/* "$work"/mux/*; do
    [ -S "$sock" ] && /usr/bin/ssh -S "$sock" -O exit x 2>/dev/null
  done
  [ -n "$sshd_pid" ] && kill "$sshd_pid" && wait "$sshd_pid" 2>/dev/null
  [ -n "$dockerd_pid" ] && kill "$dockerd_pid" && wait "$dockerd_pid" 2>/dev/null
  ip link del "$bridge" 2>/dev/null
  for _ in $(seq 50); do userdel "$user" 2>/dev/null && break; sleep 0.2; done
  docker images --format '{{.Repository}}:{{.Tag}}' | grep '^dlcontainer/probe:' | xargs -r docker rmi >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# --- sshd on 127.0.0.1, in front of the shared engine ---
mkdir -p "$work/keys" "$work/bin-plain" "$work/bin-mux" "$work/run" "$work/mux" /run/sshd
chmod 700 "$work/run" "$work/mux"
ssh_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
useradd -M -d "$work" -s /bin/sh -G docker "$user" && usermod -p '*' "$user"
cp "$work/id_ed25519.pub" "$work/keys/$user" && chmod 644 "$work/keys/$user"
cat > "$work/sshd_config" <<EOF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/keys/%u
StrictModes no
UsePAM no
PasswordAuthentication no
AllowUsers $user
EOF
echo "[127.0.0.1]:$ssh_port $(cat "$work/host_key.pub")" > "$work/known_hosts"
printf 'Host *\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  IdentityFile %s\n  IdentitiesOnly yes\n' \
  "$work/known_hosts" "$work/id_ed25519" > "$work/ssh_config"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$work/ssh_config" > "$work/bin-plain/ssh"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s -o ControlMaster=auto -o ControlPath=%s/%%C -o ControlPersist=600 "$@"\n' \
  "$work/ssh_config" "$work/mux" > "$work/bin-mux/ssh"
chmod +x "$work/bin-plain/ssh" "$work/bin-mux/ssh"
/usr/sbin/sshd -D -f "$work/sshd_config" & sshd_pid=$!
sleep 1
ssh_url="ssh://$user@127.0.0.1:$ssh_port"

# --- a second dockerd with --tlsverify ---
(cd "$work" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=bench-ca &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server-key.pem -out server.csr -subj /CN=127.0.0.1 &&
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext &&
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem -days 2 -extfile server.ext &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out client.csr -subj /CN=client &&
  printf 'extendedKeyUsage=clientAuth\n' > client.ext &&
  openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 2 -extfile client.ext) 2>/dev/null
ip link add name "$bridge" type bridge && ip addr add "10.231.$((RANDOM % 250 + 1)).1/24" dev "$bridge" && ip link set "$bridge" up
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dockerd --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" -H "tcp://127.0.0.1:$tls_port" \
  -H "unix://$work/docker.sock" --tlsverify --tlscacert "$work/ca.pem" --tlscert "$work/server-cert.pem" \
  --tlskey "$work/server-key.pem" --bridge="$bridge" --iptables=false --ip-masq=false > "$work/dockerd.log" 2>&1 & dockerd_pid=$!
for _ in $(seq 120); do docker -H "unix://$work/docker.sock" info >/dev/null 2>&1 && break; sleep 0.5; done
docker save dlc-test/python:latest | docker -H "unix://$work/docker.sock" load -q >/dev/null
tls_url="tcp://127.0.0.1:$tls_port"
export DOCKER_CERT_PATH="$work"

# --- one warm workspace per endpoint ---
declare -A ids
for ep in unix ssh tls; do
  ws="$work/ws-$ep"
  mkdir -p "$ws/.devcontainer"
  echo '{"image": "dlc-test/python:latest"}' > "$ws/.devcontainer/devcontainer.json"
done
host_unix="unix:///var/run/docker.sock"
PATH="$work/bin-plain:$PATH" XDG_RUNTIME_DIR="$work/run" "$dlc" --host "$ssh_url" up "$work/ws-ssh" >/dev/null
DOCKER_TLS_VERIFY=1 "$dlc" --host "$tls_url" up "$work/ws-tls" >/dev/null
"$dlc" --host "$host_unix" up "$work/ws-unix" >/dev/null
ids[ssh]=$(docker ps -q --filter "label=dev.dlcontainer.workspace=$work/ws-ssh")
ids[unix]=$(docker ps -q --filter "label=dev.dlcontainer.workspace=$work/ws-unix")
ids[tls]=$(docker -H "unix://$work/docker.sock" ps -q --filter "label=dev.dlcontainer.workspace=$work/ws-tls")

bench() {  # name, then hyperfine's -n/command pairs
  local name=$1
  shift
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/$name.json" "$@" >/dev/null 2>&1
}
e_ssh="env PATH=$work/bin-plain:$PATH XDG_RUNTIME_DIR=$work/run"
e_mux="env PATH=$work/bin-mux:$PATH"
e_tls="env DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$work"
for op in up exec status; do
  case $op in
    up) d="up"; dk_ssh="start ${ids[ssh]}"; dk_tls="start ${ids[tls]}"; dk_unix="start ${ids[unix]}" ;;
    exec) d="exec -w WS -- true"; dk_ssh="exec ${ids[ssh]} true"; dk_tls="exec ${ids[tls]} true"; dk_unix="exec ${ids[unix]} true" ;;
    status) d="status"; dk_ssh="inspect ${ids[ssh]}"; dk_tls="inspect ${ids[tls]}"; dk_unix="inspect ${ids[unix]}" ;;
  esac
  cmd() {  # the dlcontainer command for an endpoint's workspace
    local ws="$work/ws-$1"
    if [ "$op" = exec ]; then echo "${d/WS/$ws}"; else echo "$d $ws"; fi
  }
  bench "$op" \
    -n "dlcontainer ssh://" "$e_ssh $dlc --host $ssh_url $(cmd ssh)" \
    -n "dlcontainer ssh:// (DLC_SSH_CONTROL_MASTER=0)" "$e_ssh DLC_SSH_CONTROL_MASTER=0 $dlc --host $ssh_url $(cmd ssh)" \
    -n "docker --host ssh:// (plain ssh)" "$e_ssh docker --host $ssh_url $dk_ssh" \
    -n "docker --host ssh:// (ssh ControlMaster)" "$e_mux docker --host $ssh_url $dk_ssh" \
    -n "dlcontainer tcp+TLS" "$e_tls $dlc --host $tls_url $(cmd tls)" \
    -n "docker --tlsverify -H tcp://" "$e_tls docker --tlsverify -H $tls_url $dk_tls" \
    -n "dlcontainer unix" "$dlc --host $host_unix $(cmd unix)" \
    -n "docker unix" "docker -H $host_unix $dk_unix"
done

python3 - "$work" "$out" "$runs" "$(docker version --format '{{.Server.Version}}')" "$(ssh -V 2>&1)" <<'PY'
import json, statistics, sys, datetime, platform
work, out, runs, engine, openssh = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
table = {}
for op in ["up", "exec", "status"]:
    for r in json.load(open(f"{work}/{op}.json"))["results"]:
        table.setdefault(r["command"], {})[op] = round(statistics.median(r["times"]) * 1000, 1)
meta = {"date": datetime.date.today().isoformat(), "runs": runs, "engine": engine, "openssh": openssh,
        "cpus": __import__("os").cpu_count(), "kernel": platform.release()}
json.dump({"meta": meta, "median_ms": table}, open(f"{out}/remote.json", "w"), indent=2)
with open(f"{out}/remote.md", "w") as f:
    f.write("# Remote engines: dlcontainer beside the docker CLI (bench/remote.sh)\n\n")
    f.write(f"{meta['date']}, {runs} runs each (hyperfine, median ms), Docker {engine}, {openssh}, "
            f"{meta['cpus']} CPUs, kernel {meta['kernel']}. Everything on 127.0.0.1: the ssh rows add sshd and "
            "`docker system dial-stdio` on the far side, not network time.\n\n")
    f.write("warm `up` is dlcontainer's whole `up` of a running container against `docker start` of it; `status` "
            "against `docker inspect`.\n\n")
    f.write("| command | warm up | exec -- true | status |\n| --- | ---: | ---: | ---: |\n")
    for name, ops in table.items():
        f.write(f"| {name} | {ops.get('up', '')} | {ops.get('exec', '')} | {ops.get('status', '')} |\n")
print(open(f"{out}/remote.md").read())
PY
