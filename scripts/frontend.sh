#!/usr/bin/env bash
# Installs the web app's pinned npm packages (again only when package-lock.json changed) and
# builds it into frontend/dist, which the service serves at /. Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
stamp=node_modules/.pmo-package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
npm run build
