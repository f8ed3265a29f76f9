# The API image: `pmo` with its pinned dependencies. Migrations run when the container starts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY backend ./backend
COPY migrations ./migrations
COPY openapi ./openapi
RUN pip install --no-cache-dir -e . \
 && useradd --system --home /app pmo \
 && mkdir -p /app/var && chown pmo /app/var

USER pmo
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["sh", "-c", "pmo migrate && exec pmo serve --host 0.0.0.0 --port 8000 --workers ${PMO_WORKERS:-2}"]
