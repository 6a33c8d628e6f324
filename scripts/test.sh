#!/usr/bin/env bash
# `npm test`: every check, in order, stopping at the first failure with the stage's name.
#
#   setup         scripts/setup.sh (wasm target, wasm-bindgen-cli, npm ci, chromium)
#   lint          eslint (flat config) over www/, e2e/, tests/node/, scripts/
#   cargo-test    cargo test --no-fail-fast        native: lib, bin, tests/*.rs, doctests
#   torch         tests/python/check_torch.py in the PyTorch venv: the generated script prunes as
#                 the CLI does, exported models load in torch (skipped, saying so, without the
#                 venv; scripts/torch-env.sh creates it, and CI always does)
#   wasm-node     cargo test --target wasm32-unknown-unknown --test web            (Node.js)
#   wasm-browser  the same with WASM_BINDGEN_USE_BROWSER=1 and /usr/bin/chromedriver (headless)
#   build-wasm    scripts/build-wasm.sh            release build + wasm-bindgen + wasm-opt → www/pkg
#   typecheck     tsc (checkJs, JSDoc types) over www/*.js against www/pkg's .d.ts
#   node-tests    node --test tests/node/*.test.mjs (wasm API in Node, CLI↔wasm parity, server)
#   e2e           playwright test (e2e/*.spec.js) in /usr/bin/chromium
#   package       scripts/test-package.mjs: `npm pack`s the element's npm package (packages/element),
#                 installs the tarball offline into a blank Vite project (vite build) and a blank
#                 HTML folder, and drives both in Chromium (e2e/package.spec.js)
#
# Only tests/web.rs is built for wasm (`--test web`): the other integration tests and the lib's
# unit tests are native tests (`#[test]`, proptest), which wasm-bindgen-test-runner cannot run.
# The wasm stages are skipped, with a notice, while tests/web.rs does not exist.
#
# Environment: TEST_ONLY="stage stage…" runs only those stages (setup always runs);
# PP_TORCH_VENV: the PyTorch venv (default ~/.cache/pruning-playground/torch-venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

started=$SECONDS
passed=()
skipped=()

summary() {
  local failed=$1
  echo
  echo "──────────────────────────────────────────────────────────────────────────────"
  [ ${#passed[@]} -gt 0 ] && echo "passed:  ${passed[*]}"
  [ ${#skipped[@]} -gt 0 ] && echo "skipped: ${skipped[*]}"
  echo "npm test: $([ "$failed" = 0 ] && echo OK || echo FAILED) in $((SECONDS - started)) s"
  echo "npm test summary: stages green ${#passed[@]}, red $failed, skipped ${#skipped[@]}"
}

wanted() {
  [ -z "${TEST_ONLY:-}" ] || [[ " $TEST_ONLY " == *" $1 "* ]]
}

# stage NAME COMMAND...: runs COMMAND; on failure prints which stage failed and exits.
stage() {
  local name=$1
  shift
  if [ "$name" != setup ] && ! wanted "$name"; then
    return 0
  fi
  echo
  echo "━━━ [$name] $*"
  local t0=$SECONDS rc
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    echo >&2
    echo "✗ npm test: stage '$name' FAILED (exit $rc): $*" >&2
    summary 1
    exit "$rc"
  fi
  passed+=("$name($((SECONDS - t0))s)")
}

# skip NAME REASON [SHORT]: records a skipped stage; SHORT, if given, goes into the summary.
skip() {
  wanted "$1" || return 0
  echo
  echo "━━━ [$1] SKIPPED: $2"
  skipped+=("$1${3:+ ($3)}")
}

lint() {
  node_modules/.bin/eslint --max-warnings 0 .
}

typecheck() {
  node_modules/.bin/tsc -p tsconfig.json
  node_modules/.bin/tsc -p tsconfig.worker.json
}

wasm_test() {
  cargo test --target wasm32-unknown-unknown --test web
}

wasm_test_browser() {
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" WASM_BINDGEN_USE_BROWSER=1 \
    cargo test --target wasm32-unknown-unknown --test web
}

node_tests() {
  shopt -s nullglob
  local files=(tests/node/*.test.mjs)
  [ ${#files[@]} -gt 0 ] || { echo "no tests/node/*.test.mjs" >&2; return 1; }
  node --test --test-reporter=spec "${files[@]}"
}

torch_venv="${PP_TORCH_VENV:-$HOME/.cache/pruning-playground/torch-venv}"

# The generated PyTorch script and the exported models, in real torch, against the CLI built by
# cargo-test (a debug build: the networks are tiny).
torch_checks() {
  cargo build --quiet --bin pruning-playground
  local target
  target="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  "$torch_venv/bin/python" tests/python/check_torch.py --bin "$target/debug/pruning-playground"
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

e2e() {
  mkdir -p e2e/artifacts
  E2E_PORT="${E2E_PORT:-$(free_port)}" node_modules/.bin/playwright test
}

stage setup bash scripts/setup.sh
stage lint lint
stage cargo-test cargo test --no-fail-fast
if [ -x "$torch_venv/bin/python" ]; then
  stage torch torch_checks
else
  skip torch "no PyTorch venv at $torch_venv; bash scripts/torch-env.sh creates it (CI runs it before npm test)" \
    "no PyTorch venv: bash scripts/torch-env.sh"
fi
if [ -f tests/web.rs ]; then
  stage wasm-node wasm_test
  stage wasm-browser wasm_test_browser
else
  skip wasm-node "tests/web.rs does not exist (cargo test --target wasm32-unknown-unknown --test web)"
  skip wasm-browser "tests/web.rs does not exist"
fi
stage build-wasm bash scripts/build-wasm.sh
stage typecheck typecheck
stage node-tests node_tests
stage e2e e2e
stage package node scripts/test-package.mjs

summary 0
