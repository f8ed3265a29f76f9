"""docker-compose.yml: valid against the Compose Specification's JSON schema, and the rules a
council's deployment must keep (secrets from files, health checks, restarts, the worker as
its own service, nobody running as root)."""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy.engine import make_url

from pmo.core.config import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
# The Compose Specification's schema (compose-spec/compose-spec, Apache-2.0), as vendored by
# the pinned check-jsonschema package: no network needed.
SCHEMA = json.loads(
    (importlib.resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json").read_text()
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_file_follows_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_the_schema_check_catches_a_broken_file(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["api"]["restart"] = ["sometimes"]
    broken["services"]["worker"]["healthcheck"]["retries"] = {"many": True}
    broken["services"]["db"]["no_such_option"] = 1
    errors = schema_errors(broken)
    assert any(e.startswith("services/api/restart") for e in errors)
    assert any(e.startswith("services/worker/healthcheck/retries") for e in errors)
    assert any("no_such_option" in e for e in errors)


def test_db_api_and_worker_each_have_a_health_check_and_restart(compose):
    services = compose["services"]
    assert set(services) == {"db", "api", "worker"}
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
        check = service.get("healthcheck", {})
        assert check.get("test"), name
        assert not check.get("disable"), name


def test_the_worker_is_its_own_service_from_the_api_image(compose):
    api, worker = compose["services"]["api"], compose["services"]["worker"]
    assert worker["command"] == ["pmo", "worker"]
    assert worker["image"] == api["image"]
    assert worker["environment"] == api["environment"]
    assert worker["healthcheck"]["test"] == ["CMD", "pmo", "worker", "--check"]
    assert worker["depends_on"]["api"]["condition"] == "service_healthy"


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def test_no_password_or_secret_is_written_in_the_file(compose):
    declared = compose["secrets"]
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if key.endswith("_FILE"):
                # Every secret is a Docker secret file that the service mounts.
                secret = value.removeprefix("/run/secrets/")
                assert value == f"/run/secrets/{secret}", (name, key)
                assert secret in service["secrets"], (name, key)
                assert set(declared[secret]) == {"file"}, secret
            elif key == "PMO_DATABASE_URL":
                assert make_url(value).password is None, name
            else:
                assert not SECRET_NAME.search(key), f"{name}: {key} holds a secret in plain text"
            # No fallback values such as ${PMO_DB_PASSWORD:-change-me}.
            assert "${" not in value, (name, key)


def test_the_services_do_not_run_as_root(compose):
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    for name in ("api", "worker"):
        assert compose["services"][name]["user"] == users[-1], name
        assert compose["services"][name]["build"] == "."


def _settings_as_compose_starts_them(compose, tmp_path: Path, monkeypatch, files: dict[str, str]) -> Settings:
    for name, content in files.items():
        (tmp_path / name).write_text(content + "\n")
    for key in ("PMO_SECRET_KEY", "PMO_DATABASE_URL", "PMO_ENVIRONMENT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in _environment(compose["services"]["api"]).items():
        monkeypatch.setenv(key, value.replace("/run/secrets", str(tmp_path)))
    return Settings()


def test_the_api_starts_with_random_secrets_in_the_files(compose, tmp_path, monkeypatch):
    password = secrets.token_urlsafe(24)
    settings = _settings_as_compose_starts_them(
        compose,
        tmp_path,
        monkeypatch,
        {"pmo_secret_key": secrets.token_urlsafe(48), "pmo_db_password": password},
    )
    assert settings.environment == "production"
    assert make_url(settings.database_url).password == password


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"pmo_secret_key": "change-me", "pmo_db_password": secrets.token_urlsafe(24)}, "at least 32"),
        ({"pmo_secret_key": "change-me" * 5, "pmo_db_password": secrets.token_urlsafe(24)}, "placeholder"),
        ({"pmo_secret_key": secrets.token_urlsafe(48), "pmo_db_password": "change-me"}, "at least 16"),
        ({"pmo_secret_key": secrets.token_urlsafe(48), "pmo_db_password": ""}, "is empty"),
        ({"pmo_db_password": secrets.token_urlsafe(24)}, "PMO_SECRET_KEY_FILE: cannot read"),
    ],
)
def test_the_api_refuses_to_start_with_a_placeholder_or_missing_secret(
    compose, tmp_path, monkeypatch, files, message
):
    with pytest.raises(ValueError, match=message):
        _settings_as_compose_starts_them(compose, tmp_path, monkeypatch, files)
