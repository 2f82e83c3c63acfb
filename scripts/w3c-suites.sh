#!/usr/bin/env bash
# Run the W3C / W3C-CCG conformance suites against this app, served over HTTPS on loopback.
#
#   bash scripts/w3c-suites.sh SUITES_DIR [--results DIR] [--only NAME[,NAME…]]
#
# SUITES_DIR holds one checkout per suite (SUITES_DIR/<name>, git dependencies replaced by
# file: paths, node_modules installed with npm install --install-links; README.md, "Running
# the W3C test suites"). Every such suite found there is run.
#
# What it does:
#   * a fresh instance (SQLite database, keys, queue) in a temporary directory; a did:key
#     issuer (`issuer init --did-method key`) and an API token with the issue, revoke and
#     read scopes (`issuer tokens create`);
#   * a self-signed certificate for localhost / 127.0.0.1 / ::1 (openssl), and gunicorn
#     serving `issuer:create_app()` with it on a free loopback port, with
#     ISSUER_BASE_URL=https://localhost:<port> and ISSUER_VERIFY_FETCH_PRIVATE=true;
#   * writes each suite's localConfig.cjs (the vc-test-suite-implementations hook for local
#     implementations; it reads the base URL, issuer id and token from the environment, so
#     the token is never written to disk) and removes it again at the end;
#   * for vc-jose-cose-test-suite, which runs each implementation as
#     `docker compose … run --rm <name> issue|verify …`, a `docker` stand-in first on PATH
#     that runs scripts/w3c-jose-cose-impl.sh with the suite's own key and input files;
#   * runs each suite's mocha tests with the JSON reporter, prints passed / failed / pending
#     per suite and in total, and keeps every report under the results folder it prints:
#       <suite>.json  mocha's JSON report      <suite>.log  what the tests printed
#       <suite>.exchanges.jsonl  every HTTP exchange with our server while it ran (method,
#                     path, request and response bodies; no headers)
#       summary.tsv   counts per suite          failures.txt every failure with its message
#       server.log    gunicorn's access and error log
#       vc-jose-cose-test-suite-outputs/  what our JOSE-COSE command answered, per test
# The server is stopped at the end whatever happens. Exit status: 0 every test passed,
# 1 some test failed, 2 the harness could not run.
#
# Environment:
#   W3C_SUITE_TIMEOUT       seconds one suite may run (default 1800)
#   W3C_JOSE_FEATURES       vc-jose-cose features we claim (default
#                           credential_jose,presentation_jose; the others are pending)
#   W3C_SUITES_JOSE_OPTIONS VC-API issue `options` (JSON) that ask for a VC-JOSE-COSE
#                           credential: when set, an extra issuer tagged JWT and
#                           EnvelopingProof sends them, and the verifiers are tagged JWT and
#                           EnvelopingProof too (vc-api-issuer and vc-api-verifier JWT tests,
#                           VC DM 2.0 enveloped-credential tests). Ours is '{"format":
#                           "vc+jwt"}'. Unset by default: those tests are outside the counts
#                           README.md reports (see there for what they find).
set -euo pipefail

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 1 ] || usage
SUITES_DIR=$1; shift
RESULTS=""
ONLY=""
while [ $# -gt 0 ]; do
    case $1 in
        --results) RESULTS=${2:?--results needs a directory}; shift 2 ;;
        --only) ONLY=${2:?--only needs suite names}; shift 2 ;;
        *) usage ;;
    esac
done
[ -d "$SUITES_DIR" ] || { echo "no such directory: $SUITES_DIR" >&2; exit 2; }
SUITES_DIR=$(cd "$SUITES_DIR" && pwd)
REPO=$(cd "$(dirname "$0")/.." && pwd)
IMPL_NAME=LocalIssuer   # one word: the JOSE suite puts it unquoted in a shell command
for tool in openssl node npx curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done

# -- the suites ---------------------------------------------------------------------------------
suites=()
for dir in "$SUITES_DIR"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -f "$dir/package.json" ] && [ -d "$dir/tests" ] || continue
    [ -d "$dir/node_modules/vc-test-suite-implementations" ] || continue
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    suites+=("$name")
done
if [ ${#suites[@]} -eq 0 ]; then
    echo "no prepared suite in $SUITES_DIR (see README.md, "Running the W3C test suites")" >&2
    exit 2
fi

# -- results and a scratch directory, removed (with the server stopped) on any exit ------------
if [ -z "$RESULTS" ]; then
    RESULTS="$SUITES_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)"
fi
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/w3c-suites.XXXXXX")
SERVER_PID=""
CONFIG_MARK="Written by scripts/w3c-suites.sh"
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    for name in "${suites[@]}"; do
        local config="$SUITES_DIR/$name/localConfig.cjs"
        if [ -f "$config" ] && head -1 "$config" | grep -q "$CONFIG_MARK"; then rm -f "$config"; fi
        if [ -f "$config.w3c-suites-saved" ]; then mv "$config.w3c-suites-saved" "$config"; fi
    done
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- python environment (the .venv scripts/test.sh makes and uses) ---------------------------------
cd "$REPO"
if ! .venv/bin/python -c 'import issuer, gunicorn, urllib3' 2>/dev/null; then
    echo "installing the app into .venv (pip install -e '.[test]') …" >&2
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -e '.[test]' >"$RESULTS/pip.log" 2>&1 \
        || { echo "pip install failed; see $RESULTS/pip.log" >&2; exit 2; }
fi
PY="$REPO/.venv/bin/python"

# -- the instance ----------------------------------------------------------------------------------
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL="https://localhost:$PORT"
export ISSUER_INSTANCE_PATH="$WORK/instance"
export ISSUER_DATABASE_URL="sqlite:///$WORK/instance/issuer.sqlite3"
export ISSUER_QUEUE_URL="sqlite:///$WORK/instance/queue.sqlite3"
export ISSUER_KEYS_DIR="$WORK/keys"
export ISSUER_BASE_URL="$BASE_URL"
export ISSUER_VERIFY_FETCH_PRIVATE=true
ISSUER_SECRET_KEY=$(openssl rand -hex 32); export ISSUER_SECRET_KEY
ISSUER_ADMIN_PASSWORD=$(openssl rand -hex 16); export ISSUER_ADMIN_PASSWORD
unset ISSUER_RATE_LIMIT_REDIS_URL ISSUER_SMTP_URL ISSUER_PROXY_COUNT
mkdir -p "$ISSUER_INSTANCE_PATH" "$ISSUER_KEYS_DIR"
chmod 700 "$WORK" "$ISSUER_KEYS_DIR"

ISSUER_ID=$(.venv/bin/issuer init --admin-email admin@example.org --issuer-name "W3C test suites" \
    --did-method key 2>>"$RESULTS/server.log") \
    || { echo "issuer init failed; see $RESULTS/server.log" >&2; exit 2; }
TOKEN=$(.venv/bin/issuer tokens create --issuer main --scope issue --scope revoke --scope read \
    --name w3c-suites 2>>"$RESULTS/server.log") \
    || { echo "issuer tokens create failed; see $RESULTS/server.log" >&2; exit 2; }
unset ISSUER_ADMIN_PASSWORD
case $ISSUER_ID in did:key:*) ;; *) echo "issuer init did not print a did:key" >&2; exit 2 ;; esac

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

export W3C_EXCHANGE_LOG="$WORK/exchanges.jsonl"
binds=(--bind "127.0.0.1:$PORT")
if "$PY" -c 'import socket, sys; s = socket.socket(socket.AF_INET6); s.bind(("::1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
    binds+=(--bind "[::1]:$PORT")   # "localhost" may resolve to ::1 first
fi
"$PY" -m gunicorn "${binds[@]}" --workers 2 --threads 4 --timeout 120 --graceful-timeout 5 \
    --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" \
    --access-logfile - --error-logfile - \
    --pythonpath "$REPO/scripts" "w3c_exchange_log:create_logged_app()" >>"$RESULTS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do
    if curl -sk -o /dev/null --max-time 2 "$BASE_URL/"; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server did not start; see $RESULTS/server.log" >&2; exit 2; }
    sleep 0.2
done
curl -sk -o /dev/null --max-time 2 "$BASE_URL/" \
    || { echo "the server does not answer on $BASE_URL; see $RESULTS/server.log" >&2; exit 2; }
echo "serving $BASE_URL (issuer $ISSUER_ID); results in $RESULTS" >&2

# -- the implementation config every suite reads (no secret in it) ---------------------------
export W3C_SUITES_BASE_URL="$BASE_URL" W3C_SUITES_ISSUER_ID="$ISSUER_ID" W3C_SUITES_TOKEN="$TOKEN"
export W3C_SUITES_IMPL_NAME="$IMPL_NAME"
# the implementations whose issuers make the credentials some verifier tests check
export ISSUER_NAME="$IMPL_NAME" ISSUER_NAME_JWT="$IMPL_NAME"
export W3C_JOSE_FEATURES="${W3C_JOSE_FEATURES-credential_jose,presentation_jose}"
export W3C_SUITES_JOSE_OPTIONS="${W3C_SUITES_JOSE_OPTIONS:-}"
write_local_config() {
    local config="$1/localConfig.cjs"
    if [ -f "$config" ] && ! head -1 "$config" | grep -q "$CONFIG_MARK"; then
        mv "$config" "$config.w3c-suites-saved"   # someone's own: put back at the end
    fi
    cat >"$config" <<'EOF'
// Written by scripts/w3c-suites.sh (issuer repository) for one run, removed after it.
// The vc-test-suite-implementations hook for local implementations: only these run.
const env = name => {
  if (!process.env[name]) {
    throw new Error(`${name} is not set: run the suites through scripts/w3c-suites.sh`);
  }
  return process.env[name];
};
const base = env('W3C_SUITES_BASE_URL');
const id = env('W3C_SUITES_ISSUER_ID');
const headers = {Authorization: `Bearer ${env('W3C_SUITES_TOKEN')}`};
const joseOptions = process.env.W3C_SUITES_JOSE_OPTIONS ?
  JSON.parse(process.env.W3C_SUITES_JOSE_OPTIONS) : null;
const allFeatures = ['credential_jose', 'presentation_jose', 'credential_sdjwt',
  'presentation_sdjwt', 'credential_cose', 'presentation_cose'];
const claimed = (process.env.W3C_JOSE_FEATURES || '').split(',').filter(Boolean);
const issue = `${base}/credentials/issue`;

const issuers = [{
  // Data Integrity eddsa-rdfc-2022, no credentialStatus unless the credential asks
  id, endpoint: issue, headers,
  supports: {vc: ['1.1', '2.0']},
  tags: ['vc-api', 'vc2.0', 'eddsa-rdfc-2022', 'localhost']
}, {
  // the same, with a revocation BitstringStatusListEntry from our status lists
  id, endpoint: issue, headers,
  options: {credentialStatus: {type: 'BitstringStatusListEntry', statusPurpose: 'revocation'}},
  tags: ['BitstringStatusList']
}];
const verifier = {
  id, endpoint: `${base}/credentials/verify`,
  tags: ['vc-api', 'vc2.0', 'eddsa-rdfc-2022', 'BitstringStatusList', 'localhost']
};
const vpVerifier = {
  id, endpoint: `${base}/presentations/verify`,
  tags: ['vc-api', 'vc2.0', 'eddsa-rdfc-2022', 'localhost']
};
if (joseOptions) {
  issuers.push({id, endpoint: issue, headers, options: joseOptions,
    tags: ['vc-api', 'JWT', 'EnvelopingProof']});
  verifier.tags.push('JWT', 'EnvelopingProof');
  vpVerifier.tags.push('EnvelopingProof');
}
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: process.env.W3C_SUITES_IMPL_NAME || 'LocalIssuer',
    implementation: 'issuer (this repository)',
    issuers,
    verifiers: [verifier],
    vpVerifiers: [vpVerifier],
    'jose-cose': {
      features: Object.fromEntries(allFeatures.map(f => [f, claimed.includes(f)]))
    }
  }]
};
EOF
}

# vc-jose-cose-test-suite runs `docker compose -f ./implementations/compose.yml run --rm
# <impl> <fn> --input /tests/input/… --key /tests/input/… --feature … [--sd '…'] --output
# /tests/output/<n>-<impl>.json` through a shell: this stand-in maps /tests to the suite's
# tests/ folder and runs our command instead of a container.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/docker" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
args=("$@")
i=0
while [ $i -lt ${#args[@]} ] && [ "${args[$i]}" != "--rm" ]; do i=$((i + 1)); done
if [ "${1:-}" != compose ] || [ $i -ge ${#args[@]} ]; then
    echo "docker stand-in (scripts/w3c-suites.sh): only 'compose … run --rm IMPL …'" >&2
    exit 125
fi
impl=${args[$((i + 1))]:-}
if [ "$impl" != "$W3C_SUITES_IMPL_NAME" ]; then
    echo "docker stand-in: no local command for implementation $impl" >&2
    exit 125
fi
rest=()
for arg in "${args[@]:$((i + 2))}"; do
    case $arg in /tests/*) arg="$W3C_JOSE_SUITE_DIR/tests/${arg#/tests/}" ;; esac
    rest+=("$arg")
done
exec bash "$W3C_JOSE_IMPL" "${rest[@]}"
EOF
chmod +x "$WORK/bin/docker"
export W3C_JOSE_IMPL="$REPO/scripts/w3c-jose-cose-impl.sh" W3C_ISSUER_PYTHON="$PY"

# -- run --------------------------------------------------------------------------------------------
# the suites' HTTPS clients must accept the self-signed certificate (most already pass an
# agent with rejectUnauthorized: false; NODE_EXTRA_CA_CERTS covers the others)
export NODE_EXTRA_CA_CERTS="$WORK/cert.pem"
node_flags=()
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
    # vc-jose-cose-test-suite uses iterator helpers (Node 22); Node 20 has them behind a flag
    node_flags+=(--v8-harmony-iterator-helpers)
fi
harness_error=0
for name in "${suites[@]}"; do
    dir="$SUITES_DIR/$name"
    write_local_config "$dir"
    mocha_timeout=$(node -e 'const s = require(process.argv[1]).scripts?.test || "";
        const m = /--timeout\s+(\d+)/.exec(s); console.log(m ? m[1] : 15000)' "$dir/package.json")
    env_path=$PATH
    if [ "$name" = vc-jose-cose-test-suite ]; then
        env_path="$WORK/bin:$PATH"
        mkdir -p "$dir/tests/output"
        rm -f "$dir/tests/output/"*"-$IMPL_NAME.json"
    fi
    rm -f "$RESULTS/$name.json"
    echo "running $name …" >&2
    curl -sk -o /dev/null "$BASE_URL/?w3c-suite=$name" || true   # marks the exchange log
    set +e
    (cd "$dir" && W3C_JOSE_SUITE_DIR="$dir" PATH="$env_path" \
        timeout "${W3C_SUITE_TIMEOUT:-1800}" npx --no-install mocha tests/ ${node_flags[@]+"${node_flags[@]}"} --timeout "$mocha_timeout" \
        --preserve-symlinks --reporter json --reporter-option "output=$RESULTS/$name.json" \
        >"$RESULTS/$name.log" 2>&1)
    rc=$?
    set -e
    if [ "$name" = vc-jose-cose-test-suite ]; then   # what our command answered, per test
        mkdir -p "$RESULTS/$name-outputs"
        cp "$dir/tests/output/"*"-$IMPL_NAME.json" "$RESULTS/$name-outputs/" 2>/dev/null || true
    fi
    if [ ! -s "$RESULTS/$name.json" ]; then
        echo "  $name: no report (mocha exit $rc); see $RESULTS/$name.log" >&2
        harness_error=1
    fi
done

# never leave the token in a report
for file in $(grep -rlF -- "$TOKEN" "$RESULTS" 2>/dev/null || true); do
    "$PY" -c 'import sys; p, t = sys.argv[1:]; s = open(p).read(); open(p, "w").write(s.replace(t, "[token]"))' "$file" "$TOKEN"
done

summary_rc=0
"$PY" - "$RESULTS" "$W3C_EXCHANGE_LOG" "${suites[@]}" <<'EOF' || summary_rc=$?
import json
import sys
from pathlib import Path

results = Path(sys.argv[1])
exchanges: dict[str, list[str]] = {}
current = None
try:
    lines = Path(sys.argv[2]).read_text().splitlines()
except OSError:
    lines = []
for line in lines:
    path = json.loads(line).get("path", "")
    if path.startswith("/?w3c-suite="):
        current = path.split("=", 1)[1]
        continue
    exchanges.setdefault(current or "setup", []).append(line)
for name, logged in exchanges.items():
    (results / f"{name}.exchanges.jsonl").write_text("\n".join(logged) + "\n")
sys.argv[2:3] = []
rows, failures = [], []
for name in sys.argv[2:]:
    report = results / f"{name}.json"
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        rows.append((name, None, None, None))
        continue
    stats = data.get("stats", {})
    rows.append((name, stats.get("passes", 0), stats.get("failures", 0), stats.get("pending", 0)))
    for test in data.get("failures", []):
        message = (test.get("err") or {}).get("message", "").strip().splitlines()
        failures.append(f"[{name}] {test.get('fullTitle', test.get('title'))}\n    "
                        + ("\n    ".join(message[:6]) or "(no message)"))
width = max(len(r[0]) for r in rows)
lines = ["suite\tpassed\tfailed\tpending"]
print(f"{'suite':<{width}}  passed  failed  pending")
total = [0, 0, 0]
for name, passed, failed, pending in rows:
    if passed is None:
        print(f"{name:<{width}}  (no report)")
        lines.append(f"{name}\t-\t-\t-")
        continue
    print(f"{name:<{width}}  {passed:>6}  {failed:>6}  {pending:>7}")
    lines.append(f"{name}\t{passed}\t{failed}\t{pending}")
    total = [total[0] + passed, total[1] + failed, total[2] + pending]
print(f"{'total':<{width}}  {total[0]:>6}  {total[1]:>6}  {total[2]:>7}")
lines.append(f"total\t{total[0]}\t{total[1]}\t{total[2]}")
(results / "summary.tsv").write_text("\n".join(lines) + "\n")
(results / "failures.txt").write_text("\n".join(failures) + ("\n" if failures else ""))
print(f"w3c-suites: {total[0]} passed, {total[1]} failed, {total[2]} pending")
sys.exit(1 if total[1] else 0)
EOF
echo "results: $RESULTS" >&2
if [ "$harness_error" -ne 0 ]; then exit 2; fi
exit "$summary_rc"
