#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run the whole suite.
#   bash scripts/test.sh [pytest args]
# Database: SQLite by default; set ISSUER_TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null || missing+=(nodejs npm)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
ldconfig -p | grep -q 'libcairo\.so\.2' || missing+=(libcairo2)  # CairoSVG renders QR SVGs in tests
if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error >/dev/null

exec .venv/bin/pytest "$@"
