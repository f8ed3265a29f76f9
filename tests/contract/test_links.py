"""Every list answers with an RFC 8288 `Link` header of absolute URLs built on
`PMO_PUBLIC_URL`: `self`, `first`, `last`, and `prev`/`next` where there is such a page."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from pmo.core.config import get_settings
from pmo.main import create_app

from .helpers import Seeded
from .test_head import _url
from .test_openapi_drift import operations

LINK = re.compile(r'<([^>]+)>; rel="([a-z]+)"')


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(header)}


FEED_PAGES = ("#/components/schemas/FeedValuePage", "#/components/schemas/FeedDefinitionPage")


def _is_offset_page(operation: dict[str, Any]) -> bool:
    """A list paged by `limit` and `offset` (the KPI feed pages by cursor)."""
    content = operation["responses"].get("200", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.endswith("Page") and ref not in FEED_PAGES


def test_every_offset_list_links_its_pages_absolutely(client: TestClient, seeded: Seeded) -> None:
    document = json.loads(json.dumps(create_app().openapi()))
    headers = {"Authorization": f"Bearer {seeded.admin_token()}"}
    public = get_settings().public_url.rstrip("/")
    lists = [path for method, path, op in operations(document) if method == "get" and _is_offset_page(op)]
    assert len(lists) > 20
    problems, checked = [], 0
    for path in lists:
        url = _url(path, seeded)
        response = client.get(url, params={"limit": 1}, headers=headers)
        if response.status_code != 200:
            continue  # a list under a record the seed does not make
        checked += 1
        links = _links(response.headers.get("link", ""))
        if not {"self", "first", "last"} <= links.keys():
            problems.append(f"GET {url}: Link {response.headers.get('link')!r}")
            continue
        if not all(link.startswith(public + url) for link in links.values()):
            problems.append(f"GET {url}: not absolute on {public}: {links}")
        if response.json()["total"] > 1 and "next" not in links:
            problems.append(f"GET {url}: no next link with {response.json()['total']} records")
    assert not problems, "\n".join(problems)
    assert checked > 20, f"only {checked} of {len(lists)} lists answered 200"


def test_following_the_links_walks_the_list(client: TestClient, seeded: Seeded) -> None:
    headers = {"Authorization": f"Bearer {seeded.admin_token()}"}
    first = client.get("/api/v1/users", params={"limit": 1}, headers=headers)
    total = first.json()["total"]
    assert total >= 2
    seen, links = [], _links(first.headers["link"])
    seen.append(first.json()["items"][0]["id"])
    assert "prev" not in links
    while "next" in links:
        page = client.get(links["next"].removeprefix(get_settings().public_url.rstrip("/")), headers=headers)
        seen.append(page.json()["items"][0]["id"])
        links = _links(page.headers["link"])
        assert "prev" in links
    assert len(seen) == len(set(seen)) == total
    assert links["self"] == links["last"]
