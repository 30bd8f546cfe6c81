#!/usr/bin/env bash
# Builds the extension's test images on top of tests/images' ones, once each: cached by the recipe's
# hash in a label, as tests/images/build.sh does. Nothing is pulled.
#   build.sh                 dlc-test/vscode-jupyter (images/jupyter: the unit tests' image)
#   build.sh torch-jupyter   dlc-test/vscode-torch-jupyter (the end-to-end test's: torch and Jupyter)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(jupyter)
for name in "${names[@]}"; do
  case "$name" in
    jupyter) base=(bookworm python) ;;
    torch-jupyter) base=(bookworm python torch) ;;
    *) echo "build.sh: no image $name (jupyter, torch-jupyter)" >&2; exit 2 ;;
  esac
  "$repo/tests/images/build.sh" "${base[@]}" >/dev/null
  tag=dlc-test/vscode-$name:latest
  want=$(sha256sum "$here/$name/Dockerfile" | cut -c1-16)
  have=$(docker image inspect --format '{{ index .Config.Labels "dev.dlcontainer.test-recipe" }}' "$tag" 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    echo "$tag: building"
    docker build -q --network host --label "dev.dlcontainer.test-recipe=$want" -t "$tag" "$here/$name" >/dev/null
  fi
  echo "$tag: up to date"
done
