#!/usr/bin/env bash
# Installs everything and runs the product on the embedded default: a SQLite file under
# var/, migrations applied, demo data loaded once, the web app built, all served on
# http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/frontend.sh
.venv/bin/pmo migrate
.venv/bin/pmo demo
exec .venv/bin/pmo serve --host "${PMO_HOST:-127.0.0.1}" --port "${PMO_PORT:-8000}"
