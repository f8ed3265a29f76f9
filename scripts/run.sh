#!/usr/bin/env bash
# Installs everything and runs the product on the embedded default: a SQLite file under
# var/, migrations applied, demo data loaded once, the web app built, all served on
# http://127.0.0.1:8000, with the background worker (`pmo worker`) running beside the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/frontend.sh
.venv/bin/pmo migrate
.venv/bin/pmo demo

# The server and the worker run together: Ctrl-C or SIGTERM stops both (the worker finishes
# the job under way), and if either exits the other is stopped too.
.venv/bin/pmo worker &
worker=$!
.venv/bin/pmo serve --host "${PMO_HOST:-127.0.0.1}" --port "${PMO_PORT:-8000}" &
server=$!
stop() { kill -TERM "$server" "$worker" 2>/dev/null || true; }
trap stop INT TERM
status=0
wait -n "$server" "$worker" || status=$?
stop
wait "$server" "$worker" 2>/dev/null || true
exit "$status"
