"""One settings object, read from the environment (variables prefixed ``PMO_``)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root: `var/` (the embedded default's files) and `migrations/` live there.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
VAR_DIR = PROJECT_ROOT / "var"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PMO_", extra="ignore")

    # "development" is the embedded default; "production" refuses to start without a secret.
    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{VAR_DIR / 'pmo.db'}")
    secret_key: str | None = None

    jwt_issuer: str = "pmo"
    jwt_audience: str = "pmo-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)

    # Largest request body accepted before a handler runs (bytes).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Largest KPI import upload (CSV or XLSX), above the JSON limit (bytes).
    max_import_bytes: int = Field(default=20 * 1_048_576, ge=1024)

    # Requests per minute each API client may make to the KPI feed (304 polls count too).
    client_requests_per_minute: int = Field(default=600, ge=1)

    # Login throttling: failed attempts per account, and attempts per client address.
    login_failures_per_account: int = Field(default=10, ge=1)
    login_attempts_per_address: int = Field(default=60, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)

    # How long a request waits for a database lock (SQLite's write lock, a PostgreSQL row
    # lock) before giving up with 503 and Retry-After.
    database_busy_timeout_seconds: float = Field(default=5, gt=0, le=60)

    log_level: str = "INFO"

    # The built web app, served at `/` (`npm run build` in frontend/ writes it).
    frontend_dist: Path = PROJECT_ROOT / "frontend" / "dist"

    @model_validator(mode="after")
    def _secret_required_in_production(self) -> Settings:
        if self.environment == "production":
            if not self.secret_key:
                raise ValueError("PMO_SECRET_KEY must be set when PMO_ENVIRONMENT=production")
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(f"PMO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return self

    @property
    def signing_secret(self) -> str:
        """The JWT signing secret: configured, or on the embedded default kept in `var/`."""
        if self.secret_key:
            return self.secret_key
        return _development_secret()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def _development_secret() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place, so that two processes starting at once
        # agree on one secret and neither reads a half-written file.
        tmp = VAR_DIR / f".secret_key.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
