"""Settings refuse to start production without a proper secret; development keeps one in var/."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

import pmo.core.config as config
from pmo.core.config import MIN_SECRET_LENGTH, Settings


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
