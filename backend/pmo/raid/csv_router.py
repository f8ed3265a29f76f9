"""CSV export and import of the RAID logs: `/api/v1/raid-exports/{log}.csv` and
`/api/v1/raid-imports/{log}`.

The paths sit outside `/api/v1/risks` (and the other logs) on purpose: `/risks/export.csv`
would be taken by `/risks/{risk_id}` wherever the logs' routers are mounted first, and a
route's meaning should not hang on the order of a tuple. Each export takes the same query
parameters as its list (`pmo.raid.common` and the logs' own filters and sorts) and returns
the same items, every page of them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import BadRequest, FieldProblem, Unprocessable, declare
from pmo.core.pagination import PageParams
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission
from pmo.core.references import RaidReference
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.raid import csv_service
from pmo.raid import items_service as items
from pmo.raid import risks_service as risks
from pmo.raid.common import DueDatedFilters, ReviewDatedFilters
from pmo.raid.items_router import AssumptionSort, DependencySort, IssueSort
from pmo.raid.items_schemas import (
    AssumptionCreate,
    DependencyCreate,
    DependencyDirection,
    IssueCreate,
    IssueType,
    Rating,
)
from pmo.raid.models import Assumption, Dependency, Issue, Risk
from pmo.raid.risks_router import BandQ, BasisQ, DueForReviewQ, NatureQ, OverdueActionsQ, RiskSort
from pmo.raid.risks_schemas import RiskCreate, ScoreBasis

router = ApiRouter(tags=["raid-csv"])

P = Permission
Read = Annotated[Actor, require(P.raid_read)]
Edit = Annotated[Actor, require(P.raid_edit)]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The log as CSV, with a header row; one row per item.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _csv(session: Session, log: str, page: Page[Any]) -> Response:
    if page.total > csv_service.MAX_EXPORT_ROWS:
        raise Unprocessable(
            f"{page.total} items match: at most {csv_service.MAX_EXPORT_ROWS} are exported at once. "
            "Narrow the filters."
        )
    body = csv_service.export_csv(session, log, page.items)
    name = csv_service.file_name(log, today())
    return Response(
        content=body.encode("utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ALL = PageParams(limit=csv_service.MAX_EXPORT_ROWS + 1, offset=0)


@router.get("/raid-exports/risks.csv", response_class=Response, responses={**CSV_RESPONSE, **declare()})
def export_risks(
    session: SessionDep,
    actor: Read,
    filters: ReviewDatedFilters,
    nature: NatureQ = None,
    band: BandQ = None,
    basis: BasisQ = ScoreBasis.residual,
    due_for_review: DueForReviewQ = None,
    overdue_actions: OverdueActionsQ = None,
    sort: RiskSort = "reference",
) -> Response:
    """The risk log as CSV for a board paper: the items `GET /api/v1/risks` returns for the
    same filters, in the same order, with scores and RAG bands (inherent, residual, target)."""
    page = risks.list_risks(
        session,
        actor,
        ALL,
        filters,
        sort=sort,
        nature=nature,
        band=band,
        basis=basis,
        due_for_review=due_for_review,
        overdue_actions=overdue_actions,
    )
    return _csv(session, "risks", page)


@router.get("/raid-exports/issues.csv", response_class=Response, responses={**CSV_RESPONSE, **declare()})
def export_issues(
    session: SessionDep,
    actor: Read,
    filters: DueDatedFilters,
    overdue: Annotated[
        bool | None, Query(description="`true`: due before today and neither resolved nor closed.")
    ] = None,
    issue_type: IssueType | None = None,
    priority: Rating | None = None,
    severity: Rating | None = None,
    raised_by_id: uuid.UUID | None = None,
    risk_id: Annotated[uuid.UUID | None, Query(description="The issue a risk became.")] = None,
    sort: IssueSort = "reference",
) -> Response:
    """The issue log as CSV: the items `GET /api/v1/issues` returns for the same filters."""
    page = items.list_issues(
        session,
        actor,
        ALL,
        filters,
        overdue=overdue,
        issue_type=issue_type.value if issue_type else None,
        priority=priority.value if priority else None,
        severity=severity.value if severity else None,
        raised_by_id=raised_by_id,
        risk_id=risk_id,
        sort=sort,
    )
    return _csv(session, "issues", page)


@router.get("/raid-exports/assumptions.csv", response_class=Response, responses={**CSV_RESPONSE, **declare()})
def export_assumptions(
    session: SessionDep,
    actor: Read,
    filters: DueDatedFilters,
    validation_due: Annotated[
        bool | None, Query(description="`true`: unvalidated with a validate-by date today or past.")
    ] = None,
    sort: AssumptionSort = "reference",
) -> Response:
    """The assumption log as CSV: the items `GET /api/v1/assumptions` returns for the same filters."""
    page = items.list_assumptions(session, actor, ALL, filters, validation_due=validation_due, sort=sort)
    return _csv(session, "assumptions", page)


@router.get(
    "/raid-exports/dependencies.csv", response_class=Response, responses={**CSV_RESPONSE, **declare()}
)
def export_dependencies(
    session: SessionDep,
    actor: Read,
    filters: DueDatedFilters,
    direction: Annotated[
        DependencyDirection | None, Query(description="As recorded, from `project_id`'s side.")
    ] = None,
    other_project_id: uuid.UUID | None = None,
    external: Annotated[
        bool | None, Query(description="`true`: the other end is outside the portfolio.")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="`true`: needed before today and neither met nor closed.")
    ] = None,
    sort: DependencySort = "reference",
) -> Response:
    """The dependency log as CSV: the items `GET /api/v1/dependencies` returns for the same
    filters (`project_id`, `programme_id` and `portfolio_id` match either end)."""
    page = items.list_dependencies(
        session,
        actor,
        ALL,
        filters,
        direction=direction.value if direction else None,
        other_project_id=other_project_id,
        external=external,
        overdue=overdue,
        sort=sort,
    )
    return _csv(session, "dependencies", page)


# Import ------------------------------------------------------------------------------------


class ImportedRow(BaseModel):
    row: int = Field(description="The row's number as a spreadsheet shows it (the header is row 1).")
    reference: RaidReference | None = Field(description="The new item's reference; null on a dry run.")
    title: str = Field(description="Its title (an assumption's statement).")
    project: str | None = Field(description="The project's reference.")


class RaidImportResult(BaseModel):
    log: str
    dry_run: bool
    count: int = Field(description="Items created, or that would be created on a dry run.")
    items: list[ImportedRow]


SPECS: dict[str, csv_service.ImportSpec] = {
    "risks": csv_service.ImportSpec(
        model=RiskCreate,
        columns=(
            "project",
            "title",
            "category",
            "cause",
            "event",
            "effect",
            "nature",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "target_likelihood",
            "target_impact",
            "proximity",
            "response_type",
            "review_date",
            "owner_email",
            "raised_on",
        ),
        table=Risk,
        prefix=risks.RISK_PREFIX,
        record_type="risk",
        check=risks.risk_import_check,
    ),
    "issues": csv_service.ImportSpec(
        model=IssueCreate,
        columns=(
            "project",
            "title",
            "description",
            "issue_type",
            "category",
            "priority",
            "severity",
            "raised_by_email",
            "owner_email",
            "due_date",
            "resolution",
            "status",
        ),
        table=Issue,
        prefix=items.ISSUE_PREFIX,
        record_type="issue",
        check=items.issue_import_check,
    ),
    "assumptions": csv_service.ImportSpec(
        model=AssumptionCreate,
        columns=("project", "statement", "category", "owner_email", "validate_by", "status"),
        table=Assumption,
        prefix=items.ASSUMPTION_PREFIX,
        record_type="assumption",
        check=items.assumption_import_check,
        title="statement",
    ),
    "dependencies": csv_service.ImportSpec(
        model=DependencyCreate,
        columns=(
            "project",
            "other_project",
            "external_party",
            "direction",
            "title",
            "description",
            "category",
            "owner_email",
            "needed_by",
            "status",
        ),
        table=Dependency,
        prefix=items.DEPENDENCY_PREFIX,
        record_type="dependency",
        check=items.dependency_import_check,
    ),
}

# The columns each export writes: accepted, and ignored, on import.
EXPORT_COLUMNS: dict[str, list[str]] = {log: csv_service.export_columns(log) for log in SPECS}

_COLUMN_DOCS = {log: ", ".join(f"`{c}`" for c in spec.columns) for log, spec in SPECS.items()}

IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The CSV, UTF-8 (a byte-order mark is allowed), header row first: the "
        "file's bytes as the body (sent as `text/csv` or `application/octet-stream`), or a form.",
        "content": {
            # Declared as octet-stream, which generated clients can send; `text/csv` is read alike.
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


async def csv_text(request: Request) -> str:
    """The request's CSV: the body itself, or the `file` field of a multipart form."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form()
        except Exception as exc:  # a malformed multipart body
            raise BadRequest("The multipart body cannot be read.") from exc
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise Unprocessable('Send the CSV as the file field "file".', errors=[_missing_file()])
            raw = await upload.read()
        finally:
            await form.close()
    else:
        raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("The CSV must be UTF-8 text.") from exc


def _missing_file() -> FieldProblem:
    return FieldProblem(location=["body", "file"], message="field required", type="missing")


CsvText = Annotated[str, Depends(csv_text)]
DryRunQ = Annotated[bool, Query(description="`true`: check every row and report, writing nothing.")]


def _import(session: Session, actor: Actor, log: str, text: str, dry_run: bool) -> Response:
    spec = SPECS[log]
    results = csv_service.import_rows(session, actor, spec, text, export_columns=EXPORT_COLUMNS[log])
    problems = [p for r in results for p in r.problems]
    if problems:
        session.rollback()
        bad = sorted({r.row for r in results if r.problems})
        raise Unprocessable(
            f"{len(bad)} of {len(results)} rows are not valid (rows {', '.join(map(str, bad[:20]))}"
            f"{', ...' if len(bad) > 20 else ''}); nothing was imported.",
            errors=problems,
            extra={"bad_rows": bad},
        )
    if dry_run:
        session.rollback()
    else:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        csv_service.write_rows(session, actor, log, spec, results, sha256)
    # Plain dicts, not one response model per row: 100,000 rows in one answer.
    rows = [
        {
            "row": r.row,
            "reference": None if dry_run else r.field("reference"),
            "title": r.field(spec.title) or "",
            "project": r.project,
        }
        for r in results
    ]
    return JSONResponse({"log": log, "dry_run": dry_run, "count": len(rows), "items": rows})


def _import_route(log: str) -> Callable[..., Any]:
    def route(session: SessionDep, actor: Edit, text: CsvText, dry_run: DryRunQ = False) -> Response:
        return _import(session, actor, log, text, dry_run)

    route.__name__ = f"import_{log}"
    route.__doc__ = (
        f"Import {log} from CSV, one per row, with the columns {_COLUMN_DOCS[log]} "
        "(`project` is a project reference such as P-0042; people are given by email; empty "
        "cells take the API's defaults; the export's own columns are ignored). Every row is "
        "checked by the rules of the API, including your right to change items of that "
        "project. Any bad row: 422 listing every bad row (`errors[].location` is "
        '`["body", row, column]`, the header being row 1) and nothing is written. All good: '
        "every item is created in one transaction, up to `PMO_MAX_RAID_IMPORT_ROWS` rows "
        "(100,000 unless configured), numbered in file order, with one audit event for the "
        "import (with `dry_run=true`: the same checks, the same answer, and nothing written)."
    )
    return route


_RESULT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every row is good: all were imported, or (`dry_run`) would be.",
        "model": RaidImportResult,
    },
}

IMPORT_PATHS = [f"/raid-imports/{log}" for log in SPECS]

for _log in SPECS:
    router.add_api_route(
        f"/raid-imports/{_log}",
        _import_route(_log),
        methods=["POST"],
        response_model=None,
        responses={**_RESULT_RESPONSES, **declare(400, 404)},
        openapi_extra=IMPORT_BODY,
    )
