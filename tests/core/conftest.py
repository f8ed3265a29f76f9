"""Helpers for the cross-cutting rules: problem documents and row counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from pmo.core.config import get_settings

PROBLEM_FIELDS = ("type", "title", "status", "detail", "instance")


def check_problem(response: httpx.Response, status: int, instance: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, and shows nothing of the server's insides."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    for field in PROBLEM_FIELDS:
        assert field in body, f"{field} missing from {body}"
    assert body["status"] == status
    # An absolute URL of this product: the page explaining the problem (pmo.problem_pages).
    assert body["type"].startswith(get_settings().public_url.rstrip("/") + "/problems/")
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["instance"] == (instance or response.request.url.path)
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


@pytest.fixture
def assert_problem() -> Callable[..., dict[str, Any]]:
    return check_problem


@pytest.fixture
def count_rows(engine: Engine) -> Callable[..., int]:
    """How many rows of `model` there are (optionally filtered), read in a fresh session."""

    def count(model: Any, *conditions: Any) -> int:
        with Session(engine) as session:
            statement = select(func.count()).select_from(model)
            if conditions:
                statement = statement.where(*conditions)
            return int(session.execute(statement).scalar_one())

    return count
