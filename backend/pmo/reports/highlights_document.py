"""The programme board's pack of a month's highlight reports as a document (DOCX and tagged
PDF through `pmo.documents`), built from the same `HighlightPack` the API returns."""

from __future__ import annotations

from pmo.documents import Block, Cell, Document, Facts, Heading, Items, PageBreak, Paragraph, Table
from pmo.reports.highlights_schemas import DIMENSIONS, HighlightPack, HighlightReportPublic, ReportRag

STATUS_WORDS = {
    "submitted": "Submitted, awaiting the sponsor's review",
    "accepted": "Accepted by the sponsor",
}


def _rag(rag: ReportRag | None) -> Cell:
    # The word is always there: colour only repeats it.
    return Cell(rag.value.capitalize(), fill=rag.value) if rag else Cell("Not given")


def _text(text: str, empty: str = "None given.") -> list[Block]:
    """Lines as paragraphs, with runs of "- " lines as bulleted lists."""
    blocks: list[Block] = []
    bullets: list[str] = []
    for line in [line.strip() for line in text.splitlines() if line.strip()]:
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        if bullets:
            blocks.append(Items(bullets))
            bullets = []
        blocks.append(Paragraph(line))
    if bullets:
        blocks.append(Items(bullets))
    return blocks or [Paragraph(empty)]


def _level(escalation_level: str) -> str:
    return (
        "Not escalated" if escalation_level == "project" else escalation_level.replace("_", " ").capitalize()
    )


def _report(report: HighlightReportPublic) -> list[Block]:
    name = f"{report.project_reference} {report.project_name}"
    return [
        PageBreak(),
        Heading(name, 1),
        Paragraph(
            f"Status: {STATUS_WORDS.get(report.status, report.status)}."
            + (" Submitted late." if report.late else "")
        ),
        *([Paragraph(f"Sponsor's comments: {report.review_comments}")] if report.review_comments else []),
        Heading("Summary", 2),
        *_text(report.summary),
        Table(
            caption=f"{name}: RAG status",
            header=["Dimension", "RAG", "Comment"],
            rows=[
                [d.capitalize(), _rag(getattr(report, f"{d}_rag")), getattr(report, f"{d}_note")]
                for d in DIMENSIONS
            ],
        ),
        Heading("Achievements this period", 2),
        *_text(report.achievements),
        Heading("Planned for next period", 2),
        *_text(report.next_period),
        Table(
            caption=f"{name}: risks and issues to escalate",
            header=["Reference", "Title", "Rating", "Escalated to", "Note"],
            rows=[
                [e.reference, e.title, e.rating.capitalize(), _level(e.escalation_level), e.note]
                for e in report.escalations
            ],
            empty="No risks or issues to escalate.",
        ),
        Heading("Decisions needed", 2),
        *_text(report.decisions_needed, "No decisions needed."),
    ]


def pack_document(pack: HighlightPack) -> Document:
    title = f"{pack.programme_name}: highlight reports, {pack.period_label}"
    missing = ", ".join(f"{p.project_reference} {p.project_name}" for p in pack.not_submitted)
    blocks: list[Block] = [
        Heading(title, 1),
        Facts(
            caption="About this pack",
            facts=[
                ("Programme", pack.programme_name),
                ("Month", pack.period_label),
                ("Reports due by", f"{pack.due_on:%-d %B %Y}"),
                ("Reports in this pack", str(len(pack.reports))),
                ("Projects without a submitted report", missing or "None"),
            ],
        ),
        Table(
            caption="RAG status by project",
            header=["Project", "Status", "Time", "Cost", "Scope", "Benefits"],
            rows=[
                [
                    f"{r.project_reference} {r.project_name}",
                    r.status.capitalize(),
                    *(_rag(getattr(r, f"{d}_rag")) for d in DIMENSIONS),
                ]
                for r in pack.reports
            ],
            empty="No reports have been submitted for this month.",
        ),
    ]
    for report in pack.reports:
        blocks.extend(_report(report))
    return Document(title=title, blocks=blocks, subject=f"Highlight reports for {pack.period_label}")
