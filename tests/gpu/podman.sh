#!/usr/bin/env bash
# The GPU run through Podman and CDI: on a GPU host without Podman, without the NVIDIA toolkit and
# without network, from the repository root, after tests/gpu/pack.sh (or pack.sh --portable) and
# tests/gpu/pack-podman.sh here:
#
#   tests/gpu/podman.sh
#
# unpacks .engine/podman.tar.xz, starts a rootful `podman system service` on a unix socket of its own
# (storage, configuration and socket in a scratch folder), writes the CDI spec for this host's GPUs with
# `dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml`, shows that Podman itself reads it
# (`podman run --device nvidia.com/gpu=all`), imports the host-files image into Podman (as run.sh does
# for Docker), runs `dlcontainer up --gpu-attach cdi` on tests/gpu/workspace's podman config through
# that socket, `verify --require-gpu` in it, and `down --remove`. Everything is printed and kept in
# $OUT/podman-run.log (or /tmp/dlc-podman-run.log). Exit 0 when verify passed on the GPU, 2 when
# something it needs is missing. At the end it stops the service and removes its storage, the scratch
# folder and the spec (when it wrote a new one).
#
# DLC_PODMAN_REHEARSAL=1, on a machine without a GPU: everything up to the GPU steps, then the same
# workspace without its GPU requirement (up, exec, status, down) through the carried Podman, so that a
# packing or configuration fault shows here rather than on the GPU host. Exit 0 when that passed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. tests/gpu/lib.sh
gpu_log podman-run.log

step "host"
date -u +"%Y-%m-%dT%H:%M:%SZ"
uname -srm
grep -h PRETTY_NAME /etc/os-release 2>/dev/null
command -v nvidia-smi && nvidia-smi -L
head -1 /proc/driver/nvidia/version 2>/dev/null
command -v podman docker iptables nvidia-ctk || true
stat -fc 'file system of /var/tmp: %T' /var/tmp

step "dlcontainer"
find_dlc

step "Podman (carried: .engine/podman.tar.xz)"
proot=${DLC_PODMAN_ROOT:-/opt/podman}
if [ -s .engine/podman.tar.xz ]; then
  mkdir -p "$proot" && tar -xJf .engine/podman.tar.xz -C "$proot"
fi
[ -x "$proot/bin/podman" ] || { echo "no carried Podman in $proot: run tests/gpu/pack-podman.sh where Podman is installed"; exit 2; }
cat "$proot/VERSIONS"
work=$(mktemp -d /var/tmp/dlc-podman.XXXXXX)
mkdir -p "$work/home/.config/containers" "$work/storage" "$work/run" "$work/tmp"
# Podman's defaults name /usr/libexec/podman, /etc/containers and /usr/share/containers, which this host
# lacks: every path is given. Debian's default rlimits cannot be applied inside some VMs ("error setting
# rlimit type 7"), so the limits are set. The containers share the host's network (see pack-podman.sh).
cat > "$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
seccomp_profile = "$proot/share/seccomp.json"
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
conmon_path = ["$proot/libexec/conmon"]
runtime = "runc"
tmp_dir = "$work/tmp"
[engine.runtimes]
runc = ["$proot/libexec/runc"]
[network]
network_config_dir = "$work/networks"
EOF
storage_conf() { printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' "$1" "$work/storage" "$work/run" > "$work/storage.conf"; }
storage_conf "${DLC_PODMAN_STORAGE:-overlay}"
# No registry is reachable: short names resolve to the images imported here, nothing is pulled.
printf 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n' > "$work/registries.conf"
# containers/image reads the signature policy from $HOME/.config/containers before /etc/containers.
printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' > "$work/home/.config/containers/policy.json"
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf \
  CONTAINERS_REGISTRIES_CONF=$work/registries.conf
podman() { HOME=$work/home "$proot/bin/podman" "$@"; }
sock=$work/podman.sock
spec=/etc/cdi/nvidia.yaml
spec_ours=""
service_pid=""
cleanup() {
  step "cleanup"
  if [ -n "$service_pid" ]; then
    podman rm --all --force --time 0 >/dev/null 2>&1
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  podman system reset --force >/dev/null 2>&1  # unmounts and removes the storage it made
  # An exec session's conmon waits minutes after its exec (--exit-delay): each names the scratch folder.
  for cmdline in /proc/[0-9]*/cmdline; do
    case "$(tr '\0' ' ' 2>/dev/null < "$cmdline")" in
      *"$work/"*) pid=${cmdline#/proc/}; kill -9 "${pid%/cmdline}" 2>/dev/null ;;
    esac
  done
  [ -n "$spec_ours" ] && rm -f "$spec_ours"
  rm -rf "$work"
  echo "removed the service, its storage and $work${spec_ours:+ and $spec_ours}"
}
trap cleanup EXIT

info='podman {{.Version.Version}}, storage {{.Store.GraphDriverName}} in {{.Store.GraphRoot}}, cgroups {{.Host.CgroupsVersion}} ({{.Host.CgroupManager}}), runtime {{.Host.OCIRuntime.Path}}, conmon {{.Host.Conmon.Path}}'
if ! run podman info --format "$info"; then
  # Overlay storage cannot sit on every file system (an overlayfs root, say); vfs copies layers instead,
  # which costs nothing for the tiny imported image.
  [ -z "${DLC_PODMAN_STORAGE:-}" ] || { echo "the carried Podman does not run here"; exit 2; }
  echo "NOTE: overlay storage failed in $work; trying vfs"
  rm -rf "$work/storage" "$work/run" && mkdir -p "$work/storage" "$work/run"
  storage_conf vfs
  run podman info --format "$info" || { echo "the carried Podman does not run here"; exit 2; }
fi
HOME=$work/home setsid "$proot/bin/podman" system service --time=0 "unix://$sock" > "$work/service.log" 2>&1 < /dev/null &
service_pid=$!
for _ in $(seq 1 60); do
  [ -S "$sock" ] && podman --url "unix://$sock" version >/dev/null 2>&1 && break
  sleep 0.5
done
[ -S "$sock" ] || { echo "podman system service did not open $sock:"; cat "$work/service.log"; exit 2; }
echo "Podman's API service (rootful) on $sock, pid $service_pid"
# dlcontainer finds it as a user would: DLC_ENGINE=podman and Podman's own CONTAINER_HOST.
dlcp() { DLC_ENGINE=podman CONTAINER_HOST=unix://$sock "$dlc" "$@"; }

step "the workspace's image, made from the host's files and imported into Podman"
image=${DLC_GPU_IMAGE:-dlc-gpu/hostroot:latest}
root=$work/hostroot
mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/workspaces"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
tar -C "$root" -c . | podman import --change 'CMD ["/bin/sh"]' - "$image" || { echo "podman import failed"; exit 1; }
run podman images
export DLC_GPU_IMAGE_REF=$image DLC_GPU_PYTHON_HOME=${DLC_GPU_PYTHON_HOME:-/opt/torch}
ws=tests/gpu/workspace
config=$ws/.devcontainer/podman/devcontainer.json

step "dlcontainer gpus and doctor, with the engine Podman"
if ! run dlcp gpus && [ -e /proc/driver/nvidia/version ]; then
  # As run.sh: the driver's libraries may be unknown to the loader; doctor's fix is LD_LIBRARY_PATH.
  nvml=$(find /usr/local /usr/lib /usr/lib64 /opt -maxdepth 4 -name libnvidia-ml.so.1 2>/dev/null | head -1)
  if [ -n "$nvml" ]; then
    export LD_LIBRARY_PATH="$(dirname "$nvml")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "NOTE: the driver's libraries are in $(dirname "$nvml"), unknown to the loader: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    run dlcp gpus
  fi
fi
if ! dlcp gpus >/dev/null 2>&1; then
  if [ "${DLC_PODMAN_REHEARSAL:-}" != 1 ]; then
    echo "no GPU here: the run needs one (DLC_PODMAN_REHEARSAL=1 runs the rest without it)"
    exit 2
  fi
  step "REHEARSAL (no GPU here): the workspace without its GPU requirement, through the carried Podman"
  mkdir -p "$work/rehearsal/.devcontainer"
  grep -v '"hostRequirements"' "$config" > "$work/rehearsal/.devcontainer/devcontainer.json"
  cp "$ws/README.md" "$work/rehearsal/"
  rws=$work/rehearsal
  if [ ! -d "$DLC_GPU_PYTHON_HOME" ]; then mkdir -p "$work/pyhome"; export DLC_GPU_PYTHON_HOME=$work/pyhome; fi
  run dlcp up "$rws" --gpus none || exit 1
  cid=$(dlcp status "$rws" --json | sed -n 's/.*"containerId": "\([0-9a-f]*\)".*/\1/p' | head -1)
  run podman inspect --format 'network {{.HostConfig.NetworkMode}}, mounts {{len .Mounts}}' "$cid"
  run dlcp exec -w "$rws" -T -- sh -c 'echo hello from $(hostname); id -u; ls /workspaces' || exit 1
  echo in | run dlcp exec -w "$rws" -T -- sh -c 'cat; exit 3'
  [ $? -eq 3 ] || { echo "FAIL: exec's exit status"; exit 1; }
  run dlcp status "$rws" || exit 1
  run dlcp down "$rws" --remove || exit 1
  # Podman's own CLI, as the GPU run's CDI check uses it (there with --device nvidia.com/gpu=all).
  run podman run --rm --network host -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro "$image" \
    sh -c 'echo podman run works' || exit 1
  echo "PASS (rehearsal): the carried Podman ran the workspace's container without a GPU; the GPU steps need a GPU host"
  exit 0
fi
run dlcp doctor

step "the CDI spec: dlcontainer gpus --cdi --output $spec"
if [ ! -e "$spec" ]; then spec_ours=$spec; fi
mkdir -p "$(dirname "$spec")"
run dlcp gpus --cdi --output "$spec" || { echo "FAIL: gpus --cdi"; exit 1; }
head -c 1500 "$spec"; echo
echo "Podman's own CLI with the spec (informative: dlcontainer resolves CDI itself, since Podman 4.3's compatible API does not):"
nvml_dir=$(sed -n 's/.*"hostPath": "\(.*\)\/libnvidia-ml\.so\.1".*/\1/p' "$spec" | head -1)
run podman run --rm --network host --device nvidia.com/gpu=all -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro \
  -v /bin:/bin:ro -e LD_LIBRARY_PATH="$nvml_dir" "$image" \
  sh -c 'ls /dev/nvidia*; PATH=$PATH:/usr/local/nvidia/bin nvidia-smi -L'

step "dlcontainer up through Podman, the GPUs by CDI"
rc=1
if run dlcp up "$ws" --config "$config" --gpu-attach cdi --rebuild; then
  run dlcp status "$ws"
  cid=$(dlcp status "$ws" --json | sed -n 's/.*"containerId": "\([0-9a-f]*\)".*/\1/p' | head -1)
  echo "what Podman was told:"
  podman inspect --format 'Devices: {{json .HostConfig.Devices}}
NetworkMode: {{.HostConfig.NetworkMode}}
Env: {{json .Config.Env}}
Mounts: {{range .Mounts}}{{.Source}} -> {{.Destination}} ({{if .RW}}rw{{else}}ro{{end}})
        {{end}}' "$cid"
  step "dlcontainer verify --require-gpu"
  run dlcp exec -w "$ws" -T -- sh -c 'command -v nvidia-smi; nvidia-smi -L; echo LD_LIBRARY_PATH=$LD_LIBRARY_PATH'
  run dlcp verify "$ws" --require-gpu
  rc=$?
  run dlcp verify "$ws" --require-gpu --json --steps 500 2>/dev/null
  run dlcp down "$ws" --remove
fi

step "summary"
if [ $rc -eq 0 ]; then
  echo "PASS: verify ran on the GPU in a container that dlcontainer up made through Podman, GPUs by CDI (log: $log)"
  exit 0
fi
echo "the end of Podman's service log:"
tail -n 40 "$work/service.log"
echo "FAIL: verify did not pass through Podman; the output above says where it stopped (log: $log)"
exit 1
