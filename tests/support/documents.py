"""Reading generated documents back: a PDF's text and tags with pypdf, a DOCX's headings and
tables with python-docx. Tests check what a reader gets, not how it was made."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import docx
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


@dataclass(frozen=True)
class PdfTags:
    tagged: bool  # /MarkInfo /Marked true
    language: str | None  # the catalogue's /Lang
    title_shown: bool  # viewers show the title, not the file name (PDF/UA)
    title: str | None
    structure: list[str]  # the structure elements, depth first: "Document", "H1", "Table", ...


def pdf_text(content: bytes) -> str:
    """The text of every page, pages separated by a form feed."""
    return "\f".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def _structure(node: Any, out: list[str]) -> None:
    node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return
    if "/S" in node:
        out.append(str(node["/S"]).lstrip("/"))
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        if hasattr(kid, "get_object"):
            _structure(kid, out)


def pdf_tags(content: bytes) -> PdfTags:
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    structure: list[str] = []
    if "/StructTreeRoot" in root:
        _structure(root["/StructTreeRoot"], structure)
    mark_info = root.get("/MarkInfo") or {}
    preferences = root.get("/ViewerPreferences") or {}
    language = root.get("/Lang")
    return PdfTags(
        tagged=bool(mark_info.get("/Marked", False)),
        language=str(language) if language is not None else None,
        title_shown=bool(preferences.get("/DisplayDocTitle", False)),
        title=reader.metadata.title if reader.metadata else None,
        structure=structure,
    )


def docx_headings(content: bytes) -> list[tuple[str, str]]:
    """(style name, text) of each paragraph in a "Heading N" or "Title" style."""
    document = docx.Document(io.BytesIO(content))
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name is not None and p.style.name.startswith(("Heading", "Title"))
    ]


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def docx_tables(content: bytes) -> list[list[list[str]]]:
    """Every table as rows of cell texts, in document order."""
    document = docx.Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def docx_header_rows(content: bytes) -> list[bool]:
    """For each table: is its first row marked as a header row (w:tblHeader)?"""
    document = docx.Document(io.BytesIO(content))
    marks = []
    for table in document.tables:
        tr_pr = table.rows[0]._tr.trPr
        marks.append(tr_pr is not None and bool(tr_pr.xpath("./w:tblHeader")))
    return marks


def docx_language(content: bytes) -> str | None:
    document = docx.Document(io.BytesIO(content))
    values = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    return str(values[0]) if values else None


def table_with_header(tables: list[list[list[str]]], column: str) -> list[list[str]]:
    """The one DOCX table whose header row has a column named `column`."""
    found = [table for table in tables if table and column in table[0]]
    assert len(found) == 1, f"{len(found)} tables have a column {column!r}"
    return found[0]
