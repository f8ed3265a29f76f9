"""Fixtures for the contract tests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .helpers import Seeded, seed_once


@pytest.fixture
def seeded(factory: Any, client: TestClient) -> Seeded:
    """An organisation with an admin, a directorate, a project manager and an API client."""
    return seed_once(factory, client)
