"""Fixtures of the KPI tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .kpi_helpers import Kpis


@pytest.fixture
def kpis(client: TestClient) -> Kpis:
    return Kpis(client)
