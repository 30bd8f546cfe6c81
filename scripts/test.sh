#!/usr/bin/env bash
# The whole test suite, from nothing: installs and builds (scripts/setup.sh), starts dockerd, builds the
# local test images, then runs the C++ unit and integration tests against the real engine and the Node
# tests. Run as root on Debian 12. CI runs this through .ci/run with CI=true, where a test never skips
# for lack of Docker: it fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)
"$repo/scripts/setup.sh"

echo "==> test images"
"$repo/tests/images/build.sh"

echo "==> node tools (tests/node)"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "==> C++ tests"
ctest --test-dir build --output-on-failure -j 2 --timeout 600
if [ "${DLC_E2E:-0}" = 1 ]; then
  # Legs the default suite shows by another test (docs/slurm.md, "How it is tested").
  echo "==> end-to-end legs (DLC_E2E=1): SlurmE2E.*"
  build/tests/dlc_integration_tests --gtest_also_run_disabled_tests --gtest_filter='SlurmE2E.*'
fi

echo "==> VS Code extension: .vsix, and its tests against the real server (extensions/vscode/test/ci.sh)"
extensions/vscode/test/ci.sh build/server/dlcontainer

if [ "${DLC_RELEASE:-0}" = 1 ]; then
  # The release as users get it (docs/install.md): built twice from a clean copy of HEAD (byte-identical),
  # lintian, the .deb in bare Debian 12, the portable tarball in bare Debian 12 and 11; with DLC_E2E=1 the
  # released .vsix in code-server with no dlcontainer on PATH.
  echo "==> the release (DLC_RELEASE=1): scripts/release.sh --twice --test"
  "$repo/scripts/release.sh" --twice --test
  if [ "${DLC_E2E:-0}" = 1 ]; then
    extensions/vscode/test/e2e/run.sh --vsix "$(ls "$repo"/dist/dlcontainer-*-linux-x64.vsix)"
  fi
fi

echo "==> all tests passed in $(( $(date +%s) - start ))s"
