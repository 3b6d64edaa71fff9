#!/usr/bin/env bash
# Installs what the VS Code e2e tests need on a fresh Debian 12 machine (Node 20, as root): Debian's chromium,
# code-server 4.100.3 (= VS Code 1.100.3, the last release for Node 20), playwright-core and @vscode/vsce,
# into a cache outside the repository ($BOOTSCOPE_E2E_CACHE, default ~/.cache/bootscope-e2e). Idempotent.
set -euo pipefail
CACHE=${BOOTSCOPE_E2E_CACHE:-$HOME/.cache/bootscope-e2e}
CS_VERSION=4.100.3
PW_VERSION=1
VSCE_VERSION=3
mkdir -p "$CACHE"
# code-server writes ~/.config/code-server/config.yaml even for --version: keep it in the cache.
export XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CACHE_HOME="$CACHE/xdg/cache"

# 1. apt: the browser, and build deps for code-server's native modules (kerberos needs gssapi headers).
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
for p in build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cd "$CACHE"
[ -f package.json ] || echo '{"name":"bootscope-e2e-cache","private":true}' > package.json

# 2. code-server. @vscode/ripgrep's postinstall downloads rg from GitHub; it first looks in
#    $TMPDIR/vscode-ripgrep-cache-<ver>/, so seed that with Debian's rg. As root the postinstall needs
#    npm_config_unsafe_perm=true; node-pty's postinstall runs `npx node-gyp`, which needs npm_config_yes=true.
if [ ! -x node_modules/.bin/code-server ] || ! node_modules/.bin/code-server --version 2>/dev/null | grep -q "^$CS_VERSION"; then
  export TMPDIR="$CACHE/tmp"
  RGC="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RGC"
  if [ ! -f "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
    cp "$(command -v rg)" "$TMPDIR/rg" && tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR" rg && rm "$TMPDIR/rg"
  fi
  npm_config_unsafe_perm=true npm_config_yes=true npm install --save-exact "code-server@$CS_VERSION" "playwright-core@$PW_VERSION" "@vscode/vsce@$VSCE_VERSION" --foreground-scripts --no-audit --no-fund
fi
# 3. playwright-core drives the system chromium; never `playwright install` (it downloads a browser).
#    @vscode/vsce packages the .vsix the UI test installs.
[ -d node_modules/playwright-core ] || npm install "playwright-core@$PW_VERSION" --no-audit --no-fund
[ -x node_modules/.bin/vsce ] || npm install "@vscode/vsce@$VSCE_VERSION" --no-audit --no-fund
node_modules/.bin/code-server --version | head -1
