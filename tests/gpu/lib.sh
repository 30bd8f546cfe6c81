# Shared by the GPU-host scripts (run.sh, plan-arch.sh), sourced from the repository root: the run's
# log, its steps, commands shown with their exit status, and the dlcontainer to run.

# Everything printed from here on also goes to $OUT/NAME (or /tmp/dlc-NAME), for docs/runs/.
gpu_log() {
  log=${OUT:-/tmp}/$1
  [ -n "${OUT:-}" ] || log=/tmp/dlc-$1
  mkdir -p "$(dirname "$log")"
  exec > >(tee "$log") 2>&1
}

step() { printf '\n========== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; local rc=$?; printf '(exit %d)\n' "$rc"; return $rc; }

# Sets dlc: $DLC, else build/server/dlcontainer, else .engine/dlcontainer.tar.xz (tests/gpu/pack.sh)
# unpacked to /opt/dlcontainer; exits 2 when there is none.
find_dlc() {
  dlc=${DLC:-}
  if [ -z "$dlc" ] && [ -x build/server/dlcontainer ] && build/server/dlcontainer --version >/dev/null 2>&1; then
    dlc=$PWD/build/server/dlcontainer
  fi
  if [ -z "$dlc" ] && [ -s .engine/dlcontainer.tar.xz ]; then
    mkdir -p /opt/dlcontainer && tar -xJf .engine/dlcontainer.tar.xz -C /opt/dlcontainer
    dlc=/opt/dlcontainer/bin/dlcontainer
    echo "unpacked .engine/dlcontainer.tar.xz (commit $(cat /opt/dlcontainer/COMMIT 2>/dev/null))"
  fi
  if [ -z "$dlc" ]; then
    echo "no dlcontainer: build it (cmake + ninja) or carry .engine/dlcontainer.tar.xz (tests/gpu/pack.sh)"
    exit 2
  fi
  run "$dlc" --version || exit 2
}
