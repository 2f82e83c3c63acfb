#!/usr/bin/env bash
# Fresh-install check (CI runs it before the suites): install the project as a new user would
# and prove that it serves, issues and verifies.
#   bash scripts/fresh-install-check.sh
#
# 1. Copies the checkout's files (tracked and new, not ignored: no .venv, instance/, keys) into
#    a new temporary directory outside the checkout.
# 2. Runs README.md's first set-up command exactly as written (the block between the
#    fresh-install-check markers: a brand-new venv, `pip install .`, `issuer init`,
#    `issuer serve`) with ISSUER_ADMIN_PASSWORD, a free ISSUER_PORT and a matching
#    ISSUER_BASE_URL, and no other ISSUER_* setting.
# 3. Checks over HTTP that /, /.well-known/did.json and /verify answer 200; issues a credential
#    with `issuer achievements create` and `issuer issue`; fetches it and verifies it with
#    `issuer verify`.
# 4. Stops the server (SIGTERM to `issuer serve`, which stops gunicorn and its queue worker),
#    requires exit status 0 and no process left behind, and prints how long it all took.
# Any failure exits non-zero with a message and the server's log. KEEP=1 keeps the directory.
set -euo pipefail

started=$EPOCHREALTIME
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/issuer-fresh-install.XXXXXX")"
copy="$work/issuer"
log="$work/server.log"
server_pid=""

elapsed() { awk -v now="$EPOCHREALTIME" -v start="$started" 'BEGIN { printf "%.1f", now - start }'; }
say() { printf '[fresh-install %5ss] %s\n' "$(elapsed)" "$*"; }
fail() {
    printf '\nFRESH-INSTALL CHECK FAILED: %s\n' "$*" >&2
    if [ -s "$log" ]; then
        printf -- '--- server log (%s), last 200 lines ---\n' "$log" >&2
        tail -n 200 "$log" >&2
        printf -- '--- end of server log ---\n' >&2
    fi
    exit 1
}

group_alive() { [ -n "$server_pid" ] && pgrep -g "$server_pid" >/dev/null 2>&1; }

cleanup() {
    local status=$?
    if group_alive; then  # a failure left the server running: stop its whole process group
        kill -TERM -- "-$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do group_alive || break; sleep 0.2; done
        kill -KILL -- "-$server_pid" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ] || [ "$status" != 0 ]; then
        echo "fresh-install check: files kept in $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

case "$work/" in "$repo"/*) fail "the temporary directory $work is inside the checkout" ;; esac
for tool in git curl python3 awk tar setsid pgrep; do
    command -v "$tool" >/dev/null || fail "needs $tool"
done

# -- 1. the checkout's files, in a directory of their own ---------------------------------------
git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$repo is not a git checkout"
mkdir "$copy"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
    | tar --null --files-from=- -cf -) | tar -C "$copy" -xf -
[ -f "$copy/pyproject.toml" ] && [ ! -e "$copy/.venv" ] || fail "copying the checkout went wrong"

# -- 2. the README's first command, as written --------------------------------------------------
command="$(awk '/<!-- fresh-install-check/ { inside = 1; next }
                /<!-- \/fresh-install-check -->/ { inside = 0 }
                inside && !/^```/' "$copy/README.md")"
[ -n "$command" ] || fail "README.md has no command between the fresh-install-check markers"
[ "$(printf '%s\n' "$command" | wc -l)" = 1 ] || fail "the README's set-up command is not one line"
case "$command" in *"pip install ."*) ;; *) fail "the README's set-up command does not pip install ." ;; esac

while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(ISSUER_|PYTHON(PATH|HOME)$|VIRTUAL_ENV$)' || true)
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export ISSUER_PORT="$port" ISSUER_BASE_URL="$base"
ISSUER_ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
export ISSUER_ADMIN_PASSWORD

say "checkout copied to $copy; running the README's set-up command on port $port:"
echo "    $command"
cd "$copy"
# A session of its own (setsid), so the server and everything it starts form one process group.
setsid bash -c "$command" </dev/null >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do  # until setsid has made it the leader of its own group
    [ "$(ps -o pgid= -p "$server_pid" | tr -d ' ')" = "$server_pid" ] && break
    sleep 0.1
done
[ "$(ps -o pgid= -p "$server_pid" | tr -d ' ')" = "$server_pid" ] || fail "setsid did not start a new process group"

deadline=$(( $(date +%s) + 240 ))
until curl -fsS -o /dev/null --max-time 5 "$base/" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { wait "$server_pid" || true; fail "the set-up command exited before serving $base/"; }
    [ "$(date +%s)" -lt "$deadline" ] || fail "$base/ did not answer within 240 s"
    sleep 1
done
say "serving at $base"

# The server runs the installed package, not the copy's source.
location="$(cd / && "$copy/.venv/bin/python" -P -c 'import issuer; print(issuer.__file__)')"
case "$location" in "$copy/.venv/"*/site-packages/issuer/__init__.py) ;;
    *) fail "issuer is imported from $location, not from the venv's site-packages" ;; esac
"$copy/.venv/bin/pip" check >/dev/null || fail "pip check: the installed requirements are inconsistent"

# -- 3. the pages answer; issue one credential and verify it -----------------------------------
for path in / /.well-known/did.json /verify; do
    code="$(curl -sS -o "$work/page" -w '%{http_code}' --max-time 30 "$base$path")" || fail "GET $path: curl failed"
    [ "$code" = 200 ] || fail "GET $path answered $code, not 200"
    say "GET $path -> 200"
done
curl -fsS --max-time 30 -H 'Accept: application/did+json' "$base/.well-known/did.json" -o "$work/did.json" \
    || fail "GET /.well-known/did.json failed"
did="did:web:127.0.0.1%3A$port"
python3 - "$work/did.json" "$did" <<'EOF' || fail "/.well-known/did.json is not the did:web document of $did"
import json, sys
document = json.load(open(sys.argv[1], encoding="utf-8"))
assert document["id"] == sys.argv[2], document.get("id")
assert document.get("assertionMethod"), "no assertionMethod"
EOF

issuer="$copy/.venv/bin/issuer"
achievement="$("$issuer" achievements create --name "Fresh install" \
    --description "Installed from a clean checkout" --criteria "Ran the README's first command")" \
    || fail "issuer achievements create failed"
url="$("$issuer" issue --achievement "$achievement" --email learner@example.org --name "Ada Lovelace")" \
    || fail "issuer issue failed"
case "$url" in "$base/credentials/"*) ;; *) fail "issuer issue printed $url, not a credential URL of $base" ;; esac
say "issued $url"
curl -fsS --max-time 30 -H 'Accept: application/vc+ld+json' "$url" -o "$work/credential.json" \
    || fail "GET $url failed"
# The did:web document is handed over: did:web resolves over https only, and this server is http.
verdict="$(ISSUER_VERIFY_FETCH_PRIVATE=true "$issuer" verify "$work/credential.json" \
    --controller-document "$work/did.json" 2>&1)" || fail "issuer verify did not verify it (exit $?):
$verdict"
printf '%s\n' "$verdict" | sed 's/^/    /'
[ "$(printf '%s\n' "$verdict" | head -n 1)" = VERIFIED ] || fail "issuer verify did not say VERIFIED"
say "issuer verify: VERIFIED"

# -- 4. stop the server cleanly -----------------------------------------------------------------
# bash runs the last command of the && list in its own process (exec): that is issuer serve.
serve_pid="$server_pid"
if [ "$(ps -o comm= -p "$server_pid")" = bash ]; then
    serve_pid="$(ps -o pid= --ppid "$server_pid" | tr -d ' ')"
fi
[ -n "$serve_pid" ] && [ "$(printf '%s\n' "$serve_pid" | wc -l)" = 1 ] || fail "cannot find the issuer serve process"
kill -TERM "$serve_pid"
deadline=$(( $(date +%s) + 30 ))
while kill -0 "$server_pid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the server did not stop within 30 s of SIGTERM"
    sleep 0.2
done
status=0; wait "$server_pid" || status=$?
[ "$status" = 0 ] || fail "the set-up command (issuer serve) exited with status $status after SIGTERM"
for _ in $(seq 50); do group_alive || break; sleep 0.2; done
if group_alive; then
    fail "processes left behind after the server stopped: $(pgrep -g "$server_pid" -a | tr '\n' ';')"
fi
! curl -fsS -o /dev/null --max-time 2 "$base/" 2>/dev/null || fail "something still answers on port $port"
grep -q "Shutting down: Master" "$log" || fail "gunicorn did not shut down cleanly"
grep -q "Consumer exiting" "$log" || fail "the queue worker did not shut down cleanly"
! grep -q "Traceback" "$log" || fail "the server log has a traceback"
say "server and queue worker stopped, nothing left running"
echo "fresh-install check passed in $(elapsed) s"
