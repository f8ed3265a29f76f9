"""A `Document` as HTML (Jinja2, autoescaped) and as a tagged PDF/UA-1 (WeasyPrint)."""

from __future__ import annotations

from typing import Any, NoReturn

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from weasyprint import HTML

from pmo.documents.model import FILLS, Document, cell

_templates = Environment(
    loader=PackageLoader("pmo.documents", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals.update(
    kind=lambda block: type(block).__name__,
    cell=cell,
    fills=FILLS,
)


def _fetch_nothing(url: str, *_args: Any, **_kwargs: Any) -> NoReturn:
    """A document never loads anything from outside (a URL in data must not reach the network)."""
    raise ValueError(f"documents fetch no resources ({url[:80]})")


def to_html(document: Document) -> str:
    return _templates.get_template("document.html.j2").render(
        doc=document, css=_templates.get_template("document.css").render(doc=document)
    )


def to_pdf(document: Document) -> bytes:
    """Tagged PDF/UA-1: a structure tree, the document language, the title shown by viewers."""
    html = HTML(string=to_html(document), url_fetcher=_fetch_nothing)
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
