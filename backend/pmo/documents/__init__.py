"""Documents for people: a council report, a decision record, a highlight report, as an
accessible PDF (WeasyPrint, tagged PDF/UA-1 with a document language) and as a DOCX that an
officer edits in Word (python-docx, real heading styles and tables with header rows).

How to use it (one way for every kind of document):

1. Build the content once, as a `Document` of blocks (`model.py`): `Heading` (level 1 for
   numbered sections, 2 below), `Paragraph`, `Items` (a bulleted or numbered list),
   `Facts` (label and value pairs, e.g. a front sheet), `Table` (a caption, a header row,
   body rows, optional total rows; a `Cell` may carry a fill colour, always with its words,
   never colour alone), `PageBreak`. Take every figure from the same service the API uses,
   already formatted as text (`pmo.core.money.pounds_text`), so the document and the API
   cannot disagree.
2. `to_pdf(document)` and `to_docx(document)` give the bytes. Both are deterministic for the
   same document (fixed creation dates), so storing them keeps a download the same bytes.
   The PDF is laid out by `templates/document.html.j2` (Jinja2, autoescaped: text from the
   database cannot inject markup) and `templates/document.css`; WeasyPrint fetches nothing
   from outside (no URL is followed).
3. Serve with `document_response(content, DOCX or PDF, name)` from a route declared with
   `responses=download_responses(DOCX)` (one media type per operation): it sets the content
   type and an ASCII-safe `Content-Disposition` file name.

Tests read what was made with `tests/support/documents.py` (PDF text and tags with pypdf,
DOCX headings and tables with python-docx).
"""

from pmo.documents.http import DOCX, PDF, DocumentKind, document_response, download_responses, safe_file_name
from pmo.documents.model import (
    Block,
    Cell,
    Document,
    Facts,
    Heading,
    Items,
    PageBreak,
    Paragraph,
    Table,
)
from pmo.documents.pdf import to_html, to_pdf
from pmo.documents.word import to_docx

__all__ = [
    "DOCX",
    "PDF",
    "Block",
    "Cell",
    "Document",
    "DocumentKind",
    "Facts",
    "Heading",
    "Items",
    "PageBreak",
    "Paragraph",
    "Table",
    "document_response",
    "download_responses",
    "safe_file_name",
    "to_docx",
    "to_html",
    "to_pdf",
]
