"""One settings object, read from the environment (variables prefixed ``PMO_``)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

# The repository root: `var/` (the embedded default's files) and `migrations/` live there.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
VAR_DIR = PROJECT_ROOT / "var"
MIN_SECRET_LENGTH = 32
MIN_DB_PASSWORD_LENGTH = 16
# Argon2id's cost for password hashes: RFC 9106's second recommended option, 3 passes over
# 64 MiB (argon2-cffi's own default).
PASSWORD_HASH_TIME_COST = 3
PASSWORD_HASH_MEMORY_KIB = 65_536
# Settings that may come from a file named by `PMO_<NAME>_FILE` (Docker secrets).
FILE_SETTINGS = ("secret_key", "database_url", "db_password", "smtp_password")
# Marks of a value copied from an example or left as a default: production refuses them.
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "replace_me", "placeholder")


class _SettingsFromFiles(PydanticBaseSettingsSource):
    """`PMO_SECRET_KEY_FILE=/run/secrets/secret_key`: the setting is that file's content."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return None, field_name, False  # unused: __call__ reads every file setting at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in FILE_SETTINGS:
            variable = f"PMO_{name.upper()}"
            path = os.environ.get(f"{variable}_FILE")
            if not path:
                continue
            if os.environ.get(variable):
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            try:
                values[name] = Path(path).read_text().strip()
            except OSError as exc:
                raise ValueError(f"{variable}_FILE: cannot read {path}: {exc.strerror}") from exc
            if not values[name]:
                raise ValueError(f"{variable}_FILE: {path} is empty")
        return values


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(placeholder in lowered for placeholder in PLACEHOLDERS)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PMO_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - no .env files
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - replaced by *_FILE
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _SettingsFromFiles(settings_cls))

    # "development" is the embedded default; "production" refuses to start without a secret.
    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{VAR_DIR / 'pmo.db'}")
    secret_key: str | None = None
    # The database password, kept out of PMO_DATABASE_URL (e.g. PMO_DB_PASSWORD_FILE, shared
    # with PostgreSQL's POSTGRES_PASSWORD_FILE); put into the URL when set.
    db_password: str | None = None

    # The service's public base URL, as clients outside reach it (behind any proxy): the
    # OAuth issuer and every absolute URL the service writes (paging links, sign-in
    # redirects, emails, webhook payloads) start with it. No trailing slash.
    public_url: str = "http://127.0.0.1:8000"

    # The issuer of tokens made before the public URL was their issuer; still accepted
    # until they expire, never written into new tokens.
    jwt_issuer: str = "pmo"
    jwt_audience: str = "pmo-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    # An invitation link (pmo.invitations) sets a first password until this many days old.
    invitation_days: int = Field(default=7, ge=1, le=30)

    # Largest request body accepted before a handler runs (bytes).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Largest KPI import upload (CSV or XLSX), above the JSON limit (bytes).
    max_import_bytes: int = Field(default=20 * 1_048_576, ge=1024)
    # Largest sheet of a KPI import: rows after the header (blank ones count), and columns.
    max_import_rows: int = Field(default=200_000, ge=1)
    max_import_columns: int = Field(default=100, ge=20)
    # Most rows of one RAID risk import (the other logs take 1,000, created one by one).
    max_raid_import_rows: int = Field(default=100_000, ge=1)

    # Megabytes of KPI feed pages each process keeps written out, by their exact tag (0: none).
    feed_page_cache_mb: int = Field(default=32, ge=0, le=4096)
    # Megabytes of financial summaries each process keeps written out, by the organisation's
    # audit chain head (0: none).
    summary_cache_mb: int = Field(default=64, ge=0, le=4096)
    # Requests per minute each API client may make to the KPI feed (304 polls count too).
    client_requests_per_minute: int = Field(default=600, ge=1)
    # Requests per minute one address may make to the public (no sign-in) record of decisions.
    public_requests_per_minute: int = Field(default=120, ge=1)

    # Sign-in throttling: failed sign-ins per account and, separately, per client address,
    # within one window. Renewing a session (a refresh) is not a sign-in and is not counted.
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=60, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    # A refresh token presented again within this many seconds of its first use (two tabs, a
    # double reload) gets a sibling in the same session instead of ending it as stolen.
    refresh_reuse_grace_seconds: int = Field(default=10, ge=0, le=60)

    # How long a request waits for a database lock (SQLite's write lock, a PostgreSQL row
    # lock) before giving up with 503 and Retry-After.
    database_busy_timeout_seconds: float = Field(default=5, gt=0, le=60)

    # OpenID Connect sign-in (pmo.identity): the redirect URI registered with the provider is
    # built from public_url.
    # A session started by a directory sign-in ends after this many hours; then the provider
    # is asked again (and a leaver is refused).
    directory_session_hours: int = Field(default=12, ge=1, le=24 * 14)
    # Seconds a provider's discovery document and signing keys are kept (an unknown key id
    # fetches the keys again at once).
    oidc_metadata_cache_seconds: int = Field(default=3600, ge=0, le=86400)
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=300)
    oidc_http_timeout_seconds: float = Field(default=10, gt=0, le=60)
    # How long a sign-in at the provider may take, from start to the callback.
    oidc_sign_in_minutes: int = Field(default=10, ge=1, le=60)

    # The cost of new password hashes (a hash keeps its own, so older ones still verify).
    # Leave them be: only the tests lower them, to sign people in thousands of times a run.
    password_hash_time_cost: int = Field(default=PASSWORD_HASH_TIME_COST, ge=1, le=50)
    password_hash_memory_kib: int = Field(default=PASSWORD_HASH_MEMORY_KIB, ge=1024, le=4_194_304)

    log_level: str = "INFO"

    # `pmo worker`: seconds between looks for due jobs.
    worker_poll_seconds: float = Field(default=15.0, gt=0, le=3600)

    # Webhooks. Targets must be https and on the public internet; tests and development
    # allow loopback and private addresses (and plain http) with this.
    webhooks_allow_private_targets: bool = False
    # Per attempt: to connect, and to wait for the answer.
    webhooks_connect_timeout_seconds: float = Field(default=5, gt=0, le=60)
    webhooks_read_timeout_seconds: float = Field(default=15, gt=0, le=120)
    # Deliveries a worker sends at once.
    webhooks_concurrency: int = Field(default=8, ge=1, le=64)
    # A delivery still failing this long after it was queued has failed, and its
    # subscription is disabled.
    webhooks_retry_hours: float = Field(default=72, gt=0, le=24 * 14)
    # After a secret rotation, the previous secret signs too (a second signature) this long.
    webhooks_secret_grace_hours: float = Field(default=24, ge=0, le=24 * 30)
    # Email of notifications, sent by `pmo worker` only; none is sent while `smtp_host` is unset.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "pmo@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=120)

    # The built web app, served at `/` (`npm run build` in frontend/ writes it).
    frontend_dist: Path = PROJECT_ROOT / "frontend" / "dist"

    @field_validator("public_url")
    @classmethod
    def _absolute_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PMO_PUBLIC_URL must be an absolute http:// or https:// URL")
        if parts.query or parts.fragment or value.rstrip("/").endswith(("?", "#")):
            raise ValueError("PMO_PUBLIC_URL must have no query (?) or fragment (#)")
        if parts.username is not None or parts.password is not None:
            raise ValueError("PMO_PUBLIC_URL must hold no user name or password")
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number in range
        except ValueError as exc:
            raise ValueError(f"PMO_PUBLIC_URL: {exc}") from exc
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _password_into_the_url(self) -> Settings:
        if self.db_password is not None:
            url = make_url(self.database_url)
            if url.password is not None:
                raise ValueError("PMO_DATABASE_URL holds a password already; drop it or PMO_DB_PASSWORD")
            self.database_url = url.set(password=self.db_password).render_as_string(hide_password=False)
        return self

    @model_validator(mode="after")
    def _real_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        if not self.secret_key:
            raise ValueError("PMO_SECRET_KEY must be set when PMO_ENVIRONMENT=production")
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"PMO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        if _is_placeholder(self.secret_key):
            raise ValueError("PMO_SECRET_KEY is a placeholder; generate a random one")
        password = make_url(self.database_url).password
        if password is not None:
            if len(str(password)) < MIN_DB_PASSWORD_LENGTH:
                raise ValueError(
                    f"the database password must be at least {MIN_DB_PASSWORD_LENGTH} characters"
                )
            if _is_placeholder(str(password)):
                raise ValueError("the database password is a placeholder; generate a random one")
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
