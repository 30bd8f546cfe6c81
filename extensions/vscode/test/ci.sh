#!/usr/bin/env bash
# The VS Code extension in the suite (scripts/test.sh): checks that the editors' wire types match
# schemas/protocol/ (scripts/protocol-types: regenerated and compared, and the generator's own tests),
# installs the extension's npm packages, type-checks, builds the .vsix, and runs its unit tests (node's
# test runner) against the given dlcontainer binary and the real Docker engine.
# Usage: extensions/vscode/test/ci.sh BUILD/server/dlcontainer
# With DLC_E2E=1 it then runs the end-to-end test in code-server too (test/e2e/run.sh: installs
# code-server and chromium on first use, ~6 minutes of downloads; the run itself ~1.5 minutes).
set -euo pipefail
binary=$(readlink -f "${1:?usage: ci.sh PATH/TO/dlcontainer}")
cd "$(dirname "$0")/.."
(
  cd ../../scripts/protocol-types
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  node generate.mjs --check
  node --test --test-reporter=spec generate.test.mjs
)
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run -s typecheck
npm run -s package >/dev/null
test/images/build.sh
echo "built $(pwd)/dlcontainer.vsix ($(stat -c %s dlcontainer.vsix) bytes)"
# What the server remembers between plans goes to a folder of the run's own, not the user's ~/.cache.
cache=$(mktemp -d /tmp/dlc-vscode-cache.XXXXXX)
trap 'rm -rf "$cache"' EXIT
DLC_BINARY="$binary" XDG_CACHE_HOME="$cache" npm test
if [ "${DLC_E2E:-0}" = 1 ]; then
  echo "==> the end-to-end test in code-server (DLC_E2E=1)"
  DLC_BINARY="$binary" test/e2e/run.sh
fi
