"""The forward plan as a file: CSV here; DOCX and PDF through `pmo.documents`."""

from __future__ import annotations

import csv
import io

from pmo.core.spreadsheet import safe_text
from pmo.decisions.forward_plan_service import clear_days
from pmo.decisions.models import ForwardPlanEntry

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
COLUMNS = (
    "Reference",
    "Decision",
    "Decision maker",
    "Meeting date",
    "Published on",
    "Clear days' notice",
    "Key decision",
    "Wards affected",
    "Exception",
    "Exception reasons",
)


def rows(entries: list[ForwardPlanEntry]) -> list[list[str]]:
    """The plan as rows of text, the same in every format."""
    return [
        [
            entry.reference,
            entry.title,
            entry.decision_maker.capitalize(),
            entry.meeting_date.isoformat(),
            entry.published_on.isoformat(),
            str(clear_days(entry.published_on, entry.meeting_date)),
            "Yes" if entry.is_key_decision else "No",
            ", ".join(entry.wards_affected),
            (entry.exception or "").replace("_", " "),
            entry.exception_reasons,
        ]
        for entry in entries
    ]


def to_csv(entries: list[ForwardPlanEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(entries):
        writer.writerow([safe_text(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
