#!/usr/bin/env bash
# Builds dlc-test/vscode-jupyter:latest (images/jupyter/Dockerfile) on top of tests/images' python
# image, once: cached by the recipe's hash in a label, as tests/images/build.sh does. Nothing is pulled.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
"$repo/tests/images/build.sh" bookworm python >/dev/null
want=$(sha256sum "$here/jupyter/Dockerfile" | cut -c1-16)
have=$(docker image inspect --format '{{ index .Config.Labels "dev.dlcontainer.test-recipe" }}' dlc-test/vscode-jupyter:latest 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "dlc-test/vscode-jupyter: building"
  docker build -q --network host --label "dev.dlcontainer.test-recipe=$want" -t dlc-test/vscode-jupyter:latest "$here/jupyter" >/dev/null
fi
echo "dlc-test/vscode-jupyter: up to date"
