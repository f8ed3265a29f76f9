"""The content of a document, independent of its format: what both the PDF and the DOCX show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# Light fills that keep black text readable (contrast above 7:1); the words say the same thing.
FILLS: dict[str, str] = {
    "red": "F4CCCC",
    "amber": "FFE8B3",
    "green": "CCE8D4",
    "grey": "E5E5E5",
}


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and optionally a fill (a key of FILLS) and right alignment."""

    text: str
    fill: str | None = None
    numeric: bool = False

    def __post_init__(self) -> None:
        if self.fill is not None and self.fill not in FILLS:
            raise ValueError(f"unknown fill {self.fill!r}")


@dataclass(frozen=True)
class Heading:
    text: str
    level: Literal[1, 2, 3] = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    # A paragraph number as council reports give them ("3.2"), shown before the text.
    number: str | None = None
    strong: bool = False


@dataclass(frozen=True)
class Items:
    items: list[str]
    numbered: bool = False


@dataclass(frozen=True)
class Facts:
    """Label and value pairs (a front sheet): a two-column table whose labels head their rows."""

    caption: str
    facts: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell | str]]
    # Rows after the body (totals), shown in bold.
    totals: list[list[Cell | str]] = field(default_factory=list)
    # Columns holding figures, aligned right (0-based).
    numeric_columns: frozenset[int] = frozenset()
    # Shown when there are no rows, instead of an empty table.
    empty: str = "None recorded."

    def __post_init__(self) -> None:
        for row in [*self.rows, *self.totals]:
            if len(row) != len(self.header):
                raise ValueError(f"{self.caption}: a row has {len(row)} cells for {len(self.header)} columns")


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Items | Facts | Table | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list[Block]
    # BCP 47: the PDF's /Lang and the DOCX's proofing language.
    language: str = "en-GB"
    author: str = ""
    subject: str = ""
    # Written into both files' metadata instead of "now", so the same content gives the same bytes.
    created: datetime | None = None
    # Landscape pages suit wide tables (appendix B's years side by side).
    landscape: bool = False


def cell(value: Cell | str) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)
