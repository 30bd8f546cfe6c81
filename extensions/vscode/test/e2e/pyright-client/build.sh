#!/usr/bin/env bash
# Packages the test-only pyright client (extension.js with vscode-languageclient bundled in) as a .vsix.
# Usage: build.sh OUT.vsix   (run from anywhere; needs the extension's npm ci)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(cd "$here/../../.." && pwd)
out=$(realpath -m "$1")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$here/package.json" "$stage/"
printf '# pyright client for the end-to-end test\n\nTest only: see extension.js.\n' >"$stage/README.md"
"$ext/node_modules/.bin/esbuild" "$here/extension.js" --bundle --platform=node --format=cjs --target=node20 \
  --external:vscode --log-level=warning --outfile="$stage/extension.js"
(cd "$stage" && "$ext/node_modules/.bin/vsce" package --allow-missing-repository --skip-license -o "$out" >/dev/null)
