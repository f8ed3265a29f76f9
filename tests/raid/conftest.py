"""Fixtures of the RAID tests: the calls that make risks and the other RAID items."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .items_helpers import Items
from .risks_helpers import Raid


@pytest.fixture
def raid(client: TestClient) -> Raid:
    return Raid(client)


@pytest.fixture
def items(client: TestClient) -> Items:
    return Items(client)
