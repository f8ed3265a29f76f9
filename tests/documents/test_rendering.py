"""The shared rendering module: the same content as a tagged PDF and as a Word document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pmo.documents import (
    DOCX,
    PDF,
    Cell,
    Document,
    Facts,
    Heading,
    Items,
    PageBreak,
    Paragraph,
    Table,
    document_response,
    safe_file_name,
    to_docx,
    to_html,
    to_pdf,
)
from support.documents import (
    docx_header_rows,
    docx_headings,
    docx_language,
    docx_tables,
    docx_text,
    pdf_pages,
    pdf_tags,
    pdf_text,
)

SAMPLE = Document(
    title="Organisational Development Programme: update",
    author="PMO officer",
    created=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    blocks=[
        Heading("1. Purpose of report"),
        Paragraph("To update members on progress & next steps <script>alert(1)</script>", number="1.1"),
        Facts("Front sheet", [("Meeting", "Cabinet"), ("Key decision", "No")]),
        Heading("Risks", level=2),
        Table(
            caption="Risk table",
            header=["Risk", "Rating before", "Rating after"],
            rows=[["Capacity", Cell("High", fill="red"), Cell("Medium", fill="amber")]],
            totals=[["Total", "1", "1"]],
            numeric_columns=frozenset({1, 2}),
        ),
        Table(
            caption="Draw-downs", header=["Reference"], rows=[], empty="None decided since the last meeting."
        ),
        Items(["First", "Second"], numbered=True),
        PageBreak(),
        Paragraph("After the break"),
    ],
)


def test_pdf_is_tagged_with_a_language_and_a_structure_tree() -> None:
    content = to_pdf(SAMPLE)
    tags = pdf_tags(content)
    assert tags.tagged
    assert tags.language == "en-GB"
    assert tags.title_shown
    assert tags.title == SAMPLE.title
    assert tags.structure[0] == "Document"
    for element in ("H1", "H2", "P", "Table", "Caption", "THead", "TH", "TD", "L", "LI"):
        assert element in tags.structure, element
    assert pdf_pages(content) == 2  # the page break holds


def test_pdf_text_shows_data_as_text_never_as_markup() -> None:
    text = pdf_text(to_pdf(SAMPLE))
    assert "progress & next steps <script>alert(1)</script>" in text
    assert "None decided since the last meeting." in text
    html = to_html(SAMPLE)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_docx_uses_word_headings_tables_with_header_rows_and_the_language() -> None:
    content = to_docx(SAMPLE)
    assert docx_headings(content) == [("Heading 1", "1. Purpose of report"), ("Heading 2", "Risks")]
    tables = docx_tables(content)
    assert tables[0] == [["Meeting", "Cabinet"], ["Key decision", "No"]]
    assert tables[1] == [
        ["Risk", "Rating before", "Rating after"],
        ["Capacity", "High", "Medium"],
        ["Total", "1", "1"],
    ]
    assert docx_header_rows(content) == [False, True]  # the front sheet has no header row
    assert docx_language(content) == "en-GB"
    assert "Draw-downs: None decided since the last meeting." in docx_text(content)


def test_same_content_gives_the_same_bytes() -> None:
    assert to_pdf(SAMPLE) == to_pdf(SAMPLE)
    assert to_docx(SAMPLE) == to_docx(SAMPLE)


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        Table(caption="Bad", header=["a", "b", "c"], rows=[["1", "2"]])


def test_markup_in_data_is_text_so_nothing_is_fetched() -> None:
    hostile = Document(title="x", blocks=[Paragraph('<img src="http://169.254.169.254/">')])
    assert "169.254.169.254" in pdf_text(to_pdf(hostile))  # shown as text, never loaded


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Cabinet 26 April 2022: ODP report", "cabinet-26-april-2022-odp-report.pdf"),
        ('"; rm -rf /\r\nX-Evil: 1', "rm-rf-x-evil-1.pdf"),
        ("Équipe café £", "equipe-cafe.pdf"),
        ("£££", "document.pdf"),
    ],
)
def test_file_names_are_safe(name: str, expected: str) -> None:
    assert safe_file_name(name, PDF) == expected


def test_document_response_sets_type_and_attachment() -> None:
    response = document_response(b"PK..", DOCX, "Pack / Cabinet")
    assert response.media_type == DOCX.media_type
    assert response.headers["content-disposition"] == 'attachment; filename="pack-cabinet.docx"'
    assert response.body == b"PK.."
