"""The cost line, benefit and financial summary tests' calls, on top of the shared ones
(tests/support/api.py), and funding sources, KPIs and draw-downs inserted with the models
(their routes are another domain's)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pmo.core.references import next_reference
from pmo.finance.models import Drawdown, FundingSource
from pmo.kpis.models import Kpi
from support.api import API, Api, Person


class CostsApi(Api):
    def put_profile(self, who: Person, benefit_id: str, profile: list[dict[str, Any]]) -> Response:
        tag = self.client.get(f"{API}/benefits/{benefit_id}", headers=who.headers).headers["ETag"]
        return self.client.put(
            f"{API}/benefits/{benefit_id}/profile",
            json={"profile": profile},
            headers={**who.headers, "If-Match": tag},
        )

    def cost_line(self, who: Person, expect: int = 201, **fields: Any) -> dict[str, Any]:
        body = {
            "kind": "one_off",
            "description": "Consultancy",
            "amount": "1000.00",
            "financial_year": "2022/23",
        }
        return self.post(who, "/cost-lines", {**body, **fields}, expect)

    def benefit(self, who: Person, expect: int = 201, **fields: Any) -> dict[str, Any]:
        body = {
            "title": f"Saving {uuid.uuid4().hex[:6]}",
            "category": "financial",
            "benefit_class": "cashable",
        }
        return self.post(who, "/benefits", {**body, **fields}, expect)


def funding_source(
    engine: Engine, organisation: Any, name: str = "Capital receipts flexibility", **fields: Any
) -> FundingSource:
    with Session(engine, expire_on_commit=False) as session:
        source = FundingSource(
            organisation_id=organisation.id,
            name=name,
            kind=fields.pop("kind", "capital_receipts"),
            opening_balance_pence=fields.pop("opening_balance_pence", 50_000_000),
            **fields,
        )
        session.add(source)
        session.commit()
        return source


def kpi(engine: Engine, organisation: Any, code: str = "CS-01") -> Kpi:
    with Session(engine, expire_on_commit=False) as session:
        row = Kpi(
            organisation_id=organisation.id,
            code=code,
            name="Calls answered within 60 seconds",
            unit="percentage",
            polarity="higher_is_better",
            frequency="quarterly",
        )
        session.add(row)
        session.commit()
        return row


def drawdown(
    engine: Engine,
    organisation: Any,
    *,
    project_id: str,
    source: FundingSource,
    requested_by: Person,
    amount_pence: int,
    status: str,
    route: str = "delegated",
    reference: str | None = None,
    **fields: Any,
) -> Drawdown:
    with Session(engine, expire_on_commit=False) as session:
        row = Drawdown(
            organisation_id=organisation.id,
            reference=reference or next_reference(session, organisation.id, "DD"),
            project_id=uuid.UUID(project_id),
            funding_source_id=source.id,
            amount_pence=amount_pence,
            financial_year=fields.pop("financial_year", "2022/23"),
            purpose="Pump-prime the approved business case.",
            requested_by_id=requested_by.id,
            status=status,
            submitted_at=datetime(2022, 5, 3, 9, 0, tzinfo=UTC),
            route=route,
            **fields,
        )
        session.add(row)
        session.commit()
        return row
