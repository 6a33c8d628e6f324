#!/usr/bin/env bash
# `npm run audit`: dependency audit against the public advisory databases (needs the network).
#
#   npm    npm audit --omit=dev      the runtime npm packages (the d3 modules and their imports)
#   cargo  cargo audit -D warnings   Cargo.lock, then fuzz/Cargo.lock (cargo-audit is installed if
#                                    missing); warnings (unmaintained, unsound, yanked) count as findings
#
# Options:
#   --db DIR   run cargo audit offline against a local copy of the RustSec advisory-db laid out as
#              upstream (DIR/crates/NAME/RUSTSEC-*.md); no git needed. docs/audit.md says how the last
#              offline audit was made.
#   --no-npm   skip npm audit (its advisory service has no offline mode)
#   --no-cargo skip cargo audit
#
# Exit status: 0 clean; 1 findings (printed above the summary); 3 an advisory source could not be
# reached (and nothing was found elsewhere), so the result is unknown, not clean; 2 usage or tool
# error. Not part of `npm test`: it needs the network.
set -uo pipefail

db=""
run_npm=1
run_cargo=1
while [ $# -gt 0 ]; do
  case "$1" in
    --db) [ $# -ge 2 ] || { echo "audit: --db needs a directory" >&2; exit 2; }; db=$2; shift 2 ;;
    --db=*) db=${1#--db=}; shift ;;
    --no-npm) run_npm=0; shift ;;
    --no-cargo) run_cargo=0; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "audit: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$db" ]; then
  if [ ! -d "$db/crates" ]; then
    echo "audit: --db $db: no crates/ folder there (expected an advisory-db layout)" >&2
    exit 2
  fi
  db=$(cd "$db" && pwd)
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
findings=()
unreachable=()
errors=()
clean=()

# ── npm ───────────────────────────────────────────────────────────────────────────────────────
# npm audit exits 1 both for findings and for a failed request; the JSON tells them apart: a report
# has auditReportVersion, a failure has statusCode/message (e.g. 405 where the bulk endpoint is
# blocked, ENOTFOUND offline).
audit_npm() {
  echo "== npm audit --omit=dev"
  npm audit --omit=dev --json >"$tmp/npm.json" 2>"$tmp/npm.err"
  node - "$tmp/npm.json" "$tmp/npm.verdict" <<'EOF'
const fs = require('node:fs');
const say = (verdict) => fs.writeFileSync(process.argv[3], verdict);
let r;
try { r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')); } catch { r = null; }
if (!r || r.auditReportVersion === undefined) {
  const why = r?.message ?? r?.error?.summary ?? 'no audit report';
  console.log(`npm audit: advisory service unreachable: ${why}`);
  say('unreachable');
  process.exit(0);
}
const vulns = Object.values(r.vulnerabilities ?? {});
for (const v of vulns) {
  const via = (v.via ?? []).map((x) => (typeof x === 'string' ? `via ${x}` : `${x.title} ${x.url}`));
  console.log(`  ${v.name} ${v.range} [${v.severity}] ${via.join('; ')}${v.fixAvailable ? ' (fix available)' : ''}`);
}
const deps = r.metadata?.dependencies?.prod ?? r.metadata?.dependencies?.total ?? '?';
console.log(`npm audit: ${vulns.length} vulnerable package(s) among ${deps} production dependencies`);
say(vulns.length === 0 ? 'clean' : 'findings');
EOF
  case "$(cat "$tmp/npm.verdict" 2>/dev/null)" in
    clean) clean+=("npm") ;;
    findings) findings+=("npm") ;;
    unreachable) unreachable+=("npm (registry advisory endpoint)") ;;
    *) cat "$tmp/npm.err" >&2; errors+=("npm") ;;
  esac
}

# ── cargo ─────────────────────────────────────────────────────────────────────────────────────
ensure_cargo_audit() {
  cargo audit --version >/dev/null 2>&1 && return 0
  echo "audit: installing cargo-audit (cargo install cargo-audit --locked)…"
  cargo install cargo-audit --locked >"$tmp/install.log" 2>&1 ||
    cargo install cargo-audit >>"$tmp/install.log" 2>&1 || {
    tail -n 5 "$tmp/install.log" >&2
    return 1
  }
}

# cargo audit exits 1 both for findings and for a failed database fetch; its last lines tell.
audit_lockfile() {
  local lock=$1
  local args=(audit --deny warnings --file "$lock")
  [ -n "$db" ] && args+=(--db "$db" --no-fetch)
  echo "== cargo ${args[*]}"
  cargo "${args[@]}" >"$tmp/cargo.out" 2>&1
  local rc=$?
  cat "$tmp/cargo.out"
  if [ $rc -eq 0 ]; then
    clean+=("cargo:$lock")
  elif grep -Eq "^error: [0-9]+ (vulnerabilit|denied warning)" "$tmp/cargo.out"; then
    findings+=("cargo:$lock")
  elif grep -Eqi "couldn't fetch advisory database|error sending request|failed to (open|fetch).*advisory" "$tmp/cargo.out"; then
    unreachable+=("cargo:$lock (RustSec advisory-db)")
  else
    errors+=("cargo:$lock")
  fi
}

[ $run_npm = 1 ] && audit_npm
if [ $run_cargo = 1 ]; then
  if ensure_cargo_audit; then
    audit_lockfile Cargo.lock
    [ -f fuzz/Cargo.lock ] && audit_lockfile fuzz/Cargo.lock
  else
    errors+=("cargo (cargo-audit could not be installed)")
  fi
fi

echo
echo "──────────────────────────────────────────────────────────────────────────────"
[ ${#clean[@]} -gt 0 ] && echo "clean:       ${clean[*]}"
[ ${#findings[@]} -gt 0 ] && echo "FINDINGS:    ${findings[*]}"
[ ${#unreachable[@]} -gt 0 ] && echo "UNREACHABLE: ${unreachable[*]} — not audited; rerun online (or cargo with --db DIR)"
[ ${#errors[@]} -gt 0 ] && echo "ERROR:       ${errors[*]}"
if [ ${#findings[@]} -gt 0 ]; then
  echo "audit: FINDINGS"; exit 1
elif [ ${#errors[@]} -gt 0 ]; then
  echo "audit: ERROR"; exit 2
elif [ ${#unreachable[@]} -gt 0 ]; then
  echo "audit: INCOMPLETE (advisory source unreachable)"; exit 3
fi
echo "audit: clean"
