"""Routes of the financial summary: `/api/v1/programmes/{programme_id}/financial-summary` and
`/api/v1/portfolios/{portfolio_id}/financial-summary` as JSON, with their `.csv` (one table,
`table=`) and `.xlsx` (a sheet per table) operations. The JSON operations still answer CSV
(the projects table) or XLSX when `Accept` prefers it (`pmo.core.negotiation`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Query, Response

from pmo.auth.dependencies import require
from pmo.core import spreadsheet
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, body_with_etag
from pmo.core.negotiation import negotiate
from pmo.core.pagination import PageDep
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.finance import summary_export as export
from pmo.finance import summary_service as service
from pmo.finance.summary_export import SummaryTable
from pmo.finance.summary_schemas import Basis, DrawdownLine, FinancialSummary, SummaryLines

router = ApiRouter(tags=["financial-summary"])

Read = Annotated[Actor, require(Permission.finance_read)]
BasisQ = Annotated[
    Basis, Query(description="Which values of the benefit profiles are the cashable benefits.")
]
LinesQ = Annotated[
    SummaryLines,
    Query(
        description="`all` (the default, as in 1.0.0) lists every cost line in `costs` and every "
        "approved or pending draw-down in `drawdowns`; `none` leaves both lists empty for a quick "
        "answer at scale, with the same totals and their counts (`costs_count`, `drawdowns_count`): "
        "page the draw-downs from `drawdowns_url`; the `.csv` operation lists either table. The web "
        "app asks for `none`."
    ),
]
TableQ = Annotated[
    SummaryTable,
    Query(
        description="Which table: `projects` (Appendix B's rows), `totals`, `costs` (cost lines), "
        "`cost-totals` (by funding source), `funding-sources` (draw-downs by funding source) or "
        "`drawdowns`."
    ),
]
AcceptHeader = Annotated[
    str | None,
    Header(
        alias="Accept",
        max_length=1000,
        # OpenAPI ignores a parameter named Accept (3.1, Parameter Object): the operation's
        # response media types say what is offered.
        include_in_schema=False,
    ),
]
JSON_MEDIA_TYPE = "application/json"
# The JSON operations answer the spreadsheets too when `Accept` prefers them (as they did
# before the `.csv` and `.xlsx` operations).
JSON_OFFERS = (JSON_MEDIA_TYPE, "text/csv", spreadsheet.XLSX_MEDIA_TYPE)
SIGN = "Costs are positive and cashable benefits negative, as in Appendix B."

JSON_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The summary. `Accept: text/csv` still gets the projects table as CSV here, and "
        "the XLSX media type the workbook; the `.csv` and `.xlsx` operations declare them."
    },
    **declare(304, 404, 406),
}
CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One table of the summary as CSV (a download): a header row, then its rows. "
        f"Amounts are exact pounds strings (`-44000.00`); dates ISO 8601. {SIGN}",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **declare(404, 406),
}
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The summary as an XLSX workbook (a download): an About sheet, then a sheet "
        f"for each table, amounts in pounds with the `£` format. {SIGN}",
        "content": {spreadsheet.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    **declare(404, 406),
}


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _csv(summary: FinancialSummary, table: SummaryTable) -> Response:
    body = spreadsheet.to_csv(export.TABLES[table](summary))
    return _download(body, spreadsheet.CSV_MEDIA_TYPE, export.file_name(summary, "csv", table))


def _xlsx(summary: FinancialSummary) -> Response:
    body = spreadsheet.to_xlsx(export.workbook_tables(summary))
    return _download(body, spreadsheet.XLSX_MEDIA_TYPE, export.file_name(summary, "xlsx"))


def _negotiated(
    make: Callable[[], FinancialSummary],
    written: Callable[[], service.WrittenSummary],
    accept: str | None,
    if_none_match: str | None,
) -> Response:
    """The JSON (`written`: kept written out while nothing in the organisation changes), or the
    1.0.0 summary (`make`) as CSV or XLSX when `Accept` prefers them."""
    wanted = negotiate(accept, JSON_OFFERS)
    if wanted == "text/csv":
        return _csv(make(), SummaryTable.projects)
    if wanted == spreadsheet.XLSX_MEDIA_TYPE:  # the workbook's draw-downs sheet lists them all
        return _xlsx(make())
    json = written()
    return body_with_etag(json.body, json.etag, if_none_match)


PROGRAMME = """Per project: stage, service area, one-off investment, cashable benefits per financial
year and in total, and the part already in the MTFP; the totals (per year, cumulative,
recurring thereafter, MTFP and new); costs and draw-downs (approved, pending) by funding
source. Every total is the exact sum of its lines."""
PORTFOLIO = """The programme summary over every programme of the portfolio (Appendix B for the whole
Organisational Development Programme)."""


@router.get(
    "/programmes/{programme_id:uuid}/financial-summary",
    response_model=FinancialSummary,
    responses=JSON_RESPONSES,
    summary="Programme financial summary",
    description=PROGRAMME,
)
def programme_financial_summary(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    lines: LinesQ = SummaryLines.all,
    accept: AcceptHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    return _negotiated(
        lambda: service.programme_summary(session, actor, programme_id, basis),
        lambda: service.summary_json(session, actor, "programme", programme_id, basis, lines),
        accept,
        if_none_match,
    )


@router.get(
    "/programmes/{programme_id:uuid}/financial-summary.csv",
    response_class=Response,
    responses=CSV_RESPONSES,
    summary="Programme financial summary as CSV",
    description=f"One table of the programme's financial summary (`table`) as CSV. {PROGRAMME}",
)
def programme_financial_summary_csv(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    table: TableQ = SummaryTable.projects,
    accept: AcceptHeader = None,
) -> Response:
    negotiate(accept, ("text/csv",))
    return _csv(service.programme_summary(session, actor, programme_id, basis), table)


@router.get(
    "/programmes/{programme_id:uuid}/financial-summary.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="Programme financial summary as XLSX",
    description=f"The programme's financial summary as an XLSX workbook, a sheet per table. {PROGRAMME}",
)
def programme_financial_summary_xlsx(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    accept: AcceptHeader = None,
) -> Response:
    negotiate(accept, (spreadsheet.XLSX_MEDIA_TYPE,))
    return _xlsx(service.programme_summary(session, actor, programme_id, basis))


@router.get(
    "/portfolios/{portfolio_id:uuid}/financial-summary",
    response_model=FinancialSummary,
    responses=JSON_RESPONSES,
    summary="Portfolio financial summary",
    description=PORTFOLIO,
)
def portfolio_financial_summary(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    lines: LinesQ = SummaryLines.all,
    accept: AcceptHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    return _negotiated(
        lambda: service.portfolio_summary(session, actor, portfolio_id, basis),
        lambda: service.summary_json(session, actor, "portfolio", portfolio_id, basis, lines),
        accept,
        if_none_match,
    )


@router.get(
    "/portfolios/{portfolio_id:uuid}/financial-summary.csv",
    response_class=Response,
    responses=CSV_RESPONSES,
    summary="Portfolio financial summary as CSV",
    description=f"One table of the portfolio's financial summary (`table`) as CSV. {PORTFOLIO}",
)
def portfolio_financial_summary_csv(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    table: TableQ = SummaryTable.projects,
    accept: AcceptHeader = None,
) -> Response:
    negotiate(accept, ("text/csv",))
    return _csv(service.portfolio_summary(session, actor, portfolio_id, basis), table)


@router.get(
    "/portfolios/{portfolio_id:uuid}/financial-summary.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="Portfolio financial summary as XLSX",
    description=f"The portfolio's financial summary as an XLSX workbook, a sheet per table. {PORTFOLIO}",
)
def portfolio_financial_summary_xlsx(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    basis: BasisQ = Basis.planned,
    accept: AcceptHeader = None,
) -> Response:
    negotiate(accept, (spreadsheet.XLSX_MEDIA_TYPE,))
    return _xlsx(service.portfolio_summary(session, actor, portfolio_id, basis))


LINES = """The approved or pending draw-downs of the summary's projects (in consultation, awaiting
decision or referred), by reference, a page at a time (`Link` header: `next`, `last`...): the
lines the summary lists in `drawdowns`, whose totals are its `drawdowns_by_funding_source`."""


@router.get(
    "/programmes/{programme_id:uuid}/financial-summary/drawdowns",
    response_model=Page[DrawdownLine],
    responses=declare(404),
    summary="Programme financial summary: draw-down lines",
    description=LINES,
)
def programme_financial_summary_drawdowns(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[DrawdownLine]:
    return service.programme_drawdown_lines(session, actor, programme_id, page)


@router.get(
    "/portfolios/{portfolio_id:uuid}/financial-summary/drawdowns",
    response_model=Page[DrawdownLine],
    responses=declare(404),
    summary="Portfolio financial summary: draw-down lines",
    description=LINES,
)
def portfolio_financial_summary_drawdowns(
    portfolio_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[DrawdownLine]:
    return service.portfolio_drawdown_lines(session, actor, portfolio_id, page)
