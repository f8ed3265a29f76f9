"""The financial summary's quick form (`lines=none`) and its paged draw-down lines (issue 16):
on the demo, the quick form is the 1.0.0 answer without its two line lists, the pages hold
exactly the lines the 1.0.0 answer lists, and both are refused across organisations."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from support.api import API, problem, sign_in

DEMO_PASSWORD = "demo-password"


def _get(client: TestClient, headers: dict[str, str], url: str, **params: Any) -> Any:
    response = client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response


def _all_pages(client: TestClient, headers: dict[str, str], url: str, limit: int) -> list[dict[str, Any]]:
    """Every line, following the `Link` header's `next` (absolute URLs) to the end."""
    lines: list[dict[str, Any]] = []
    response = _get(client, headers, url, limit=limit)
    while True:
        page = response.json()
        lines += page["items"]
        links = {part.split('rel="')[1].rstrip('"'): part for part in response.headers["Link"].split(", ")}
        assert links["self"].startswith("<http"), "Link URLs are absolute"
        if "next" not in links:
            assert len(lines) == page["total"]
            return lines
        target = urlsplit(links["next"].split(">")[0].lstrip("<"))
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        response = _get(client, headers, target.path, **query)


def test_the_quick_form_and_the_pages_agree_with_the_full_answer_on_the_demo(
    client: TestClient, demo: None
) -> None:
    pmo = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)
    portfolios = _get(client, pmo, f"{API}/portfolios").json()["items"]
    programmes = _get(client, pmo, f"{API}/programmes", limit=200).json()["items"]
    scopes = [f"{API}/portfolios/{p['id']}" for p in portfolios] + [
        f"{API}/programmes/{p['id']}" for p in programmes
    ]
    lines_seen = 0
    for scope in scopes:
        full = _get(client, pmo, f"{scope}/financial-summary").json()
        quick = _get(client, pmo, f"{scope}/financial-summary", lines="none").json()
        # The 1.0.0 form is the default, and says how many lines it lists.
        assert full == _get(client, pmo, f"{scope}/financial-summary", lines="all").json()
        assert (full["costs_count"], full["drawdowns_count"]) == (len(full["costs"]), len(full["drawdowns"]))
        # The quick form: every figure the same (totals to the penny), the two lists empty.
        assert (quick["costs"], quick["drawdowns"]) == ([], [])
        assert {**full, "costs": [], "drawdowns": []} == quick
        assert quick["drawdowns_url"] == public_url_of(f"{scope}/financial-summary/drawdowns")
        # The pages hold exactly the full answer's lines, in its order.
        assert _all_pages(client, pmo, f"{scope}/financial-summary/drawdowns", limit=2) == full["drawdowns"]
        lines_seen += len(full["drawdowns"])
    assert lines_seen, "the demo has approved or pending draw-downs to page"


def test_the_quick_form_keeps_etags_and_the_downloads_list_every_line(client: TestClient, demo: None) -> None:
    pmo = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)
    portfolio = _get(client, pmo, f"{API}/portfolios").json()["items"][0]
    url = f"{API}/portfolios/{portfolio['id']}/financial-summary"
    quick = _get(client, pmo, url, lines="none")
    again = client.get(url, params={"lines": "none"}, headers={**pmo, "If-None-Match": quick.headers["ETag"]})
    assert again.status_code == 304
    # A different representation has a different tag.
    assert _get(client, pmo, url).headers["ETag"] != quick.headers["ETag"]
    # `Accept: text/csv` on the JSON operation, and the `.csv` table, still list every line.
    full = _get(client, pmo, url).json()
    csv_text = _get(client, pmo, f"{url}.csv", table="drawdowns").text
    assert len(csv_text.strip().splitlines()) == 1 + len(full["drawdowns"])
    negotiated = client.get(url, params={"lines": "none"}, headers={**pmo, "Accept": "text/csv"})
    assert negotiated.headers["content-type"].startswith("text/csv")


def test_lines_are_refused_across_organisations_and_without_finance_read(
    client: TestClient, programme: dict[str, Any], factory: Any, org: Any, other_org: Any, pmo: Any
) -> None:
    programme_lines = f"{API}/programmes/{programme['id']}/financial-summary/drawdowns"
    portfolio_lines = f"{API}/portfolios/{programme['portfolio_id']}/financial-summary/drawdowns"
    for url in (programme_lines, portfolio_lines):
        assert client.get(url, headers=pmo.headers).json()["items"] == []
        other = factory.person(other_org, Role.pmo)
        assert "organisation" in problem(client.get(url, headers=other.headers), 404)["detail"]
        problem(client.get(url, headers=factory.person(org).headers), 403)
        problem(client.get(url, params={"limit": 0}, headers=pmo.headers), 422)
    summary = f"{API}/programmes/{programme['id']}/financial-summary"
    bad = problem(client.get(summary, params={"lines": "some"}, headers=pmo.headers), 422)
    assert any(error["location"] == ["query", "lines"] for error in bad["errors"])
