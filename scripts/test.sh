#!/usr/bin/env bash
# Installs everything and runs every test: lint and types, then the whole suite on SQLite
# and again on a throwaway PostgreSQL cluster, and the OpenAPI and migration drift checks;
# then the web app's: API client drift, types, unit tests, the build (with its size budget)
# and the browser tests (Debian's /usr/bin/chromium). Each phase's heading says when it
# started, so the log shows what each took.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase() { echo "== $1 (at $((SECONDS - started)) s)"; }

# The npm installs wait on the network and the disk, not the processor: they run beside the
# Python install, lint and types (and the web app's beside the Python suites) rather than
# before them. Each writes a log of its own, shown if it fails.
installs=$(mktemp -d /tmp/pmo-installs.XXXXXX)
pgdir=""
cleanup() {
  # shellcheck disable=SC2046 - one pid per word
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$pgdir" ]; then scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"; fi
  rm -rf "$installs"
}
trap cleanup EXIT
npm_ci() {  # npm_ci NAME DIR: `npm ci` in DIR in the background; its pid in $installs/NAME.pid
  (cd "$2" && npm ci --no-audit --no-fund) >"$installs/$1.log" 2>&1 &
  echo $! >"$installs/$1.pid"
}
installed() {  # installed NAME: wait for npm_ci NAME, and stop with its log if it failed
  if ! wait "$(cat "$installs/$1.pid")"; then
    cat "$installs/$1.log" >&2
    echo "npm ci failed: $1" >&2
    exit 1
  fi
}
phase "installs"
npm_ci spectral openapi  # Spectral, which tests/contract/test_spectral.py runs on the OpenAPI document
npm_ci provider tests/oidc/provider  # the OpenID provider the sign-in tests start
npm_ci frontend frontend  # the web app's, needed only after the Python suites
scripts/bootstrap.sh

phase "ruff and mypy"
.venv/bin/ruff check backend tests migrations
.venv/bin/ruff format --check backend tests migrations
.venv/bin/mypy

installed spectral
installed provider
phase "tests on SQLite"
.venv/bin/pytest -n 2 -p no:cacheprovider "$@"

phase "tests on PostgreSQL"
pgdir=$(mktemp -d /tmp/pmo-pg.XXXXXX)
url=$(scripts/postgres.sh start "$pgdir")
PMO_TEST_DATABASE_URL="$url" .venv/bin/pytest -n 2 -p no:cacheprovider "$@"

installed frontend
phase "web app"
(
  cd frontend
  cp package-lock.json node_modules/.pmo-package-lock.json
  npm run check:api
  npm run typecheck
  npm test
  npm run build
  npm run e2e
)
phase "all passed"
