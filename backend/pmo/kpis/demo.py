"""Demo KPIs for Chesterfield's Organisational Development Programme.

Loaded by `pmo demo` (`pmo.demo.load_demo`) through the services, acting as the demo people,
so every definition, target, value and workflow step is audited as made by someone.

The KPIs are drawn from the "How will we know it is successful?" measures of the programmes
in Appendix A of the Cabinet report of 26 April 2022 (seed 002): major ICT incidents reduce
(ICT Improvement), 90% of applications in cloud hosting (ICT Improvement; 60% at the time of
the report), residents satisfied with customer service and contacts resolved first time
(Customer Experience), and sickness absence (Developing our people). Contacts handled by the
contact centre has no polarity: more or fewer is neither better nor worse. The figures are
illustrative, not Chesterfield's.

* Quarterly values over 2022/23 and 2023/24, with targets, published, chosen so that every RAG
  (green, amber, red, none for a missing target or no polarity) and every direction
  (improving, worsening, no change, increasing, decreasing) shows. 72.5% against 72.5% is green.
* The live KPIs carry on quarterly up to the last quarter that has ended (by today), so the
  scorecard is current; sickness absence stopped at 2023/24 Q4: "missing data".
* In the PMO's queue for the last quarter ended: two values submitted, one verified.
* pm@demo.test owns two KPIs of projects they manage; one has its last quarter ended left
  open, for them to enter and submit (and the PMO to verify and publish).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from pmo.core.periods import Period, parse_period_code, period_containing, today
from pmo.kpis import service as kpis
from pmo.kpis import values_service as values
from pmo.kpis.models import Kpi
from pmo.kpis.schemas import KpiCreate, TargetCreate, ValueCreate
from pmo.organisations.models import Organisation, User
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Programme, Project

PMO = "pmo@demo.test"
SPONSOR = "sponsor@demo.test"
PM = "pm@demo.test"
FINANCE = "finance@demo.test"

HISTORY = [f"{year}-{(year + 1) % 100:02d}-Q{q}" for year in (2022, 2023) for q in (1, 2, 3, 4)]


@dataclass
class DemoKpi:
    code: str
    name: str
    description: str
    unit: str
    polarity: str
    places: int
    owner: str
    programme: str | None = None
    project: str | None = None
    data_source: str = ""
    baseline: tuple[str, str] | None = None  # value, period
    tolerance: str | None = None
    # 2022/23 Q1 to 2023/24 Q4; a target of None means no target that quarter.
    actuals: list[str] = field(default_factory=list)
    targets: list[str | None] = field(default_factory=list)
    # Carries on after 2023/24: each later year's quarter is the 2023/24 one plus this per year.
    yearly_step: str = "0"
    live: bool = True
    last_quarter: str | None = "published"  # the last quarter ended: published, submitted, verified, None


DEMO_KPIS = [
    DemoKpi(
        code="ICT-01",
        name="Major ICT incidents per quarter",
        description="Appendix A, ICT Improvement: 'ICT systems are stable, and the number of major "
        "incidents reduce'. Lower is better.",
        unit="number",
        polarity="lower_is_better",
        places=0,
        owner=SPONSOR,
        programme="ICT Improvement",
        data_source="ICT service desk major incident log",
        baseline=("7", "2021-22-Q4"),
        tolerance="25",
        actuals=["6", "4", "4", "7", "3", "3", "5", "2"],
        targets=["5", "5", "4", "4", "4", "3", "3", "3"],
        last_quarter="submitted",
    ),
    DemoKpi(
        code="ICT-02",
        name="Share of ICT applications in cloud hosting",
        description="Appendix A, ICT Improvement: '60% of ICT moved to cloud hosting'; 'work towards "
        "delivery of 90% of applications moved to cloud hosting'.",
        unit="percentage",
        polarity="higher_is_better",
        places=1,
        owner=SPONSOR,
        project="90% of ICT systems are moved to cloud hosted provision",
        data_source="ICT application register",
        baseline=("60", "2021-22-Q4"),
        actuals=["64", "70", "72.5", "80", "84.5", "88", "90", "90"],
        targets=["65", "70", "75", "80", "85", "90", "90", "90"],
        last_quarter="verified",
    ),
    DemoKpi(
        code="CX-01",
        name="Resident satisfaction with customer service",
        description="Appendix A, Customer Experience: 'Residents report they are satisfied with the "
        "customer service they receive'. Share of surveyed residents satisfied or very satisfied.",
        unit="percentage",
        polarity="higher_is_better",
        places=1,
        owner=SPONSOR,
        programme="Customer Experience",
        data_source="Quarterly customer satisfaction survey",
        actuals=["68.2", "71", "72.5", "65", "73.4", "76.1", "70", "75"],
        targets=["70", "70", "72.5", "72.5", "75", "75", "75", "75"],
        yearly_step="0.5",
        last_quarter="submitted",
    ),
    DemoKpi(
        code="CX-02",
        name="Contacts handled by the customer service centre",
        description="Appendix A, Customer Experience: the 'single front door'. A volume, neither more "
        "nor fewer is better: no RAG, direction increasing or decreasing.",
        unit="number",
        polarity="none",
        places=0,
        owner=PM,
        project="Re-procure the contact centre telephony system",
        data_source="Contact centre telephony reports",
        actuals=["41250", "38900", "38900", "44100", "39800", "36500", "37200", "40300"],
        targets=[None] * 8,
        yearly_step="-800",
    ),
    DemoKpi(
        code="CX-03",
        name="Customer contacts resolved at the first point of contact",
        description="Appendix A, Customer Experience: 'People with specific needs and support will "
        "receive the right help and support 1st time'.",
        unit="percentage",
        polarity="higher_is_better",
        places=1,
        owner=PM,
        project="Integration of housing into customer services functions",
        data_source="Customer relationship management system",
        actuals=["74", "78.5", "81.2", "79", "82.3", "80", "77", "83.1"],
        targets=[None, "80", "80", "80", "80", "80", "80", "80"],
        yearly_step="0.4",
        last_quarter=None,  # open for pm@demo.test to submit
    ),
    DemoKpi(
        code="DP-01",
        name="Working days lost to sickness absence per FTE",
        description="Appendix A, Developing our people: supporting the workforce's health and wellbeing.",
        unit="number",
        polarity="lower_is_better",
        places=2,
        owner=FINANCE,
        programme="Developing our people and our use of resources",
        data_source="HR and payroll system",
        actuals=["2.35", "2.10", "1.95", "2.60", "2.20", "1.90", "1.85", "2.05"],
        targets=["2", "2", "2", "2", "2", "2", "2", "2"],
        live=False,  # not reported since 2023/24: missing data
    ),
]


def _later_quarters(last_ended: Period) -> list[Period]:
    """The quarters after 2023/24 up to the last one ended."""
    quarters: list[Period] = []
    period = parse_period_code("2024-25-Q1", "quarterly")
    while period.start <= last_ended.start:
        quarters.append(period)
        period = period.next
    return quarters


def load_kpi_demo(session: Session, organisation: Organisation, users: Mapping[str, User]) -> bool:
    """Create the demo KPIs in `organisation` (whose demo portfolio must be loaded). Returns
    False, changing nothing, if they are already there."""
    if session.execute(
        select(Kpi.id).where(col(Kpi.organisation_id) == organisation.id, col(Kpi.code) == DEMO_KPIS[0].code)
    ).first():
        return False
    programmes = {
        p.name: p.id
        for p in session.execute(
            select(Programme).where(col(Programme.organisation_id) == organisation.id)
        ).scalars()
    }
    projects = {
        p.name: p.id
        for p in session.execute(
            select(Project).where(col(Project.organisation_id) == organisation.id)
        ).scalars()
    }
    pmo = actor_for(session, users[PMO])
    last_ended = period_containing("quarterly", today()).previous
    later = _later_quarters(last_ended)
    for spec in DEMO_KPIS:
        kpi = kpis.create_kpi(
            session,
            pmo,
            KpiCreate.model_validate(
                {
                    "code": spec.code,
                    "name": spec.name,
                    "description": spec.description,
                    "unit": spec.unit,
                    "polarity": spec.polarity,
                    "frequency": "quarterly",
                    "decimal_places": spec.places,
                    "owner_id": users[spec.owner].id,
                    "programme_id": programmes[spec.programme] if spec.programme else None,
                    "project_id": projects[spec.project] if spec.project else None,
                    "data_source": spec.data_source,
                    "baseline_value": spec.baseline[0] if spec.baseline else None,
                    "baseline_period": spec.baseline[1] if spec.baseline else None,
                    "tolerance_percent": spec.tolerance,
                }
            ),
        )
        series: list[tuple[str, str, str | None]] = list(
            zip(HISTORY, spec.actuals, spec.targets, strict=True)
        )
        if spec.live:
            step = Decimal(spec.yearly_step)
            for period in later:
                years_on = period.start.year - 2023 - (1 if period.start.month < 4 else 0)
                q = int(period.code[-1]) - 1
                number = Decimal(spec.actuals[4 + q]) + step * years_on
                if spec.unit == "percentage":
                    number = min(number, Decimal(100))
                series.append((period.code, str(number), spec.targets[4 + q]))
        owner = actor_for(session, users[spec.owner])
        for code, actual, target in series:
            if target is not None:
                kpis.create_target(
                    session, pmo, kpi, TargetCreate.model_validate({"period_code": code, "target": target})
                )
            state = spec.last_quarter if code == last_ended.code else "published"
            if state is None:
                continue
            value = values.create_value(
                session, owner, kpi, ValueCreate.model_validate({"period_code": code, "actual": actual})
            )
            values.submit(session, owner, kpi, value)
            if state in ("verified", "published"):
                values.verify(session, pmo, kpi, value)
            if state == "published":
                values.publish(session, pmo, kpi, value)
    session.flush()
    return True
