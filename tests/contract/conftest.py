"""Fixtures for the contract tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pmo.main import create_app

from .helpers import Seeded, seed_once


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    """The OpenAPI document the code serves, as JSON: built once for the modules that read it
    (building it takes seconds); read it, never change it."""
    return json.loads(json.dumps(create_app().openapi()))


@pytest.fixture
def seeded(factory: Any, client: TestClient) -> Seeded:
    """An organisation with an admin, a directorate, a project manager and an API client."""
    return seed_once(factory, client)
