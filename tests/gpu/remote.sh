#!/usr/bin/env bash
# The GPU run through a remote engine: the carried dockerd reached over ssh:// to 127.0.0.1, through a
# carried OpenSSH server, as a laptop reaches a GPU server. On the GPU host, from the repository root,
# after tests/gpu/pack.sh here:
#
#   tests/gpu/remote.sh
#
# does `dlcontainer --host ssh://root@127.0.0.1:PORT gpus` and `doctor` (the facts read by the probe
# container there, said of 127.0.0.1), `up` of tests/gpu/workspace (a folder the "remote" has too:
# bind-mounted), `verify --require-gpu` through the same engine connection, and `down --remove`.
# Everything is printed and kept in $OUT/gpu-remote.log (or /tmp/dlc-gpu-remote.log); the sshd it
# starts, the keys and the user it may add (sshd's privilege separation user) are removed at the end.
# Exit status 0 when verify passed on the GPU.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
log=${OUT:-/tmp}/gpu-remote.log
[ -n "${OUT:-}" ] || log=/tmp/dlc-gpu-remote.log
mkdir -p "$(dirname "$log")"
exec > >(tee "$log") 2>&1

step() { printf '\n========== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; local rc=$?; printf '(exit %d)\n' "$rc"; return $rc; }

step "dlcontainer and the engine"
dlc=${DLC:-}
if [ -z "$dlc" ] && [ -s .engine/dlcontainer.tar.xz ]; then
  mkdir -p /opt/dlcontainer && tar -xJf .engine/dlcontainer.tar.xz -C /opt/dlcontainer && dlc=/opt/dlcontainer/bin/dlcontainer
fi
[ -n "$dlc" ] || dlc=$repo/build/server/dlcontainer
run "$dlc" --version || exit 2
if ! docker version >/dev/null 2>&1; then
  if [ ! -x /opt/engine/start-engine.sh ]; then mkdir -p /opt/engine && tar -xJf .engine/engine.tar.xz -C /opt/engine; fi
  /opt/engine/start-engine.sh || { echo "the carried engine did not start"; exit 2; }
  export PATH=/opt/engine/bin:$PATH
fi
docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})' || exit 2
docker_dir=$(dirname "$(command -v docker)")

step "OpenSSH on 127.0.0.1 (carried: .engine/openssh.tar.xz)"
ssh_root=/opt/openssh
if [ -s .engine/openssh.tar.xz ]; then
  mkdir -p "$ssh_root" && tar -xJf .engine/openssh.tar.xz -C "$ssh_root"
fi
[ -x "$ssh_root/bin/sshd" ] || { echo "no carried sshd: run tests/gpu/pack.sh where the project builds"; exit 2; }
work=$(mktemp -d /tmp/dlc-gpu-remote.XXXXXX)
added_user=""
if ! id sshd >/dev/null 2>&1; then  # sshd's privilege separation user
  useradd -r -M -d /run/sshd -s /usr/sbin/nologin sshd && added_user=sshd
fi
mkdir -p /run/sshd "$work/bin" "$work/run"
chmod 700 "$work/run"
port=$((22000 + RANDOM % 2000))
"$ssh_root/bin/ssh-keygen" -q -t ed25519 -N '' -f "$work/host_key"
"$ssh_root/bin/ssh-keygen" -q -t ed25519 -N '' -f "$work/id_ed25519"
cp "$work/id_ed25519.pub" "$work/authorized_keys"
cat > "$work/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers root
SetEnv PATH=$docker_dir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
echo "[127.0.0.1]:$port $(cat "$work/host_key.pub")" > "$work/known_hosts"
cat > "$work/ssh_config" <<EOF
Host *
  UserKnownHostsFile $work/known_hosts
  GlobalKnownHostsFile /dev/null
  IdentityFile $work/id_ed25519
  IdentitiesOnly yes
  StrictHostKeyChecking yes
EOF
cat > "$work/bin/ssh" <<EOF
#!/bin/sh
LD_LIBRARY_PATH=$ssh_root/libs exec $ssh_root/bin/ssh -F $work/ssh_config "\$@"
EOF
chmod +x "$work/bin/ssh"
LD_LIBRARY_PATH="$ssh_root/libs" "$ssh_root/bin/sshd" -r -D -e -f "$work/sshd_config" > "$work/sshd.log" 2>&1 &
sshd_pid=$!
cleanup() {
  for sock in "$work"/run/dlcontainer-*/ssh/*; do
    [ -S "$sock" ] && "$work/bin/ssh" -S "$sock" -O exit x 2>/dev/null
  done
  kill "$sshd_pid" 2>/dev/null
  wait "$sshd_pid" 2>/dev/null
  [ -n "$added_user" ] && userdel "$added_user"
  rm -rf "$work"
}
trap cleanup EXIT
sleep 1
export PATH="$work/bin:$PATH" XDG_RUNTIME_DIR="$work/run"
host="ssh://root@127.0.0.1:$port"
run ssh -p "$port" root@127.0.0.1 'docker version --format "the remote side: docker {{.Server.Version}}"' || {
  echo "sshd did not let us in:"; cat "$work/sshd.log"; exit 2; }

step "gpus and doctor of the engine's host, read by the probe"
run "$dlc" --host "$host" gpus
run "$dlc" --host "$host" gpus --json
run "$dlc" --host "$host" doctor
run "$dlc" --host "$host" plan tests/gpu/paper

step "the workspace's image (as tests/gpu/run.sh makes it)"
image=${DLC_GPU_IMAGE:-dlc-gpu/hostroot:latest}
if [ "$image" = dlc-gpu/hostroot:latest ] && ! docker image inspect "$image" >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/workspaces"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$image"
  rm -rf "$root"
fi
export DLC_GPU_IMAGE_REF=$image DLC_GPU_PYTHON_HOME=${DLC_GPU_PYTHON_HOME:-/opt/torch}

ws=tests/gpu/workspace
step "up, verify and down through ssh://"
rc=1
for config in "$ws/.devcontainer/devcontainer.json" "$ws/.devcontainer/host-usr-local/devcontainer.json"; do
  run "$dlc" --host "$host" up "$ws" --config "$config" --rebuild || continue
  run "$dlc" --host "$host" status "$ws"
  run "$dlc" --host "$host" exec -w "$ws" -T -- sh -c 'nvidia-smi -L'
  run "$dlc" --host "$host" verify "$ws" --require-gpu
  rc=$?
  run "$dlc" --host "$host" down "$ws" --remove
  [ $rc -eq 0 ] && break
done

step "summary"
if [ $rc -eq 0 ]; then
  echo "PASS: verify ran on the GPU in a container made through $host (log: $log)"
  exit 0
fi
echo "FAIL: verify did not pass through $host; the output above says where it stopped (log: $log)"
exit 1
