"""Bulk import of KPI definitions, targets and values: `POST /api/v1/kpi-imports`.

The body is the file itself (`text/csv`; an XLSX workbook with its media type or
`application/octet-stream`, told by its first bytes) or a multipart form with
the file in the field `file`. Uploads may be up to `PMO_MAX_IMPORT_BYTES` (20 MiB by
default), above the 1 MiB limit of other requests; a larger one is refused with 413 before
it is read.

The file is read and parsed before any database work: the token's signature is checked
first (no SQL), then the upload is parsed, and only a file that parses leads to the account
check and the import's transaction. A hostile file is refused without ever holding a lock
other councils' requests wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlmodel import Session

from pmo.auth.dependencies import require
from pmo.core.config import get_settings
from pmo.core.db import SessionDep
from pmo.core.errors import BadRequest, FieldProblem, Unauthorized, Unprocessable, declare
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.security import InvalidToken, decode_access_token
from pmo.kpis import import_service
from pmo.kpis.import_service import KpiImportResult, ParsedFile

router = ApiRouter(tags=["kpi-imports"])

IMPORT_PATH = "/kpi-imports"


class Kind(StrEnum):
    definitions = "definitions"
    targets = "targets"
    values = "values"


@dataclass(frozen=True)
class Upload:
    content: bytes
    file_name: str


@dataclass(frozen=True)
class ParsedUpload:
    parsed: ParsedFile
    file_name: str


async def upload(request: Request) -> Upload:
    """The uploaded file: the `file` field of a multipart form, or the body itself."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception as exc:  # a malformed multipart body
            raise BadRequest("The multipart body cannot be read.") from exc
        try:
            file = form.get("file")
            if file is None or isinstance(file, str):
                raise Unprocessable(
                    'Send the file as the form field "file".',
                    errors=[
                        FieldProblem(location=["body", "file"], message="field required", type="missing")
                    ],
                )
            return Upload(await file.read(), file.filename or "")
        finally:
            await form.close()
    return Upload(await request.body(), "")


def signed_token(request: Request) -> None:
    """A valid access token, checked without the database (the account is checked after)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an access token: `Authorization: Bearer <token>`.")
    try:
        decode_access_token(get_settings(), token.strip())
    except InvalidToken as exc:
        raise Unauthorized("The access token is not valid or has expired.") from exc


def parsed_upload(
    _token: Annotated[None, Depends(signed_token)],
    file: Annotated[Upload, Depends(upload)],
    kind: Annotated[
        Kind | None,
        Query(
            description="What a CSV holds (without it, told from the header row); for an XLSX "
            "workbook, import only that sheet."
        ),
    ] = None,
) -> ParsedUpload:
    """The upload read into rows: in a worker thread, before any database work."""
    parsed = import_service.read_file(file.content, kind.value if kind else None)
    return ParsedUpload(parsed, file.file_name)


IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A CSV (UTF-8, header row first; one kind of row) or an XLSX workbook with "
        'sheets "definitions", "targets", "values". At most 20 MiB unless configured otherwise. '
        "The file's bytes as the body, with any media type (`text/csv`, the XLSX type, "
        "`application/octet-stream`), or a form.",
        "content": {
            # Declared as octet-stream, which generated clients can send; a CSV is told from a
            # workbook by its first bytes, whatever the media type.
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    IMPORT_PATH,
    response_model=KpiImportResult,
    responses={
        200: {"description": "Every row is good: all were imported, or (`dry_run`) would be."},
        **declare(400),
    },
    openapi_extra=IMPORT_BODY,
)
def import_kpis(
    # First: FastAPI resolves dependencies in this order, and parsing must precede any SQL.
    file: Annotated[ParsedUpload, Depends(parsed_upload)],
    session: SessionDep,
    actor: Annotated[Actor, require(Permission.kpis_manage)],
    dry_run: Annotated[
        bool, Query(description="`true`: check every row and report, writing nothing.")
    ] = False,
) -> KpiImportResult:
    """Import KPI definitions, targets and values, as a council moving off its old performance
    system has them (the columns are in the README). KPIs are named by code: ones your
    organisation has, or ones defined in the same file. Values are `published` unless the
    `status` column says otherwise, published by you.

    Any bad row: 422 listing every problem (`errors[].location` is `["body", sheet, row,
    column]`, the header being row 1) and nothing is written. All good: every row is written
    in one transaction, with one audit event for the import. `dry_run=true` checks the same
    way and writes nothing."""
    return _run(session, actor, file, dry_run)


def _run(session: Session, actor: Actor, file: ParsedUpload, dry_run: bool) -> KpiImportResult:
    result = import_service.import_kpis(
        session, actor, actor.organisation_id, file.parsed, dry_run=dry_run, file_name=file.file_name
    )
    if dry_run:
        session.rollback()
    return result
