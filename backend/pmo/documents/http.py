"""Serving a document over the API: one media type per operation, a safe file name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from fastapi import Response

from pmo.core.errors import declare


@dataclass(frozen=True)
class DocumentKind:
    media_type: str
    extension: str
    description: str


DOCX = DocumentKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "A Word document (DOCX) to edit.",
)
PDF = DocumentKind("application/pdf", "pdf", "An accessible PDF (tagged, PDF/UA-1) to publish.")


def safe_file_name(name: str, kind: DocumentKind) -> str:
    """ASCII letters, digits and hyphens only: nothing a header or a file system can misread."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    return f"{slug or 'document'}.{kind.extension}"


def document_response(content: bytes, kind: DocumentKind, name: str) -> Response:
    return Response(
        content,
        media_type=kind.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_file_name(name, kind)}"',
            "Cache-Control": "private, no-store",
        },
    )


def download_responses(kind: DocumentKind, *errors: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a download operation: the one media type, and its problems."""
    return {
        200: {
            "description": kind.description,
            "content": {kind.media_type: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declare(*errors),
    }
