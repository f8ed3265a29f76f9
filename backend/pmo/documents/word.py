"""A `Document` as DOCX (python-docx): Word's own heading, list and caption styles, and real
tables whose header row repeats on each page, so the officer edits it as a normal report."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell

from pmo.documents.model import (
    FILLS,
    Cell,
    Document,
    Facts,
    Heading,
    Items,
    PageBreak,
    Paragraph,
    Table,
    cell,
)

# The created date when the document gives none: fixed, so the same content gives the same bytes.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _language(docx_document: WordDocument, language: str) -> None:
    """Set the proofing language on the default run style (Word's document language)."""
    styles = docx_document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), language)


def _fill(target: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), FILLS[fill])
    target._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table: DocxTable) -> None:
    """Mark the first row as the table's header row (read as such, repeated on each page)."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)


def _write(target: _Cell, value: Cell, *, bold: bool = False, right: bool = False) -> None:
    paragraph = target.paragraphs[0]
    run = paragraph.add_run(value.text)
    run.bold = bold or None
    if right or value.numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if value.fill:
        _fill(target, value.fill)


def _caption(docx_document: WordDocument, text: str) -> None:
    docx_document.add_paragraph(text, style="Caption")


def _table(docx_document: WordDocument, block: Table) -> None:
    if not (block.rows or block.totals):
        paragraph = docx_document.add_paragraph()
        paragraph.add_run(f"{block.caption}: ").bold = True
        paragraph.add_run(block.empty)
        return
    _caption(docx_document, block.caption)
    rows: list[list[Cell | str]] = [list(block.header), *block.rows, *block.totals]
    table = docx_document.add_table(rows=len(rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table)
    first_total = 1 + len(block.rows)
    # Row by row: `table.cell(r, c)` walks the whole grid each time (slow for appendix B).
    for r, (docx_row, row) in enumerate(zip(table.rows, rows, strict=True)):
        for c, (target, value) in enumerate(zip(docx_row.cells, row, strict=True)):
            _write(target, cell(value), bold=r == 0 or r >= first_total, right=c in block.numeric_columns)


def _facts(docx_document: WordDocument, block: Facts) -> None:
    _caption(docx_document, block.caption)
    table = docx_document.add_table(rows=len(block.facts), cols=2)
    table.style = "Table Grid"
    for docx_row, (label, value) in zip(table.rows, block.facts, strict=True):
        label_cell, value_cell = docx_row.cells
        _write(label_cell, Cell(label), bold=True)
        _write(value_cell, Cell(value))


def to_docx(document: Document) -> bytes:
    out = docx.Document()
    properties = out.core_properties
    properties.title = document.title
    properties.author = document.author
    properties.subject = document.subject
    properties.language = document.language
    properties.created = properties.modified = document.created or EPOCH
    properties.last_modified_by = document.author
    properties.revision = 1
    _language(out, document.language)
    out.styles["Normal"].font.name = "Arial"
    out.styles["Normal"].font.size = Pt(11)
    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for block in document.blocks:
        if isinstance(block, Heading):
            out.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            if block.number:
                paragraph.add_run(f"{block.number}\t")
            paragraph.add_run(block.text).bold = block.strong or None
        elif isinstance(block, Items):
            style = "List Number" if block.numbered else "List Bullet"
            for item in block.items:
                out.add_paragraph(item, style=style)
        elif isinstance(block, Facts):
            _facts(out, block)
        elif isinstance(block, Table):
            _table(out, block)
        elif isinstance(block, PageBreak):
            out.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    out.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(package: bytes) -> bytes:
    """python-docx stamps each zip member with the time of saving: rewrite them with the
    document's fixed date, so the same content gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=EPOCH.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(member))
    return out.getvalue()
