"""Fixtures of the highlight report tests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from pmo.core.permissions import Role

from .highlight_helpers import Highlights


@pytest.fixture
def api(client: TestClient) -> Highlights:
    return Highlights(client)


@pytest.fixture
def sponsor(factory: Any, org: Any) -> Any:
    """A sponsor for the whole organisation: reviews every project's reports."""
    return factory.person(org, Role.sponsor)
