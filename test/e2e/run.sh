#!/usr/bin/env bash
# Runs the extension inside a real VS Code (code-server 4.100.3 = VS Code 1.100.3, headless Debian chromium via
# playwright-core): (a) the extensionTestsPath suite (test/e2e/suite) in the Node extension host, (b) packages the
# .vsix with vsce (checking `vsce ls`), (c) the UI test (test/e2e/ui.cjs) against the installed .vsix, with
# screenshots. Installs what is missing first (setup.sh). Exit code = result.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${BOOTSCOPE_E2E_CACHE:-$HOME/.cache/bootscope-e2e}
export E2E_DIR=${BOOTSCOPE_E2E_OUT:-$ROOT/test/.out/e2e}      # artifacts: screenshots, logs, scratch
mkdir -p "$(dirname "$CACHE")"                                  # the setup log sits beside the cache
"$ROOT/test/e2e/setup.sh" >"$CACHE.setup.log" 2>&1 || { cat "$CACHE.setup.log"; exit 1; }
CS="$CACHE/node_modules/.bin/code-server"
export NODE_PATH="$CACHE/node_modules"                          # playwright-core lives in the cache, not the repo
# code-server and chromium write into $HOME otherwise (config.yaml, crash reports, dconf).
export XDG_CONFIG_HOME="$E2E_DIR/xdg/config" XDG_DATA_HOME="$E2E_DIR/xdg/data" XDG_CACHE_HOME="$E2E_DIR/xdg/cache"

cd "$ROOT"
node scripts/build.mjs
rm -rf "$E2E_DIR"; mkdir -p "$E2E_DIR/xdg/home" "$E2E_DIR/screenshots"
node_modules/.bin/esbuild test/e2e/suite/index.ts --bundle --platform=node --format=cjs --target=node20 \
  --external:vscode --log-level=warning --outfile="$E2E_DIR/suite/index.js"
PORT=${BOOTSCOPE_E2E_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
export E2E_BASE="http://127.0.0.1:$PORT" E2E_EXT="$ROOT"

CS_PID=
stop_cs() {
  # code-server runs under setsid: its PID is its process group, which also holds the extension hosts and the
  # file watcher that outlive a plain kill.
  [ -n "$CS_PID" ] || return 0
  kill -- -"$CS_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- -"$CS_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- -"$CS_PID" 2>/dev/null || true
  CS_PID=
}
start_cs() {  # $1 = name of this run, $2 = .vsix to install (optional): fresh user data and workspace each time
  export CS_RUN="$E2E_DIR/$1" E2E_WORKSPACE="$E2E_DIR/$1/workspace"
  mkdir -p "$CS_RUN/user-data/User" "$CS_RUN/extensions"
  cp "$ROOT/test/e2e/settings.json" "$CS_RUN/user-data/User/settings.json"
  cp -r "$ROOT/test/e2e/workspace" "$E2E_WORKSPACE"
  if [ -n "${2:-}" ]; then "$CS" --user-data-dir "$CS_RUN/user-data" --extensions-dir "$CS_RUN/extensions" --install-extension "$2" --force >"$CS_RUN/install.log" 2>&1 || { cat "$CS_RUN/install.log"; return 1; }; fi
  setsid "$CS" --user-data-dir "$CS_RUN/user-data" --extensions-dir "$CS_RUN/extensions" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override --ignore-last-opened >"$CS_RUN/code-server.log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$E2E_BASE/healthz" 2>/dev/null && return 0; sleep 0.1; done
  echo "code-server did not come up"; cat "$CS_RUN/code-server.log"; return 1
}
trap stop_cs EXIT

rc=0
start_cs ext-tests
echo "== extension tests (extensionTestsPath) on $E2E_BASE"
timeout 150 node test/e2e/extTests.cjs "$ROOT" "$E2E_DIR/suite/index.js" || rc=1
stop_cs

echo "== package (vsce)"
VSCE="$CACHE/node_modules/.bin/vsce"
# Only what runs may ship (.vscodeignore): the bundles, the grammars, package.json, the README, LICENSE,
# THIRD_PARTY.md (the licence of the ROM font the bundles embed), CHANGELOG, the icon and the walkthrough's pages.
"$VSCE" ls --no-dependencies </dev/null >"$E2E_DIR/vsce-ls.txt"
if grep -vE '^(package\.json|README\.md|LICENSE|THIRD_PARTY\.md|CHANGELOG\.md|dist/(extension|debugAdapter|cli|vscode-elements)\.js|syntaxes/[A-Za-z]+\.tmLanguage\.json|images/icon\.png|walkthrough/[a-z0-9]+\.md)$' "$E2E_DIR/vsce-ls.txt"; then
  echo "vsce ls: files above should not be in the package"; rc=1
fi
for f in package.json LICENSE THIRD_PARTY.md CHANGELOG.md images/icon.png dist/extension.js dist/debugAdapter.js dist/cli.js dist/vscode-elements.js; do
  grep -qx "$f" "$E2E_DIR/vsce-ls.txt" || { echo "vsce ls: $f missing from the package"; rc=1; }
done
"$VSCE" package --no-dependencies --allow-missing-repository --no-rewrite-relative-links -o "$E2E_DIR/bootscope.vsix" </dev/null >"$E2E_DIR/vsce.log" 2>&1 \
  || { cat "$E2E_DIR/vsce.log"; exit 1; }
echo "packaged $(du -k "$E2E_DIR/bootscope.vsix" | cut -f1) KiB"

# The UI test ends with a tour of the examples folder (the README's screenshots) when nasm can assemble them.
if node scripts/examples.mjs --quiet; then export E2E_EXAMPLES="$ROOT/examples"; fi
# A folder holding only a raw disk image (the syslinux image of test/boot: no listing, no launch.json); F5 right after
# the folder opens, as a new user does (extension/reopenSource.ts covers VS Code's late debug: content provider).
export E2E_RAW_FOLDER="$E2E_DIR/raw-image"
mkdir -p "$E2E_RAW_FOLDER"
RAW_IMG=$(node --import tsx -e "import('./test/boot/images.ts').then((m) => console.log((m.default ?? m).syslinuxImage()))") \
  || { echo "could not build the syslinux image for the raw-image UI test"; exit 1; }
cp "$RAW_IMG" "$E2E_RAW_FOLDER/syslinux.img"
# The same image with a launch configuration that compares it with QEMU (the Compare panel), when QEMU is installed.
if command -v qemu-system-i386 >/dev/null; then
  export E2E_COMPARE_FOLDER="$E2E_DIR/compare"
  mkdir -p "$E2E_COMPARE_FOLDER/.vscode"
  cp "$RAW_IMG" "$E2E_COMPARE_FOLDER/syslinux.img"
  cat >"$E2E_COMPARE_FOLDER/.vscode/launch.json" <<'JSON'
{ "version": "0.2.0", "configurations": [ { "type": "bootscope", "request": "launch", "name": "Compare syslinux with QEMU",
  "image": "${workspaceFolder}/syslinux.img", "compareWith": { "qemu": { "accel": "tcg" } } } ] }
JSON
fi
start_cs ui "$E2E_DIR/bootscope.vsix"
echo "== UI test (Playwright, extension installed from the .vsix) on $E2E_BASE"
E2E_INSTALLED=1 timeout 1200 node test/e2e/ui.cjs || rc=1
stop_cs
echo "screenshots and logs: $E2E_DIR"
exit $rc
