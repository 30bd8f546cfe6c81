#!/usr/bin/env bash
# Installs what the end-to-end test drives: code-server 4.100.3 (VS Code 1.100.3, the last release that
# runs on node 20) from the npm registry, and Debian's chromium. Nothing else is downloaded: the one
# postinstall that would fetch a binary (@vscode/ripgrep) finds Debian's rg in its cache instead.
# Usage: install-code-server.sh [PREFIX]   (default /opt/code-server; ~300 MB, a few minutes)
set -euo pipefail
prefix=${1:-/opt/code-server}
export DEBIAN_FRONTEND=noninteractive
need=()
for p in build-essential python3 pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
export XDG_CONFIG_HOME="$prefix/tmp/xdg-config"  # code-server --version writes a config there
if [ -x "$prefix/node_modules/.bin/code-server" ]; then
  "$prefix/node_modules/.bin/code-server" --version >/dev/null 2>&1 && exit 0
fi
mkdir -p "$prefix/tmp"
cache="$prefix/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
seed=$(mktemp -d)
cp /usr/bin/rg "$seed/rg"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$seed" rg
rm -rf "$seed"
cd "$prefix"
[ -f package.json ] || echo '{"name":"code-server-host","private":true}' >package.json
# As root, postinstall scripts need --unsafe-perm; node-pty's runs npx, which must not prompt.
TMPDIR="$prefix/tmp" FORCE_NODE_VERSION=20 npm_config_yes=true \
  npm install --unsafe-perm --foreground-scripts --no-fund --no-audit --loglevel=error code-server@4.100.3 >/dev/null
"$prefix/node_modules/.bin/code-server" --version >/dev/null
