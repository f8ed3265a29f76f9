"""Financial summaries kept written out (issue 16): a summary read again while nothing in the
organisation has changed is sent as written, without working it out; every change anywhere
in the organisation is seen by the next read, in any process; and a kept summary is refused
to other organisations and to people without finance read, as one worked out is."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pmo.audit import service as audit
from pmo.core.config import get_settings
from pmo.core.permissions import Role
from pmo.finance import summary_service
from pmo.finance.models import FundingSource
from support.api import API, Person, problem
from support.plans import statements_while

from .money_support import Money

SUMMARY_TABLES = ("cost_lines", "benefits", "drawdowns")


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    def change(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield change
    monkeypatch.undo()
    get_settings.cache_clear()


def _summary(money: Money, scope: str = "portfolio", who: Person | None = None, **params: Any) -> Any:
    scope_id = money.programme["portfolio_id"] if scope == "portfolio" else money.programme["id"]
    return money.client.get(
        f"{API}/{scope}s/{scope_id}/financial-summary", headers=(who or money.pmo).headers, params=params
    )


def _worked_out(engine: Engine, money: Money, **params: Any) -> list[str]:
    """The summary statements a read ran that read the summary's records."""
    seen = statements_while(engine, lambda: _summary(money, **params))
    return [s for s, _ in seen if any(table in s for table in SUMMARY_TABLES)]


def test_a_summary_read_again_is_sent_as_written(money: Money, engine: Engine) -> None:
    money.request(money.source(), "30000.00")
    assert _worked_out(engine, money), "the first read works the summary out"
    first = _summary(money)
    assert first.status_code == 200, first.text
    again = statements_while(engine, lambda: _summary(money))
    assert not [s for s, _ in again if any(t in s for t in SUMMARY_TABLES)], "read again: sent as written"
    assert "audit_chain_heads" in " ".join(s for s, _ in again), "the organisation's head is read each time"
    second = _summary(money)
    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Type"] == "application/json"
    not_modified = money.client.get(
        str(second.request.url), headers={**money.pmo.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    # Each form is kept on its own: the quick form, another basis, the programme's.
    for params in ({"lines": "none"}, {"basis": "forecast"}, {"scope": "programme"}):
        assert _worked_out(engine, money, **params), params
        assert not _worked_out(engine, money, **params), params


def test_every_change_the_summary_shows_is_in_the_next_read(money: Money, factory: Any, org: Any) -> None:
    """After each change, the read (where a summary of the state before is kept) is the summary
    worked out afresh, and differs from the one before the change."""
    admin = factory.person(org, Role.admin)
    source = money.source()

    def path(kind: str, record: dict[str, Any]) -> str:
        return f"/{kind}/{record['id']}"

    line: dict[str, Any] = {}
    benefit: dict[str, Any] = {}
    drawdown: dict[str, Any] = {}

    def add_line() -> None:
        line.update(
            money.post(
                money.finance,
                "/cost-lines",
                {
                    "project_id": money.project["id"],
                    "kind": "one_off",
                    "description": "Consultancy",
                    "amount": "1000.00",
                    "financial_year": "2022/23",
                    "funding_source_id": source["id"],
                },
            )
        )

    def add_benefit() -> None:
        body = {
            "project_id": money.project["id"],
            "title": "Fewer printed letters",
            "category": "financial",
            "benefit_class": "cashable",
            "profile": [{"financial_year": "2023/24", "planned": "5000.00"}],
        }
        benefit.update(money.post(money.finance, "/benefits", body))

    def change_profile() -> None:
        tag = money.client.get(f"{API}/benefits/{benefit['id']}", headers=money.finance.headers).headers[
            "ETag"
        ]
        changed = money.client.put(
            f"{API}/benefits/{benefit['id']}/profile",
            json={"profile": [{"financial_year": "2023/24", "planned": "6000.00"}]},
            headers={**money.finance.headers, "If-Match": tag},
        )
        assert changed.status_code == 200, changed.text

    def patched(who: Person, where: str, body: dict[str, Any]) -> Callable[[], None]:
        def change() -> None:
            response = money.patch(who, where, body)
            assert response.status_code == 200, response.text

        return change

    def request_drawdown() -> None:
        drawdown.update(money.request(source, "30000.00"))

    def approve_drawdown() -> None:
        money.consult_all(drawdown)
        assert money.approve(drawdown).status_code == 200

    def delete_line() -> None:
        tag = money.client.get(f"{API}/cost-lines/{line['id']}", headers=money.finance.headers).headers[
            "ETag"
        ]
        deleted = money.client.delete(
            f"{API}/cost-lines/{line['id']}", headers={**money.finance.headers, "If-Match": tag}
        )
        assert deleted.status_code == 204, deleted.text

    changes: list[tuple[str, Callable[[], None]]] = [
        ("a cost line added", add_line),
        (  # the line's path once it is made
            "its amount changed",
            lambda: patched(money.finance, path("cost-lines", line), {"amount": "1500.00"})(),
        ),
        ("a cashable benefit added", add_benefit),
        ("its profile changed", change_profile),
        ("a draw-down requested", request_drawdown),
        ("the draw-down approved", approve_drawdown),
        (
            "the funding source renamed",
            patched(money.finance, path("funding-sources", source), {"name": "Renamed reserve"}),
        ),
        (
            "the project renamed",
            patched(money.pmo, path("projects", money.project), {"name": "Renamed project"}),
        ),
        (
            "the programme renamed",
            patched(money.pmo, path("programmes", money.programme), {"name": "Renamed programme"}),
        ),
        (
            "the directorate renamed",
            patched(admin, path("directorates", money.directorate), {"name": "Renamed directorate"}),
        ),
        ("the organisation renamed", patched(admin, "/organisation", {"name": "Renamed Borough Council"})),
        ("the cost line deleted", delete_line),
    ]
    for lines in ("all", "none"):
        _summary(money, lines=lines)  # kept: the state before the first change
    for what, change in changes:
        before = {lines: _summary(money, lines=lines).content for lines in ("all", "none")}
        change()
        for lines in ("all", "none"):
            read = _summary(money, lines=lines)
            summary_service.WRITTEN.clear()
            afresh = _summary(money, lines=lines)
            assert read.content == afresh.content, f"{what} ({lines}): the read is not the summary worked out"
            assert read.headers["ETag"] == afresh.headers["ETag"], what
            assert read.content != before[lines], f"{what} ({lines}): no change to see"


def test_a_change_made_in_another_process_is_in_the_next_read(money: Money, engine: Engine) -> None:
    """Another worker, the background worker or a command changes the database, appending to
    the organisation's audit chain as every write does: this process sees it at once."""
    source = money.source()
    money.request(source, "30000.00")
    kept = _summary(money).json()
    assert [t["funding_source_name"] for t in kept["drawdowns_by_funding_source"]] == [source["name"]]
    with Session(engine) as session:  # not this app's session: as another process would
        record = session.get_one(FundingSource, uuid.UUID(source["id"]))
        audit.changed(session, None, record, "funding_source", {"name": "Changed elsewhere"})
        session.commit()
    read = _summary(money).json()
    assert [t["funding_source_name"] for t in read["drawdowns_by_funding_source"]] == ["Changed elsewhere"]


def test_a_kept_summary_is_refused_to_other_organisations_and_without_finance_read(
    money: Money, factory: Any, org: Any, other_org: Any
) -> None:
    assert _summary(money).status_code == 200  # kept
    assert _summary(money, lines="none").status_code == 200  # kept
    outsider = factory.person(other_org, Role.finance)
    for lines in ("all", "none"):
        for scope in ("portfolio", "programme"):
            detail = problem(_summary(money, scope, outsider, lines=lines), 404)["detail"]
            assert "in your organisation" in detail
    problem(_summary(money, who=factory.person(org)), 403)  # a person with no role


def test_none_kept_at_0_mb(money: Money, engine: Engine, setting: Callable[[str, str], None]) -> None:
    setting("PMO_SUMMARY_CACHE_MB", "0")
    assert _worked_out(engine, money)
    assert _worked_out(engine, money), "nothing kept: worked out again"
    setting("PMO_SUMMARY_CACHE_MB", "64")
    assert _worked_out(engine, money)
    assert not _worked_out(engine, money)
