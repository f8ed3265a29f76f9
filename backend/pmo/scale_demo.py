"""A council at scale, for the benchmark (issue 16): `pmo demo --scale large`.

One organisation, "Scale Borough Council (demo)", with one user per role (the demo password,
emails `<role>@scale.test`) and, at `factor` 1.0: 20 programmes, 2,000 projects, 4,000
milestones, 40,000 risks with 4,000 response actions, 1,000 monthly KPIs with 120 published
values each (10 years), 20 funding sources with 20,000 draw-downs and 2,000 cost lines. A
smaller `factor` makes the same shape smaller (the tests use 0.01).

The records are written by bulk inserts through the models' tables (hundreds of thousands of
rows in seconds), not through the create services, which would take an hour: so the seed
itself keeps the rules the services keep. References are numbered and the organisation's
reference counters moved past them (a record made later gets the next number); risk scores
are the organisation's scale's; each funding source's `committed` is the sum of its approved
draw-downs; the KPI feed's revision moves on and every value carries its sequence; the search
indexes follow by their triggers. The audit trail gets the users' and roles' events (made by
the services) and one event per bulk-loaded register, naming how many records it holds:
an event per row would be 70,000 hash-chained writes and say nothing an auditor needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from pmo.audit import service as audit
from pmo.core.models import ReferenceCounter
from pmo.core.periods import parse_period_code
from pmo.core.permissions import Role
from pmo.core.security import hash_password
from pmo.finance.models import CostLine, Drawdown, FundingSource
from pmo.gates.service import default_lifecycle
from pmo.kpis.feed_state import mark_changed
from pmo.kpis.models import Kpi, KpiValue
from pmo.organisations import service
from pmo.organisations.models import Organisation, User
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate, UserCreate
from pmo.portfolio.models import Milestone, Portfolio, Programme, Project
from pmo.raid.models import Risk, RiskAction
from pmo.raid.scoring import scale_of

SCALE_ORGANISATION = "Scale Borough Council (demo)"
SCALE_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential
CHUNK = 5_000  # rows per INSERT statement batch

USERS = [
    ("admin@scale.test", "Scale Admin", Role.admin),
    ("pmo@scale.test", "Scale PMO", Role.pmo),
    ("sponsor@scale.test", "Scale Sponsor", Role.sponsor),
    ("pm@scale.test", "Scale Project-Manager", Role.project_manager),
    ("finance@scale.test", "Scale Finance", Role.finance),
    ("viewer@scale.test", "Scale Viewer", Role.viewer),
]
DIRECTORATES = ["Corporate", "Housing", "Environment", "Communities", "Finance"]
CONFIDENCE = ["green", "amber_green", "amber", "amber_red", "red", None]
CATEGORIES = ["financial", "operational", "technology", "people", "reputational", "legal"]
DRAWDOWN_STATUSES = ["approved", "approved", "consultation", "awaiting_decision", "rejected", "withdrawn"]
YEARS = ["2022/23", "2023/24", "2024/25", "2025/26"]


@dataclass(frozen=True)
class ScaleSize:
    """How many of each record; `large` is issue 16's dataset."""

    programmes: int
    projects: int
    risks: int
    kpis: int
    months: int
    drawdowns: int

    @classmethod
    def large(cls, factor: float = 1.0) -> ScaleSize:
        def n(count: int) -> int:
            return max(1, round(count * factor))

        return cls(
            programmes=n(20),
            projects=n(2_000),
            risks=n(40_000),
            kpis=n(1_000),
            months=120,  # ten years of monthly values at every factor
            drawdowns=n(20_000),
        )


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _set_counter(session: Session, organisation_id: uuid.UUID, prefix: str, last: int) -> None:
    """Move the organisation's reference counter past the numbers the seed gave out."""
    table = ReferenceCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        organisation_id=organisation_id, prefix=prefix, last_number=last
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c.organisation_id, table.c.prefix], set_={"last_number": last}
        )
    )


def _audit_bulk(session: Session, organisation_id: uuid.UUID, record_type: str, count: int) -> None:
    audit.record(
        session,
        None,
        organisation_id=organisation_id,
        action="create",
        record_type=record_type,
        record_id=organisation_id,
        after={"bulk_loaded": count},
        system_label="pmo demo --scale",
    )


def load_scale(session: Session, size: ScaleSize) -> bool:
    """Create the scale organisation once. Returns False if it was already there."""
    found = session.execute(select(Organisation.id).where(Organisation.name == SCALE_ORGANISATION))
    if found.first():
        return False
    now = datetime.now(UTC)
    today = now.date()
    tracked = {"created_at": now, "updated_at": now, "version": 1}

    organisation = service.create_organisation(session, SCALE_ORGANISATION)
    org = organisation.id
    directorates = [
        service.create_directorate(session, None, org, DirectorateCreate(name=name)).id
        for name in DIRECTORATES
    ]
    password_hash = hash_password(SCALE_PASSWORD)
    users: dict[Role, uuid.UUID] = {}
    for email, name, role in USERS:
        data = UserCreate(email=email, display_name=name, password=SCALE_PASSWORD)
        user: User = service.create_user(session, None, org, data, password_hash=password_hash)
        service.assign_role(session, None, org, RoleAssignmentCreate(user_id=user.id, role=role))
        users[role] = user.id
    pm, pmo, finance = users[Role.project_manager], users[Role.pmo], users[Role.finance]

    lifecycle = default_lifecycle(session, org)
    stages = [str(stage["key"]) for stage in lifecycle.stages]
    portfolio_id = uuid.uuid4()
    _insert(
        session,
        Portfolio,
        [
            {
                "id": portfolio_id,
                "organisation_id": org,
                "name": "Scale Portfolio",
                "description": "",
                **tracked,
            }
        ],
    )
    programme_ids = [uuid.uuid4() for _ in range(size.programmes)]
    _insert(
        session,
        Programme,
        [
            {
                "id": ident,
                "organisation_id": org,
                "portfolio_id": portfolio_id,
                "name": f"Programme {n + 1:02d}",
                "ambition": f"Ambition of programme {n + 1}",
                "resident_outcomes": "",
                "success_measures": "",
                "strategic_outcomes": [],
                "lead_directorate_id": directorates[n % len(directorates)],
                "sro_id": users[Role.sponsor],
                "phase": "",
                **tracked,
            }
            for n, ident in enumerate(programme_ids)
        ],
    )

    project_ids = [uuid.uuid4() for _ in range(size.projects)]
    _insert(
        session,
        Project,
        [
            {
                "id": ident,
                "organisation_id": org,
                "reference": f"P-{n + 1:04d}",
                "programme_id": programme_ids[n % size.programmes],
                "name": f"Project {n + 1} of programme {n % size.programmes + 1}",
                "description": f"Delivery project number {n + 1}",
                "ambition": "",
                "resident_outcomes": "",
                "success_measures": "",
                "strategic_outcomes": [],
                "lead_directorate_id": directorates[n % len(directorates)],
                "project_manager_id": pm,
                "lifecycle_id": lifecycle.id,
                "stage": stages[n % len(stages)],
                "planned_start": today - timedelta(days=365),
                "planned_end": today + timedelta(days=365 + n % 400),
                "confidence": CONFIDENCE[n % len(CONFIDENCE)],
                **tracked,
            }
            for n, ident in enumerate(project_ids)
        ],
    )
    _set_counter(session, org, "P", size.projects)
    # Two milestones a project, one overdue or due soon, one later; every tenth is the PM's.
    _insert(
        session,
        Milestone,
        [
            {
                "id": uuid.uuid4(),
                "organisation_id": org,
                "project_id": project,
                "title": f"Milestone {m + 1} of {n + 1}",
                "description": "",
                "owner_id": pm if n % 10 == 0 else None,
                "due_date": today + timedelta(days=(n * 37) % 120 - 60 + m * 200),
                "baseline_number": 1,
                "status": "planned",
                **tracked,
            }
            for n, project in enumerate(project_ids)
            for m in range(2)
        ],
    )
    _audit_bulk(session, org, "project", size.projects)

    scale = scale_of(organisation.risk_scale)
    points = range(1, 6) if organisation.risk_scale == "5x5" else range(1, 4)
    span = len(points)
    risk_ids = [uuid.uuid4() for _ in range(size.risks)]

    def risk(n: int, ident: uuid.UUID) -> dict[str, Any]:
        likelihood, impact = points[n % span], points[(n // span) % span]
        residual_l, residual_i = points[max(0, n % span - 1)], points[max(0, (n // span) % span - 1)]
        return {
            "id": ident,
            "organisation_id": org,
            "reference": f"R-{n + 1:04d}",
            "project_id": project_ids[n % size.projects],
            "owner_id": pm,
            "status": "open" if n % 5 else "closed",
            "raised_on": today - timedelta(days=n % 700),
            "closed_at": None if n % 5 else now,
            "title": f"Risk {n + 1}: supplier delay affecting delivery",
            "category": CATEGORIES[n % len(CATEGORIES)],
            "cause": "A key supplier is stretched",
            "event": "Delivery slips",
            "effect": "Benefits arrive late",
            "nature": "threat",
            "scale": organisation.risk_scale,
            "inherent_likelihood": likelihood,
            "inherent_impact": impact,
            "residual_likelihood": residual_l,
            "residual_impact": residual_i,
            "inherent_score": scale.score(likelihood, impact),
            "residual_score": scale.score(residual_l, residual_i),
            "proximity": "",
            "response_type": "reduce",
            "review_date": today + timedelta(days=n % 90 - 30),
            "escalation_level": "project",
            **tracked,
        }

    for batch in _chunks(risk(n, ident) for n, ident in enumerate(risk_ids)):
        session.execute(insert(Risk.__table__), batch)  # type: ignore[attr-defined]
    _set_counter(session, org, "R", size.risks)
    # A response action on every tenth risk (an open one), for the project manager (my work).
    _insert(
        session,
        RiskAction,
        [
            {
                "id": uuid.uuid4(),
                "organisation_id": org,
                "risk_id": ident,
                "description": f"Mitigate risk {n + 1}",
                "actionee_id": pm,
                "due_date": today + timedelta(days=n % 60 - 20),
                "status": "open",
                **tracked,
            }
            for n, ident in enumerate(risk_ids)
            if n % 10 == 1
        ],
    )
    _audit_bulk(session, org, "risk", size.risks)

    _load_kpis(session, org, size, pmo, now)
    _load_money(session, org, size, project_ids, pm, finance, now)
    return True


def _load_kpis(session: Session, org: uuid.UUID, size: ScaleSize, owner: uuid.UUID, now: datetime) -> None:
    """Monthly KPIs with `months` published values each, ending with the last month ended."""
    last = now.date().replace(day=1) - timedelta(days=1)
    codes = []
    for back in range(size.months - 1, -1, -1):
        month = last.year * 12 + last.month - 1 - back
        codes.append(parse_period_code(f"{month // 12}-{month % 12 + 1:02d}", "monthly"))
    kpi_ids = [uuid.uuid4() for _ in range(size.kpis)]
    _insert(
        session,
        Kpi,
        [
            {
                "id": ident,
                "organisation_id": org,
                "code": f"S-{n + 1:04d}",
                "name": f"Scale KPI {n + 1}",
                "description": "",
                "unit": "number",
                "polarity": "higher_is_better",
                "frequency": "monthly",
                "decimal_places": 0,
                "owner_id": owner,
                "data_source": "",
                "status": "active",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for n, ident in enumerate(kpi_ids)
        ],
    )
    # One feed revision for the whole load: every value carries its number.
    sequence = mark_changed(session, org)
    values = (
        {
            "id": uuid.uuid4(),
            "organisation_id": org,
            "kpi_id": kpi,
            "period_code": period.code,
            "period_start": period.start,
            "period_end": period.end,
            "actual": Decimal((n * 7 + m * 3) % 1000),
            "commentary": "",
            "status": "published",
            "entered_by_id": owner,
            "published_by_id": owner,
            "published_at": now,
            "feed_sequence": sequence,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n, kpi in enumerate(kpi_ids)
        for m, period in enumerate(codes)
    )
    for batch in _chunks(values):
        session.execute(insert(KpiValue.__table__), batch)  # type: ignore[attr-defined]
    _audit_bulk(session, org, "kpi", size.kpis)


def _load_money(
    session: Session,
    org: uuid.UUID,
    size: ScaleSize,
    project_ids: list[uuid.UUID],
    requester: uuid.UUID,
    decider: uuid.UUID,
    now: datetime,
) -> None:
    """Funding sources, draw-downs in every state, and a cost line per project."""
    tracked = {"created_at": now, "updated_at": now, "version": 1}
    source_ids = [uuid.uuid4() for _ in range(20)]
    drawdowns = []
    committed = dict.fromkeys(source_ids, 0)
    for n in range(size.drawdowns):
        status = DRAWDOWN_STATUSES[n % len(DRAWDOWN_STATUSES)]
        source = source_ids[n % len(source_ids)]
        amount = 100_000 + (n % 50) * 10_000  # £1,000 to £5,900
        decided = status in ("approved", "rejected")
        if status == "approved":
            committed[source] += amount
        drawdowns.append(
            {
                "id": uuid.uuid4(),
                "organisation_id": org,
                "reference": f"DD-{n + 1:04d}",
                "project_id": project_ids[n % len(project_ids)],
                "funding_source_id": source,
                "amount_pence": amount,
                "financial_year": YEARS[n % len(YEARS)],
                "purpose": f"Draw-down {n + 1} for delivery",
                "business_case_reference": "",
                "requested_by_id": requester,
                "status": status,
                "submitted_at": now - timedelta(days=n % 300),
                "route": "delegated",
                "decider_role": "finance",
                "consultee_roles": [],
                "route_reason": "Within the delegated limit.",
                "decision": status if decided else None,
                "decision_reason": "Decided under delegation." if decided else "",
                "decided_at": now if decided else None,
                "decided_by_id": decider if decided else None,
                **tracked,
            }
        )
    _insert(
        session,
        FundingSource,
        [
            {
                "id": ident,
                "organisation_id": org,
                "name": f"Reserve {n + 1:02d}",
                "kind": "reserve",
                "description": "",
                # Room for every request: committed (approved) stays within the balance.
                "opening_balance_pence": committed[ident] * 2 + 100_000_000,
                "committed_pence": committed[ident],
                "status": "open",
                **tracked,
            }
            for n, ident in enumerate(source_ids)
        ],
    )
    _insert(session, Drawdown, drawdowns)
    _set_counter(session, org, "DD", size.drawdowns)
    _insert(
        session,
        CostLine,
        [
            {
                "id": uuid.uuid4(),
                "organisation_id": org,
                "project_id": project,
                "programme_id": None,
                "kind": "one_off" if n % 2 else "resourcing",
                "description": f"Delivery cost {n + 1}",
                "amount_pence": 500_000 + (n % 100) * 1_000,
                "financial_year": YEARS[n % len(YEARS)],
                "funding_source_id": source_ids[n % len(source_ids)],
                **tracked,
            }
            for n, project in enumerate(project_ids)
        ],
    )
    _audit_bulk(session, org, "drawdown", size.drawdowns)
