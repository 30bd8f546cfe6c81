#!/usr/bin/env bash
# The VS Code extension in the suite (scripts/test.sh): installs its npm packages, type-checks, builds
# the .vsix, and runs its unit tests (node's test runner) against the given dlcontainer binary and the
# real Docker engine. Usage: extensions/vscode/test/ci.sh BUILD/server/dlcontainer
set -euo pipefail
binary=$(readlink -f "${1:?usage: ci.sh PATH/TO/dlcontainer}")
cd "$(dirname "$0")/.."
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run -s typecheck
npm run -s package >/dev/null
test/images/build.sh
echo "built $(pwd)/dlcontainer.vsix ($(stat -c %s dlcontainer.vsix) bytes)"
DLC_BINARY="$binary" npm test
