#!/usr/bin/env bash
# Installs everything and runs every test: lint and types, then the whole suite on SQLite
# and again on a throwaway PostgreSQL cluster, and the OpenAPI and migration drift checks;
# then the web app's: API client drift, types, unit tests, the build (with its size budget)
# and the browser tests (Debian's /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# Spectral, which tests/contract/test_spectral.py runs on the OpenAPI document.
(cd openapi && npm ci --no-audit --no-fund)

echo "== ruff and mypy"
.venv/bin/ruff check backend tests migrations
.venv/bin/ruff format --check backend tests migrations
.venv/bin/mypy

# The OpenID provider the sign-in tests start (tests/oidc/provider), from its lockfile.
(cd tests/oidc/provider && npm ci --no-audit --no-fund --silent)

echo "== tests on SQLite"
.venv/bin/pytest -n 2 -p no:cacheprovider "$@"

echo "== tests on PostgreSQL"
pgdir=$(mktemp -d /tmp/pmo-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$(scripts/postgres.sh start "$pgdir")
PMO_TEST_DATABASE_URL="$url" .venv/bin/pytest -n 2 -p no:cacheprovider "$@"

echo "== web app"
(
  cd frontend
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.pmo-package-lock.json
  npm run check:api
  npm run typecheck
  npm test
  npm run build
  npm run e2e
)
