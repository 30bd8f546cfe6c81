#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3)
# with the built .vsix installed, driven headless by Debian's chromium through playwright-core,
# against the real dlcontainer server and Docker engine. It opens a copy of examples/mnist, runs
# "Open Folder in GPU Container" from the command palette, checks the container (status bar text and
# `docker ps` by label), answers the offer to use the container's Python (the settings it writes in
# .vscode/settings.json), runs "Open Jupyter" and checks that the Jupyter page loads, then, in train.py,
# checks that pyright's language server (a test-only client: pyright-client/) completes `torch.nn.` from
# the copy of the container's libraries (the host has no torch) and reports the import missing once
# "Stop Using the Container's Python" took the settings back; the screenshots of each step go to
# docs/images/.
#
# Usage (as root on Debian 12, after scripts/setup.sh):
#   extensions/vscode/test/e2e/run.sh            # mnist's code on the local torch+Jupyter test image (fast)
#   extensions/vscode/test/e2e/run.sh --example  # examples/mnist exactly as shipped (builds PyTorch)
#   extensions/vscode/test/e2e/run.sh --vsix dist/dlcontainer-0.1.0-linux-x64.vsix
#                                                # that released .vsix, which carries the server: no
#                                                # dlcontainer on PATH, no setting (drive.mjs --bundled)
#   --keep leaves the container and the temporary folder for a look afterwards.
# Environment: DLC_BINARY (default build/server/dlcontainer), DLC_CODE_SERVER_PREFIX (/opt/code-server),
# DLC_E2E_SHOTS (where the screenshots go; default docs/images).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(cd "$here/../.." && pwd)
repo=$(cd "$ext/../.." && pwd)
prefix=${DLC_CODE_SERVER_PREFIX:-/opt/code-server}
example=false
drive_args=()
vsix=
while [ $# -gt 0 ]; do
  case "$1" in
    --example) example=true ;;
    --keep) drive_args+=(--keep) ;;
    --vsix) vsix=$(realpath "$2"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

code_server="$prefix/node_modules/.bin/code-server"
if [ ! -x "$code_server" ] || ! command -v chromium >/dev/null; then
  echo "==> installing code-server 4.100.3 and chromium into $prefix"
  "$here/install-code-server.sh" "$prefix"
fi

if [ -n "$vsix" ]; then
  echo "==> the extension: $vsix, with the server it carries"
  (cd "$ext" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  drive_args+=(--bundled)
  # The screenshots in docs/images are the source tree's run; this one's stay with its folder.
  shots_default=bundled
else
  binary=${DLC_BINARY:-$repo/build/server/dlcontainer}
  if [ -z "${DLC_BINARY:-}" ]; then
    echo "==> building dlcontainer"
    cmake -S "$repo" -B "$repo/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    ninja -C "$repo/build" dlcontainer >/dev/null
  fi
  echo "==> the extension: npm ci, package"
  (cd "$ext" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run -s package >/dev/null)
  vsix=$ext/dlcontainer.vsix
  drive_args+=(--binary "$binary")
fi

work=$(mktemp -d /tmp/dlc-vscode-ws.XXXXXX)
"$here/pyright-client/build.sh" "$work/pyright-client.vsix"
drive_args+=(--pyright-vsix "$work/pyright-client.vsix")
# With --keep the folder stays with its container (drive.mjs says where).
keep=false
for a in "${drive_args[@]}"; do [ "$a" = --keep ] && keep=true; done
$keep || trap 'rm -rf "$work"' EXIT
ws="$work/mnist"
cp -r "$repo/examples/mnist" "$ws"
if $example; then
  # As scripts/demo.sh: where Docker Hub is out of reach, a local debootstrap of bookworm stands in
  # for debian:bookworm-slim.
  if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 && ! docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    echo "==> Docker Hub is out of reach: tagging a local debootstrap of bookworm as debian:bookworm-slim"
    "$repo/tests/images/build.sh" bookworm
    docker tag dlc-test/bookworm:latest debian:bookworm-slim
  fi
else
  "$ext/test/images/build.sh" torch-jupyter
  rm -rf "$ws/.devcontainer"
  cp -r "$here/devcontainer" "$ws/.devcontainer"
fi

shots=${DLC_E2E_SHOTS:-$([ "${shots_default:-}" = bundled ] && echo "$work/shots" || echo "$repo/docs/images")}
status=0
echo "==> driving VS Code"
node "$here/drive.mjs" --code-server "$code_server" --vsix "$vsix" --workspace "$ws" --shots "$shots" "${drive_args[@]}" || status=1

# `dlcontainer code`: code-server in the container, reached through the URL the CLI prints (the source
# tree's server only: the released .vsix's run is about the extension).
if [ "${shots_default:-}" != bundled ]; then
  echo "==> dlcontainer code: code-server in the container (tests/images/build.sh code-server: ~10 minutes the first time)"
  "$repo/tests/images/build.sh" code-server
  cp -r "$repo/examples/mnist" "$work/mnist-code"
  code_args=()
  $keep && code_args+=(--keep)
  node "$here/code.mjs" --binary "$binary" --workspace "$work/mnist-code" --shots "$shots" "${code_args[@]}" || status=1
fi
exit $status
