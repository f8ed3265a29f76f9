"""The KPI feed's value pages are written straight from the rows to JSON bytes (orjson), not
through the response model: the bytes must be exactly what `FeedPage[FeedValue]` would give."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from pmo.demo import DEMO_PASSWORD
from pmo.kpis import feed_service as feed
from pmo.kpis.feed_schemas import FeedPage, FeedValue
from pmo.organisations.models import Organisation
from support.api import API, sign_in


def _as_the_model_writes_it(page: dict[str, Any]) -> bytes:
    return FeedPage[FeedValue].model_validate(page).model_dump_json().encode()


def test_every_demo_value_page_is_byte_for_byte_the_response_models_json(
    demo: None, client: TestClient, session: Session
) -> None:
    organisation = session.execute(select(Organisation)).scalars().first()
    assert organisation is not None
    items, _ = feed.value_page(session, organisation.id, feed.FeedQuery(limit=1000))
    assert len(items) > 40
    assert {i["rag"] for i in items} >= {"green", "amber", "red"}  # enums, decimals, nulls, dates
    model = FeedPage[FeedValue](
        items=[FeedValue(**i) for i in items], limit=1000, next=None, next_cursor=None
    )
    assert feed.values_json(items, 1000, None, None) == model.model_dump_json().encode()
    session.rollback()  # SQLite: let the requests below write (sign-in)

    # And as served, page by page (with next links and cursors), over HTTP.
    viewer = sign_in(client, "viewer@demo.test", DEMO_PASSWORD)
    url: str | None = f"{API}/kpi-feed/values?limit=7"
    pages = 0
    while url:
        response = client.get(url, headers=viewer)
        assert response.status_code == 200
        assert response.content == _as_the_model_writes_it(json.loads(response.content))
        url = response.json()["next"]
        pages += 1
    assert pages == len(items) // 7 + 1
