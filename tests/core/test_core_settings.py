"""Settings refuse to start production without a proper secret; development keeps one in var/."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

import pmo.core.config as config
from pmo.core.config import MIN_SECRET_LENGTH, Settings, get_settings
from pmo.core.security import hash_password, verify_password


@pytest.fixture
def no_secret_env(monkeypatch):
    monkeypatch.delenv("PMO_SECRET_KEY", raising=False)
    monkeypatch.delenv("PMO_ENVIRONMENT", raising=False)


def test_production_without_a_secret_refuses(no_secret_env):
    with pytest.raises(ValidationError, match="PMO_SECRET_KEY must be set"):
        Settings(environment="production")


def test_production_from_the_environment_without_a_secret_refuses(no_secret_env, monkeypatch):
    monkeypatch.setenv("PMO_ENVIRONMENT", "production")
    with pytest.raises(ValidationError):
        Settings()


def test_production_with_a_short_secret_refuses(no_secret_env):
    with pytest.raises(ValidationError, match="at least"):
        Settings(environment="production", secret_key="x" * (MIN_SECRET_LENGTH - 1))


def test_production_with_a_long_secret_starts(no_secret_env):
    secret = "s" * MIN_SECRET_LENGTH
    assert Settings(environment="production", secret_key=secret).signing_secret == secret


def test_unknown_environment_refuses(no_secret_env):
    with pytest.raises(ValidationError):
        Settings(environment="staging")


@pytest.fixture
def var_dir(monkeypatch, tmp_path):
    directory = tmp_path / "var"
    monkeypatch.setattr(config, "VAR_DIR", directory)
    config._development_secret.cache_clear()
    yield directory
    config._development_secret.cache_clear()


def test_development_keeps_a_secret_in_var(no_secret_env, var_dir):
    settings = Settings()
    assert settings.environment == "development"
    secret = settings.signing_secret
    path = var_dir / "secret_key"
    assert path.read_text().strip() == secret
    assert len(secret) >= MIN_SECRET_LENGTH
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in var_dir.iterdir()] == ["secret_key"]  # no temporary file left

    config._development_secret.cache_clear()
    assert Settings().signing_secret == secret  # read back, not made afresh


def test_development_secrets_differ_between_installations(no_secret_env, var_dir, tmp_path, monkeypatch):
    first = Settings().signing_secret
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "elsewhere")
    config._development_secret.cache_clear()
    assert Settings().signing_secret != first


def test_public_url_defaults_to_the_development_server(monkeypatch):
    monkeypatch.delenv("PMO_PUBLIC_URL", raising=False)
    assert Settings().public_url == "http://127.0.0.1:8000"


def test_public_url_from_the_environment_loses_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("PMO_PUBLIC_URL", "https://pmo.chesterfield.gov.uk/")
    assert Settings().public_url == "https://pmo.chesterfield.gov.uk"
    monkeypatch.setenv("PMO_PUBLIC_URL", "https://council.example/pmo/")
    assert Settings().public_url == "https://council.example/pmo"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pmo.chesterfield.gov.uk", "absolute http"),
        ("/pmo", "absolute http"),
        ("ftp://pmo.example", "absolute http"),
        ("https://", "absolute http"),
        ("https://pmo.example/?tenant=1", "no query"),
        ("https://pmo.example/#top", "no query"),
        ("https://pmo.example/?", "no query"),
        ("https://admin:secret@pmo.example", "no user name"),
        ("https://pmo.example:99999", "PMO_PUBLIC_URL"),
    ],
)
def test_public_url_that_is_not_an_absolute_base_refuses(value, message):
    with pytest.raises(ValidationError, match=message):
        Settings(public_url=value)


# Password hashes: the tests run with a cheap cost (tests/conftest.py); the product's own is
# argon2id at RFC 9106's second recommendation, and the deployment does not change it.


def test_password_hashes_cost_the_production_default_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("PMO_PASSWORD_HASH_TIME_COST")
    monkeypatch.delenv("PMO_PASSWORD_HASH_MEMORY_KIB")
    defaults = Settings()
    assert (defaults.password_hash_time_cost, defaults.password_hash_memory_kib) == (3, 65_536)

    for name in ("password_hash_time_cost", "password_hash_memory_kib"):
        monkeypatch.setattr(get_settings(), name, getattr(defaults, name))
    password_hash = hash_password("a long enough passphrase")
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(password_hash, "a long enough passphrase")
    assert not verify_password(password_hash, "another passphrase")


def test_the_tests_own_cheap_hashes_still_verify_and_refuse():
    password_hash = hash_password("a long enough passphrase")
    assert password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=4$")
    assert verify_password(password_hash, "a long enough passphrase")
    assert not verify_password(password_hash, "another passphrase")
    assert not verify_password(None, "a long enough passphrase")


def test_the_deployment_keeps_the_production_cost():
    for path in ("docker-compose.yml", "Dockerfile"):
        assert "PMO_PASSWORD_HASH" not in (config.PROJECT_ROOT / path).read_text(), path
