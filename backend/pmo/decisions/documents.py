"""The public record as documents (`pmo.documents`): a record of an officer decision (full,
or its public version with exempt information withheld) and the forward plan. Built from
the same services as the API, so a document and the JSON never disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pmo.decisions.forward_plan_export import COLUMNS, rows
from pmo.decisions.models import ForwardPlanEntry, OfficerDecision
from pmo.decisions.officer_decisions_service import withheld_notice
from pmo.documents import Block, Document, Facts, Heading, Paragraph, Table


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


REGULATION = (
    "Record of an executive decision taken by an officer, under regulation 13 of the Local Authorities "
    "(Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012."
)


def _consultations(record: OfficerDecision) -> Table:
    body = []
    for c in record.consultations:
        conflict = c.get("conflict_of_interest")
        declared = (
            "Not asked"
            if conflict is None
            else ("Yes: " + c["conflict_of_interest_details"] if conflict else "None")
        )
        dispensation = "None"
        if c.get("dispensation_granted_by"):
            granted = f"Granted by {c['dispensation_granted_by']} on {c['dispensation_granted_on']}."
            dispensation = f"{granted} {c['dispensation_details']}".strip()
        body.append([c["name"], c["role"].replace("_", " "), c["view"], c["comment"], declared, dispensation])
    return Table(
        caption="Consultation",
        header=["Consulted", "As", "View", "Comment", "Conflict of interest declared", "Dispensation"],
        rows=body,
        empty="Nobody was consulted.",
    )


def officer_decision(organisation: str, record: OfficerDecision, *, public: bool) -> Document:
    """The record as a document. `public`: the exempt information is withheld, saying why."""
    blocks: list[Block] = [
        Paragraph(REGULATION),
        Facts(
            caption="The decision",
            facts=[
                ("Reference", record.reference),
                ("Decision", record.decision.capitalize()),
                ("Date of decision", _day(record.decided_on)),
                ("Decision taken by", record.decided_by_name),
                ("Under delegated authority", record.decided_under),
                ("Kept available until", _day(record.retain_until)),
            ],
        ),
        Heading("What was decided"),
        Paragraph(record.decision_text, number="1"),
        Heading("Reasons for the decision"),
        Paragraph(record.reasons, number="2"),
        Heading("Alternative options considered and rejected"),
        Paragraph(record.alternatives_considered, number="3"),
        Heading("Consultation, conflicts of interest and dispensations"),
        _consultations(record),
    ]
    if record.exempt_paragraph is not None:
        blocks.append(Heading("Exempt information"))
        if public:
            blocks.append(Paragraph(withheld_notice(record.exempt_paragraph) or "", strong=True))
        else:
            blocks.append(
                Paragraph(
                    f"Not for publication: paragraph {record.exempt_paragraph} of Part 1 of Schedule 12A to "
                    "the Local Government Act 1972.",
                    strong=True,
                )
            )
            blocks.append(Paragraph(record.exempt_information))
    return Document(
        title=f"{record.reference}: {record.title}",
        blocks=blocks,
        author=organisation,
        subject="Record of an officer decision",
        created=record.decided_at,
    )


def forward_plan(
    organisation: str, entries: list[ForwardPlanEntry], today: datetime | None = None
) -> Document:
    latest = max((e.updated_at for e in entries), default=None)
    created = latest or datetime.combine((today or datetime.now(UTC)).date(), time(), tzinfo=UTC)
    return Document(
        title=f"{organisation}: forward plan of key decisions",
        blocks=[
            Paragraph(
                "Decisions the Cabinet is to take. A key decision is published here at least 28 clear days "
                "before the meeting (the day of publication and the day of the meeting are not counted), "
                "unless the general exception or special urgency applies, as the Local Authorities "
                "(Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012 "
                "provide; the reasons are given."
            ),
            Table(
                caption="Forward plan",
                header=list(COLUMNS),
                rows=[list(row) for row in rows(entries)],
                numeric_columns=frozenset({5}),
                empty="No decisions are on the forward plan.",
            ),
        ],
        author=organisation,
        subject="Forward plan of key decisions",
        created=created,
        landscape=True,
    )
