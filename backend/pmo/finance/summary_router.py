"""Routes of the financial summary: `/api/v1/programmes/{programme_id}/financial-summary` and
`/api/v1/portfolios/{portfolio_id}/financial-summary`, as JSON, CSV or XLSX (`Accept`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.permissions import Actor, Permission
from pmo.finance import summary_export as export
from pmo.finance import summary_service as service
from pmo.finance.summary_schemas import Basis, FinancialSummary

router = APIRouter(tags=["financial-summary"])

Read = Annotated[Actor, require(Permission.finance_read)]
BasisQ = Annotated[
    Basis, Query(description="Which values of the benefit profiles are the cashable benefits.")
]
AcceptHeader = Annotated[
    str | None,
    Header(
        alias="Accept",
        max_length=1000,
        # OpenAPI ignores a parameter named Accept (3.1, Parameter Object): the operation's
        # response media types say what is offered.
        include_in_schema=False,
        description=f"`application/json` (the default), `text/csv` or `{export.XLSX_MEDIA_TYPE}`.",
    ),
]

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The summary: JSON, or laid out like Appendix B as CSV or XLSX (a download).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/FinancialSummary"}},
            "text/csv": {"schema": {"type": "string"}},
            export.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **declare(304, 404),
}


def _respond(summary: FinancialSummary, accept: str | None, if_none_match: str | None) -> Response:
    wanted = (accept or "").lower()
    if export.XLSX_MEDIA_TYPE in wanted:
        return Response(
            export.to_xlsx(summary),
            media_type=export.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{export.file_name(summary, "xlsx")}"'},
        )
    if "text/csv" in wanted:
        return Response(
            export.to_csv(summary),
            media_type=export.CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{export.file_name(summary, "csv")}"'},
        )
    return json_with_etag(summary, if_none_match)


@router.get(
    "/programmes/{programme_id:uuid}/financial-summary",
    response_model=FinancialSummary,
    responses=RESPONSES,
)
def programme_financial_summary(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    accept: AcceptHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Per project: stage, service area, one-off investment, cashable benefits per financial
    year and in total, and the part already in the MTFP; the totals (per year, cumulative,
    recurring thereafter, MTFP and new); costs and draw-downs (approved, pending) by funding
    source. Every total is the exact sum of its lines."""
    return _respond(service.programme_summary(session, actor, programme_id, basis), accept, if_none_match)


@router.get(
    "/portfolios/{portfolio_id:uuid}/financial-summary",
    response_model=FinancialSummary,
    responses=RESPONSES,
)
def portfolio_financial_summary(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    accept: AcceptHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The programme summary over every programme of the portfolio (Appendix B for the whole
    Organisational Development Programme)."""
    return _respond(service.portfolio_summary(session, actor, portfolio_id, basis), accept, if_none_match)
