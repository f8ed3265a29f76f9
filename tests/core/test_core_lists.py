"""Lists: `{items, total, limit, offset}`, a capped limit, and a stable order across pages."""

from __future__ import annotations

import pytest

from pmo.core.pagination import MAX_LIMIT


def test_list_shape(client, admin):
    body = client.get("/api/v1/users", headers=admin.headers).json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert body["total"] == 1
    assert body["limit"] == 50
    assert body["offset"] == 0
    assert [u["id"] for u in body["items"]] == [str(admin.id)]


@pytest.mark.parametrize(
    "query", [f"limit={MAX_LIMIT + 1}", "limit=0", "limit=-1", "offset=-1", "limit=abc", "sort=password_hash"]
)
def test_bad_paging_is_422(client, admin, query, assert_problem):
    for path in ("/api/v1/users", "/api/v1/directorates", "/api/v1/audit-events"):
        assert_problem(client.get(f"{path}?{query}", headers=admin.headers), 422)


def test_the_largest_limit_is_allowed(client, admin):
    response = client.get(f"/api/v1/users?limit={MAX_LIMIT}", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["limit"] == MAX_LIMIT


def test_stable_order_across_pages_with_ties(client, admin, factory, org):
    people = [factory.person(org) for _ in range(7)]  # all named "Test Person": the sort ties
    expected = {str(p.id) for p in people} | {str(admin.id)}

    def page_through(sort: str) -> list[str]:
        seen: list[str] = []
        for offset in range(0, 9, 3):
            body = client.get(
                f"/api/v1/users?sort={sort}&limit=3&offset={offset}", headers=admin.headers
            ).json()
            assert body["total"] == 8
            assert body["limit"] == 3
            assert body["offset"] == offset
            seen += [u["id"] for u in body["items"]]
        return seen

    for sort in ("display_name", "-display_name", "created_at", "email", "-email"):
        order = page_through(sort)
        assert len(order) == len(set(order)) == 8, sort
        assert set(order) == expected
        assert page_through(sort) == order

    emails = [
        u["email"]
        for u in client.get("/api/v1/users?sort=-email&limit=200", headers=admin.headers).json()["items"]
    ]
    assert emails == sorted(emails, reverse=True)


def test_offset_past_the_end(client, admin):
    body = client.get("/api/v1/users?offset=100", headers=admin.headers).json()
    assert body["items"] == []
    assert body["total"] == 1


def test_nul_in_a_query_parameter_is_422_not_500(client, admin, assert_problem):
    for path in ("/api/v1/users", "/api/v1/directorates"):
        body = assert_problem(client.get(f"{path}?q=a%00b", headers=admin.headers), 422)
        assert body["errors"][0]["location"] == ["query", "q"]
    assert_problem(client.get("/api/v1/audit-events?request_id=a%00b", headers=admin.headers), 422)


def test_nul_in_a_body_is_422_not_500(client, admin, assert_problem):
    response = client.post("/api/v1/directorates", json={"name": "a\u0000b"}, headers=admin.headers)
    assert_problem(response, 422)


def test_search_treats_wildcards_as_text(client, admin, factory, org):
    for name in ("100% Housing", "Finance"):
        assert (
            client.post("/api/v1/directorates", json={"name": name}, headers=admin.headers).status_code == 201
        )
    body = client.get("/api/v1/directorates?q=%25", headers=admin.headers).json()
    assert [d["name"] for d in body["items"]] == ["100% Housing"]
