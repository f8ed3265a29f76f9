"""Secrets from files (`PMO_<NAME>_FILE`, Docker secrets) and no placeholder secret in production."""

from __future__ import annotations

import secrets

import pytest

from pmo.core.config import Settings

SECRET = secrets.token_urlsafe(48)
DB_PASSWORD = secrets.token_urlsafe(24)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "DB_PASSWORD", "ENVIRONMENT"):
        monkeypatch.delenv(f"PMO_{name}", raising=False)
        monkeypatch.delenv(f"PMO_{name}_FILE", raising=False)
    return monkeypatch


@pytest.fixture
def secret_file(tmp_path):
    def write(name: str, content: str):
        path = tmp_path / name
        path.write_text(content)
        return path

    return write


def test_secrets_are_read_from_the_files_named(clean_env, secret_file):
    clean_env.setenv("PMO_ENVIRONMENT", "production")
    clean_env.setenv("PMO_SECRET_KEY_FILE", str(secret_file("secret_key", SECRET + "\n")))
    clean_env.setenv("PMO_DATABASE_URL", "postgresql+psycopg://pmo@db:5432/pmo")
    clean_env.setenv("PMO_DB_PASSWORD_FILE", str(secret_file("db_password", DB_PASSWORD + "\n")))

    settings = Settings()

    assert settings.signing_secret == SECRET
    assert settings.database_url == f"postgresql+psycopg://pmo:{DB_PASSWORD}@db:5432/pmo"


def test_the_database_url_may_come_from_a_file(clean_env, secret_file):
    url = f"postgresql+psycopg://pmo:{DB_PASSWORD}@db/pmo"
    clean_env.setenv("PMO_DATABASE_URL_FILE", str(secret_file("url", url)))
    assert Settings().database_url == url


def test_a_value_and_a_file_for_the_same_setting_refuse(clean_env, secret_file):
    clean_env.setenv("PMO_SECRET_KEY", SECRET)
    clean_env.setenv("PMO_SECRET_KEY_FILE", str(secret_file("secret_key", SECRET)))
    with pytest.raises(ValueError, match="set PMO_SECRET_KEY or PMO_SECRET_KEY_FILE, not both"):
        Settings()


def test_a_missing_secret_file_is_named(clean_env, tmp_path):
    clean_env.setenv("PMO_SECRET_KEY_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match=r"PMO_SECRET_KEY_FILE: cannot read .*nowhere"):
        Settings()


def test_an_empty_secret_file_refuses(clean_env, secret_file):
    clean_env.setenv("PMO_DB_PASSWORD_FILE", str(secret_file("db_password", "\n")))
    with pytest.raises(ValueError, match=r"PMO_DB_PASSWORD_FILE: .* is empty"):
        Settings()


def test_a_password_in_the_url_and_another_beside_it_refuse(clean_env):
    with pytest.raises(ValueError, match="holds a password already"):
        Settings(database_url="postgresql+psycopg://pmo:one@db/pmo", db_password=DB_PASSWORD)


@pytest.mark.parametrize(
    "secret_key",
    ["change-me" * 4, "CHANGE_ME_to_a_long_random_string_please", "x" * 20 + "placeholder" + "x" * 20],
)
def test_production_refuses_a_placeholder_secret_key(clean_env, secret_key):
    with pytest.raises(ValueError, match="PMO_SECRET_KEY is a placeholder"):
        Settings(environment="production", secret_key=secret_key)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("change-me", "at least 16 characters"),
        ("short", "at least 16 characters"),
        ("change-me-change-me", "placeholder"),
        ("please-replace-me-now", "placeholder"),
    ],
)
def test_production_refuses_a_weak_database_password(clean_env, password, message):
    with pytest.raises(ValueError, match=message):
        Settings(
            environment="production",
            secret_key=SECRET,
            database_url="postgresql+psycopg://pmo@db/pmo",
            db_password=password,
        )


def test_production_starts_with_real_secrets(clean_env):
    settings = Settings(
        environment="production",
        secret_key=SECRET,
        database_url="postgresql+psycopg://pmo@db/pmo",
        db_password=DB_PASSWORD,
    )
    assert settings.environment == "production"


def test_development_accepts_anything(clean_env):
    # The embedded default and the tests: nothing to protect.
    assert Settings(database_url="postgresql+psycopg://pmo:change-me@db/pmo").environment == "development"
