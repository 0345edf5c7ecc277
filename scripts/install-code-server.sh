#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3 in a browser) into ./.tools/code-server
# for the end-to-end test, offline-safe: only the npm registry is used (its own
# postinstall downloads ripgrep from the internet, so scripts are skipped and the
# native modules rebuilt here; ripgrep comes from Debian). See ../shared/E2E.md.
# Idempotent: a finished install leaves a stamp file and is not redone.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.100.3
TOOLS="$PWD/.tools/code-server"
STAMP="$TOOLS/.installed-$VERSION"
if [ -f "$STAMP" ]; then
  echo "code-server $VERSION already installed in $TOOLS"
  exit 0
fi

for cmd in npm rg g++ make python3; do
  command -v "$cmd" >/dev/null || { echo "install-code-server: '$cmd' is missing (see scripts/apt-packages.txt)" >&2; exit 1; }
done

mkdir -p "$TOOLS"
cd "$TOOLS"
[ -f package.json ] || echo '{ "name": "lvs-e2e-tools", "private": true }' > package.json
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo "== code-server $VERSION (npm, --ignore-scripts)"
npm install --ignore-scripts --no-save "code-server@$VERSION" >/dev/null

VSC="$TOOLS/node_modules/code-server/lib/vscode"
echo "== VS Code server dependencies"
(cd "$VSC" && npm install --omit=dev --ignore-scripts >/dev/null)
(cd "$VSC/extensions" && npm install --omit=dev --ignore-scripts >/dev/null)

echo "== native modules"
(cd "$VSC" && npm rebuild kerberos node-pty @vscode/spdlog @parcel/watcher native-watchdog @vscode/deviceid >/dev/null)
mkdir -p "$VSC/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VSC/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VSC/node_modules.asar"
(cd "$VSC/bin/remote-cli" && ln -sf code-linux.sh code-server)
(cd "$VSC/bin/helpers" && ln -sf browser-linux.sh browser.sh)
npm rebuild argon2 >/dev/null

node node_modules/code-server/out/node/entry.js --version
touch "$STAMP"
echo "code-server $VERSION installed in $TOOLS"
