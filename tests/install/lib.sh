# Shared by tests/install/deb.sh and portable.sh (sourced): a bare Debian container that reaches this
# host's engine through its socket, and the checks a user's first minutes make of an installed
# dlcontainer there. Paths the engine binds (the workspace) must exist on the host, so the test's
# folder is mounted at the same path inside.

failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

label=dev.dlcontainer.test=install-$$
work=$(mktemp -d /tmp/dlc-install.XXXXXX)
container=
cleanup() {
  # The workspace's container (found by its label) and the test container; the folder last.
  for id in $(docker ps -aq --filter "label=dev.dlcontainer.workspace=$work/ws") $(docker ps -aq --filter "label=$label"); do
    docker rm -f "$id" >/dev/null 2>&1
  done
  for img in $(docker images -q --filter "label=dev.dlcontainer.built-for=$work/ws"); do docker rmi -f "$img" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

# start_container IMAGE [docker run options]: a long-lived container to run the steps in.
start_container() {
  local image=$1; shift
  docker image inspect "$image" >/dev/null 2>&1 || { echo "no image $image (tests/images/build.sh, tests/install/bullseye-image.sh)"; exit 1; }
  container=$(docker run -d --label "$label" -v /var/run/docker.sock:/var/run/docker.sock -v "$work:$work" \
    -e HOME=/root -e XDG_CACHE_HOME=/root/.cache "$@" "$image" sleep infinity) || exit 1
}
in_container() { docker exec -i "$container" "$@"; }

# A small repository (PyTorch pinned, one commit) and a workspace on a local test image.
make_fixtures() {
  mkdir -p "$work/repo" "$work/ws/.devcontainer"
  printf 'torch==2.1.0\nnumpy<2\n' > "$work/repo/requirements.txt"
  echo 'import torch' > "$work/repo/train.py"
  git -C "$work/repo" init -q
  git -C "$work/repo" add .
  GIT_COMMITTER_DATE='2023-11-02T10:00:00Z' git -C "$work/repo" -c user.name=t -c user.email=t@example.com commit -qm init --date '2023-11-02T10:00:00Z'
  cat > "$work/ws/.devcontainer/devcontainer.json" <<'JSON'
{ "name": "install-test", "image": "dlc-test/python:latest", "hostRequirements": { "gpu": "optional" } }
JSON
  echo 'print("hello from the workspace")' > "$work/ws/hello.py"
}

# What a user does first, with the dlcontainer at $1 inside the container.
user_checks() {
  local dlc=$1 want_version=$2 out
  out=$(in_container "$dlc" --version 2>&1)
  check "dlcontainer --version names the version, commit and build: $out" grep -Eq "^dlcontainer $want_version \(commit [0-9a-f]{12}" <<<"$out"

  out=$(in_container "$dlc" doctor --json 2>&1)
  check "doctor --json reaches the engine through the mounted socket" python3 -c '
import json, sys
checks = {c["id"]: c for c in json.loads(sys.stdin.read())["checks"]}
sys.exit(0 if checks["docker-running"]["status"] == "ok" and checks["docker-access"]["status"] == "ok" else 1)' <<<"$out"

  out=$(in_container "$dlc" plan "$work/repo" --no-gpu --json 2>&1)
  check "plan reads the repository (PyTorch 2.1.0 from requirements.txt)" python3 -c '
import json, sys
p = json.loads(sys.stdin.read())["plan"]
sys.exit(0 if any(d["topic"] == "version" and d["choice"] == "PyTorch 2.1.0" for d in p["decisions"]) else 1)' <<<"$out"
  # HEAD's date comes from libgit2 (a fresh cache): linked in, or loaded as the package depends.
  check "plan dates HEAD with libgit2 (2023-11-02)" python3 -c '
import json, sys
sys.exit(0 if json.loads(sys.stdin.read())["plan"].get("commitDate") == "2023-11-02" else 1)' <<<"$out"

  out=$(in_container "$dlc" up "$work/ws" --json 2>"$work/up.err")
  check "up creates the workspace's container through the socket" python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
sys.exit(0 if r.get("outcome") == "success" and r.get("containerId") else 1)' <<<"$out" || tail -5 "$work/up.err"
  out=$(in_container "$dlc" exec -w "$work/ws" -T -- python3 hello.py 2>&1)
  check "exec runs in the workspace folder of that container" test "$out" = "hello from the workspace" || echo "$out" | tail -5
  out=$(in_container "$dlc" down "$work/ws" --remove 2>&1)
  check "down --remove removes it" test -z "$(docker ps -aq --filter "label=dev.dlcontainer.workspace=$work/ws")" || echo "$out"
}
