"""The committee report pack as a document: the council report layout of issue 17 item 1.

Every figure comes from the service the API serves it from (the financial summary, the risk
register, the KPI scorecard, the milestones), so the pack and the API cannot disagree:
appendix B is `FinancialSummary` laid out as Chesterfield's appendix B, the risk table is
`list_risks`, the scorecard is `scorecard`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from pmo.core.pagination import PageParams
from pmo.core.periods import quarter_of
from pmo.core.permissions import Actor
from pmo.documents import Block, Cell, Document, Facts, Heading, PageBreak, Paragraph, Table
from pmo.finance import summary_service
from pmo.finance.summary_schemas import Basis, DrawdownLine, FinancialSummary
from pmo.kpis.schemas import Scorecard
from pmo.kpis.scorecards import scorecard
from pmo.meetings.models import Meeting
from pmo.meetings.service import previous_meeting
from pmo.portfolio.milestones_schemas import MilestonePublic, milestone_public
from pmo.portfolio.models import GovernanceBody, Milestone, Portfolio, Programme, Project
from pmo.raid.common import RaidFilters
from pmo.raid.risks_schemas import RiskPublic
from pmo.raid.risks_service import list_risks
from pmo.raid.scoring import Scale, scale_of
from pmo.reports.models import ReportPack

RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
DIRECTION_WORDS = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "increasing": "Increasing",
    "decreasing": "Decreasing",
}
# The fill that goes with a direction's words: better is green, worse red.
DIRECTION_FILLS = {"improving": "green", "worsening": "red", "no_change": "grey"}
STATUS_WORDS = {"planned": "Planned", "in_progress": "In progress", "done": "Done", "missed": "Missed"}
DRAWDOWN_WORDS = {
    "approved": "Approved",
    "rejected": "Rejected",
    "referred": "Referred",
    "withdrawn": "Withdrawn",
}


def money(pence: int, *, benefit: bool = False) -> str:
    """Pounds as a council report writes them: 44,000 (or 44,000.50); a benefit in brackets."""
    whole, part = divmod(abs(pence), 100)
    text = f"{whole:,}" + (f".{part:02d}" if part else "")
    if pence == 0:
        return "0"
    negative = pence < 0
    return f"({text})" if benefit != negative else text


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Scope:
    kind: str  # "programme" or "portfolio"
    id: uuid.UUID
    name: str
    programme_ids: list[uuid.UUID]


def scope_of(session: Session, pack: ReportPack) -> Scope:
    if pack.programme_id is not None:
        programme = session.get_one(Programme, pack.programme_id)
        return Scope("programme", programme.id, programme.name, [programme.id])
    portfolio = session.get_one(Portfolio, pack.portfolio_id)
    ids = session.exec(
        select(Programme.id).where(Programme.portfolio_id == portfolio.id).order_by(col(Programme.name))
    ).all()
    return Scope("portfolio", portfolio.id, portfolio.name, list(ids))


def _summary(session: Session, actor: Actor, scope: Scope) -> FinancialSummary:
    if scope.kind == "programme":
        return summary_service.programme_summary(session, actor, scope.id, Basis.planned)
    return summary_service.portfolio_summary(session, actor, scope.id, Basis.planned)


def _milestones(session: Session, scope: Scope, today: date) -> list[tuple[str, MilestonePublic]]:
    rows = session.exec(
        select(Milestone, Project.reference, Project.name)
        .join(Project, col(Project.id) == Milestone.project_id)
        .where(col(Project.programme_id).in_(scope.programme_ids))
        .order_by(col(Milestone.due_date), col(Project.reference), col(Milestone.title))
    ).all()
    return [
        (f"{reference} {name}", milestone_public(m, today, [])) for m, reference, name in rows
    ]  # a paper: no actions


def _decided_between(lines: list[DrawdownLine], after: date | None, until: date) -> list[DrawdownLine]:
    """Draw-downs decided after the previous meeting's day, up to the end of this meeting's."""
    end = datetime.combine(until, time.max, tzinfo=UTC)
    start = datetime.combine(after, time.max, tzinfo=UTC) if after else None
    return [
        d
        for d in lines
        if d.decided_at is not None and d.decided_at <= end and (start is None or d.decided_at > start)
    ]


def _quarter_label(m: MilestonePublic) -> str:
    return m.planned_quarter or quarter_of(m.due_date).label


def build(session: Session, actor: Actor, pack: ReportPack, today: date) -> Document:
    """The pack as a `Document`, read with the requester's own view (`actor`)."""
    scope = scope_of(session, pack)
    meeting = session.get_one(Meeting, pack.meeting_id)
    body = session.get(GovernanceBody, meeting.body_id)
    previous = previous_meeting(session, meeting)
    summary = _summary(session, actor, scope)
    milestones = _milestones(session, scope, today)
    filters = RaidFilters(
        programme_id=scope.id if scope.kind == "programme" else None,
        portfolio_id=scope.id if scope.kind == "portfolio" else None,
        status="open",
    )
    risks = list_risks(session, actor, PageParams(limit=10_000, offset=0), filters, sort="reference").items
    card = scorecard(session, actor, scope.kind, scope.id, include_unpublished=False)
    decided = _decided_between(summary.drawdowns, previous.meets_on if previous else None, meeting.meets_on)
    t = summary.totals
    years = summary.financial_years
    last_year = years[-1] if years else ""

    blocks: list[Block] = [
        Heading(pack.title, level=1),
        Facts(
            "Front sheet",
            [
                ("Meeting", f"{body.name if body else ''}: {meeting.title}"),
                ("Date", long_date(meeting.meets_on)),
                ("Location", meeting.location or "Not set"),
                ("Report of", pack.report_author),
                ("Subject", pack.title),
                (scope.kind.capitalize(), scope.name),
                ("Wards affected", pack.wards_affected),
                ("Key decision", "Yes" if pack.key_decision else "No"),
                (
                    "Exempt information",
                    f"Yes: {pack.exempt_reason}" if pack.exempt else "No: this report is open to the public",
                ),
            ],
        ),
        Heading("1. Purpose of report", level=2),
        Paragraph(
            pack.purpose
            or f"To update members on the progress of the {scope.name}: its milestones, benefits, "
            "risks and performance.",
            number="1.1",
        ),
        Heading("2. Recommendations", level=2),
        *[
            Paragraph(text, number=f"2.{n}")
            for n, text in enumerate(
                pack.recommendations or [f"That the progress of the {scope.name} is noted."], start=1
            )
        ],
        Heading("3. Background", level=2),
    ]
    number = 1
    if pack.background:
        blocks.append(Paragraph(pack.background, number=f"3.{number}"))
        number += 1
    done = sum(1 for _, m in milestones if m.status.value == "done")
    overdue = sum(1 for _, m in milestones if m.overdue)
    rebaselined = sum(1 for _, m in milestones if m.baseline_number > 1)
    blocks.append(
        Paragraph(
            f"The {scope.kind} has {len(milestones)} milestones: {done} done, {overdue} overdue and "
            f"{rebaselined} re-baselined. Appendix A sets them out by quarter, with their baseline "
            "and forecast dates.",
            number=f"3.{number}",
        )
    )
    blocks += [
        Heading("4. Financial implications", level=2),
        Paragraph(
            f"The projects are expected to deliver cumulative cashable benefits of "
            f"£{money(t.cashable_benefits_total)} by {last_year}, £{money(t.already_in_mtfp_total)} of "
            f"them already in the MTFP and £{money(t.new_total)} new, and "
            f"£{money(t.recurring_thereafter.total)} a year thereafter, for one-off investment of "
            f"£{money(t.one_off_investment)} and resourcing of £{money(t.resourcing)}. Appendix B "
            "sets them out by financial year.",
            number="4.1",
        ),
        Paragraph(
            "Draw-downs decided "
            + (f"since the meeting of {long_date(previous.meets_on)}" if previous else "before this meeting")
            + f": {len(decided)}.",
            number="4.2",
        ),
        Table(
            caption="Draw-downs decided since the last meeting",
            header=[
                "Reference",
                "Project",
                "Funding source",
                "Year",
                "Amount £",
                "Decision",
                "Route",
                "Decided on",
            ],
            rows=[
                [
                    d.reference,
                    f"{d.project_reference} {d.project_name}",
                    d.funding_source_name,
                    d.financial_year,
                    money(d.amount),
                    DRAWDOWN_WORDS.get(d.status, d.status.replace("_", " ").capitalize()),
                    d.route.capitalize(),
                    long_date(d.decided_at.date()) if d.decided_at else "",
                ]
                for d in decided
            ],
            numeric_columns=frozenset({4}),
            empty="None decided since the last meeting.",
        ),
        Heading("5. Risk management", level=2),
        Paragraph(
            f"The {len(risks)} open risks of the {scope.kind}, each rated before and after its mitigating "
            "action.",
            number="5.1",
        ),
        _risk_table(risks),
        Heading("6. Performance", level=2),
        Paragraph(
            f"The KPI scorecard: {card.counts.green} green, {card.counts.amber} amber, "
            f"{card.counts.red} red, {card.counts.no_rag} without a rating. Direction of travel is "
            "against the previous period.",
            number="6.1",
        ),
        _scorecard_table(card),
        PageBreak(),
        Heading("Appendix A: milestones by quarter", level=2),
        _milestone_table(milestones),
        PageBreak(),
        Heading("Appendix B: estimated financial benefits", level=2),
        *_appendix_b(summary),
    ]
    return Document(
        title=pack.title,
        blocks=blocks,
        author=pack.report_author,
        subject=f"{body.name if body else ''} {long_date(meeting.meets_on)}",
        created=pack.requested_at,
        landscape=True,
    )


def _risk_table(risks: list[RiskPublic]) -> Table:
    rows: list[list[Cell | str]] = []
    for r in risks:
        scale = scale_of(r.scale)

        def point(value: int, scale: Scale = scale) -> str:
            return scale.labels[value - 1].capitalize() if scale.labels else str(value)

        rows.append(
            [
                r.reference,
                r.title,
                point(r.inherent_impact),
                point(r.inherent_likelihood),
                Cell(f"{RAG_WORDS[r.inherent_band]} ({r.inherent_score})", fill=r.inherent_band),
                r.effect,
                point(r.residual_impact),
                point(r.residual_likelihood),
                Cell(f"{RAG_WORDS[r.residual_band]} ({r.residual_score})", fill=r.residual_band),
            ]
        )
    return Table(
        caption="Risks: ratings before and after mitigation",
        header=[
            "Reference",
            "Description of the risk",
            "Impact before",
            "Likelihood before",
            "Rating before",
            "Mitigating action",
            "Impact after",
            "Likelihood after",
            "Rating after",
        ],
        rows=rows,
        empty="No open risks.",
    )


def _scorecard_table(card: Scorecard) -> Table:
    rows: list[list[Cell | str]] = []
    for row in card.rows:
        latest = row.latest
        if latest is None:
            rows.append([row.kpi.code, row.kpi.name, "No value published", "", "", Cell("Not rated"), ""])
            continue
        a = latest.assessment
        direction = a.direction_vs_previous.value if a.direction_vs_previous else None
        rows.append(
            [
                row.kpi.code,
                row.kpi.name,
                latest.period.label,
                str(latest.actual),
                str(a.target) if a.target is not None else "Not set",
                Cell(RAG_WORDS[a.rag.value], fill=a.rag.value) if a.rag else Cell("Not rated"),
                Cell(DIRECTION_WORDS[direction], fill=DIRECTION_FILLS.get(direction))
                if direction
                else Cell("No previous value"),
            ]
        )
    return Table(
        caption="KPI scorecard",
        header=["Code", "KPI", "Period", "Actual", "Target", "RAG", "Direction of travel"],
        rows=rows,
        numeric_columns=frozenset({3, 4}),
        empty="No active KPIs.",
    )


def _milestone_table(milestones: list[tuple[str, MilestonePublic]]) -> Table:
    rows: list[list[Cell | str]] = []
    for project, m in milestones:
        forecast = long_date(m.forecast_date) if m.forecast_date else "On baseline"
        rows.append(
            [
                _quarter_label(m),
                project,
                m.title,
                long_date(m.due_date) + (f" (baseline {m.baseline_number})" if m.baseline_number > 1 else ""),
                forecast,
                Cell("Overdue", fill="red") if m.overdue else STATUS_WORDS[m.status.value],
            ]
        )
    return Table(
        caption="Milestones by quarter: baseline and forecast",
        header=["Quarter", "Project", "Milestone", "Baseline", "Forecast", "Status"],
        rows=rows,
        empty="No milestones.",
    )


def _appendix_b(summary: FinancialSummary) -> list[Block]:
    years = summary.financial_years
    t = summary.totals
    header = [
        "Reference",
        "Activity",
        "Project stage",
        "Service area",
        "One-off investment £",
        *(f"Cashable benefits {y} £" for y in years),
        "Cashable benefits total £",
    ]
    width = len(header)
    rows: list[list[Cell | str]] = []
    programme = None
    for row in summary.rows:
        if not (row.one_off_investment or row.cashable_benefits_total):
            continue  # as appendix B: the projects with indicative financial benefits
        if row.programme_name != programme:
            programme = row.programme_name
            rows.append([Cell(programme, fill="grey"), *[Cell("", fill="grey")] * (width - 1)])
        rows.append(
            [
                row.reference or "",
                row.name if row.level == "project" else f"{row.name} (programme)",
                row.stage_name or "",
                row.service_area or "",
                money(row.one_off_investment),
                *(money(v.amount, benefit=True) for v in row.cashable_benefits),
                money(row.cashable_benefits_total, benefit=True),
            ]
        )
    lead = ["", "", ""]
    totals: list[list[Cell | str]] = [
        [
            "Total project costs / (cashable benefits)",
            *lead,
            money(t.one_off_investment),
            *(money(v.amount, benefit=True) for v in t.cashable_benefits),
            money(t.cashable_benefits_total, benefit=True),
        ],
        [
            "(Cashable benefits) already in MTFP",
            *lead,
            "",
            *(money(v.amount, benefit=True) for v in t.already_in_mtfp),
            money(t.already_in_mtfp_total, benefit=True),
        ],
        [
            "Total new cashable benefits",
            *lead,
            "",
            *(money(v.amount, benefit=True) for v in t.new),
            money(t.new_total, benefit=True),
        ],
        [
            "Cumulative cashable benefits",
            *lead,
            "",
            *(money(v.amount, benefit=True) for v in t.cumulative),
            "",
        ],
        [
            "Recurring annual cashable benefits thereafter",
            *lead,
            "",
            # Under the last year, as appendix B shows it.
            *(
                money(t.recurring_thereafter.total, benefit=True) if n == len(years) - 1 else ""
                for n in range(len(years))
            ),
            "",
        ],
    ]
    benefits = Table(
        caption="Projects with indicative financial benefits (costs positive, cashable benefits in brackets)",
        header=header,
        rows=rows,
        totals=totals,
        numeric_columns=frozenset(range(4, width)),
        empty="No project has financial benefits recorded.",
    )
    cost_header = ["Funding source", *(f"{y} £" for y in summary.cost_years), "Total £"]
    costs = Table(
        caption="One-off investment and resourcing by funding source",
        header=cost_header,
        rows=[
            [
                s.funding_source_name or "No funding source",
                *(money(v.amount) for v in s.by_year),
                money(s.total),
            ]
            for s in summary.costs_by_funding_source
        ],
        totals=[
            ["Total costs", *(money(v.amount) for v in summary.costs_by_year), money(summary.costs_total)]
        ]
        if summary.costs_by_funding_source
        else [],
        numeric_columns=frozenset(range(1, len(cost_header))),
        empty="No costs recorded.",
    )
    return [benefits, costs]
