"""`pmo demo --scale large` (pmo.scale_demo): the benchmark's council, made by bulk inserts, at a
hundredth of its size here. The API reads it back as it reads records its services made, and a
record made afterwards through the API carries on the seed's numbering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from pmo.audit.service import verify_chains
from pmo.cli import app
from pmo.finance.models import Drawdown, FundingSource
from pmo.kpis.models import KpiValue
from pmo.organisations.models import Organisation
from pmo.scale_demo import SCALE_ORGANISATION, SCALE_PASSWORD, ScaleSize
from support.api import API, sign_in

runner = CliRunner()
FACTOR = 0.01
SIZE = ScaleSize.large(FACTOR)


MY_WORK_STATEMENTS = 35


@contextmanager
def _statements(engine: Any) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_scale_council_is_made_once_and_the_api_reads_it_back(client: TestClient, engine: Any) -> None:
    result = runner.invoke(app, ["demo", "--scale", "large", "--factor", str(FACTOR)])
    assert result.exit_code == 0, result.output
    assert "scale demo data loaded" in result.stdout
    again = runner.invoke(app, ["demo", "--scale", "large", "--factor", str(FACTOR)])
    assert again.exit_code == 0
    assert "already present" in again.stdout

    pmo = sign_in(client, "pmo@scale.test", SCALE_PASSWORD)
    pm = sign_in(client, "pm@scale.test", SCALE_PASSWORD)
    programmes = _get(client, pmo, "/programmes", limit=200)
    assert programmes["total"] == SIZE.programmes
    projects = _get(client, pmo, "/projects", limit=1)
    assert projects["total"] == SIZE.projects
    dashboard = _get(client, pmo, f"/programmes/{programmes['items'][0]['id']}/dashboard")
    assert dashboard["projects"] == SIZE.projects // SIZE.programmes
    assert dashboard["milestones_overdue"]
    assert dashboard["milestones_due"]

    risks = _get(client, pmo, "/risks", limit=5)
    assert risks["total"] == SIZE.risks
    heat_map = _get(client, pmo, "/risks/heat-map", basis="residual")
    # Every risk is in one cell of the map, scored on the organisation's 5x5 scale.
    assert heat_map["points"] == 5
    assert sum(cell["count"] for cell in heat_map["cells"]) == SIZE.risks
    assert _get(client, pmo, "/drawdowns", limit=1)["total"] == SIZE.drawdowns
    kpis = _get(client, pmo, "/kpis", limit=1)
    assert kpis["total"] == SIZE.kpis
    values = _get(client, pmo, f"/kpis/{kpis['items'][0]['id']}/values", limit=200)
    assert values["total"] == SIZE.months
    assert {v["status"] for v in values["items"]} == {"published"}

    portfolio = _get(client, pmo, "/portfolios")["items"][0]
    summary = _get(client, pmo, f"/portfolios/{portfolio['id']}/financial-summary")
    # Approved and pending: four of the six states the seed cycles through.
    assert len(summary["drawdowns"]) == sum(1 for n in range(SIZE.drawdowns) if n % 6 < 4)
    work = _get(client, pm, "/me/work")
    assert work["actions_due"]
    assert work["milestones_due"]
    # A fixed number of statements whatever the size (issue 16): the scope rule once re-read a
    # programme for every draw-down in consultation, milestone and action (3,359 at full size).
    sponsor = sign_in(client, "sponsor@scale.test", SCALE_PASSWORD)
    for person in (pmo, pm, sponsor):
        with _statements(engine) as statements:
            _get(client, person, "/me/work")
        assert len(statements) <= MY_WORK_STATEMENTS, statements
    found = _get(client, pmo, "/search", q="supplier delay")
    assert found["items"], "the search index follows bulk inserts"

    # References carry on after the seed's: the counters were moved past them.
    project = client.post(
        f"{API}/projects", headers=pmo, json={"programme_id": programmes["items"][0]["id"], "name": "After"}
    )
    assert project.status_code == 201, project.text
    assert project.json()["reference"] == f"P-{SIZE.projects + 1:04d}"

    with Session(engine) as session:
        organisation = session.execute(
            select(Organisation).where(Organisation.name == SCALE_ORGANISATION)
        ).scalar_one()
        assert organisation.risk_scale == "5x5"
        # Each source's committed is exactly its approved draw-downs (the approval's rule).
        for source in session.execute(select(FundingSource)).scalars():
            approved = session.execute(
                select(func.coalesce(func.sum(Drawdown.amount_pence), 0)).where(
                    Drawdown.funding_source_id == source.id, Drawdown.status == "approved"
                )
            ).scalar_one()
            assert source.committed_pence == approved <= source.opening_balance_pence
        # Every value carries the feed's revision: the feed shows them, in commit order.
        assert session.execute(select(func.min(KpiValue.feed_sequence))).scalar_one() > 0
        checked, breaks = verify_chains(session)
        assert checked
        assert not breaks


def test_an_unknown_scale_is_refused() -> None:
    result = runner.invoke(app, ["demo", "--scale", "huge"])
    assert result.exit_code == 2
    assert "the only scale is `large`" in result.output
