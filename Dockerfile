# The service's image: `pmo` with its pinned dependencies and the built web app.
# Migrations run when the container starts.

# 1. The web app: `npm ci` from the lock file, then `npm run build` (which fails over the
#    bundle budget). Only frontend/dist leaves this stage.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/index.html frontend/vite.config.ts frontend/tsconfig.json ./
COPY frontend/scripts ./scripts
COPY frontend/src ./src
RUN npm run build

# 2. The service. It serves the app from PMO_FRONTEND_DIST, by default frontend/dist beside
#    backend/ (/app/frontend/dist here).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY backend ./backend
COPY migrations ./migrations
COPY openapi ./openapi
# pg_dump and pg_restore for `pmo backup` and `pmo restore` (bookworm's 15, as the db service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -e . \
 && useradd --system --home /app pmo \
 && mkdir -p /app/var && chown pmo /app/var
COPY --from=web /web/dist ./frontend/dist

USER pmo
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["sh", "-c", "pmo migrate && exec pmo serve --host 0.0.0.0 --port 8000 --workers ${PMO_WORKERS:-2}"]
