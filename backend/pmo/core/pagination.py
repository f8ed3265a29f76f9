"""Paging, sorting and filtering of list endpoints, the same way everywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session
from starlette.datastructures import URL

from pmo.core.config import get_settings
from pmo.core.middleware import response_headers
from pmo.core.schemas import Page

MAX_LIMIT = 200
T = TypeVar("T")


@dataclass
class PageParams:
    limit: int
    offset: int
    # The request, when the page answers one: its `Link` header is set from it.
    request: Request | None = None


def page_params(
    request: Request,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Records per page (at most {MAX_LIMIT}).")
    ] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Records to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset, request=request)


PageDep = Annotated[PageParams, Depends(page_params)]


def sort_query(*fields: str) -> Any:
    """The `sort` query parameter: one of `fields`, ascending, or with a leading `-` descending."""
    return Query(
        pattern=rf"^-?({'|'.join(fields)})$",
        description=f"Sort by {', '.join(fields)}; prefix with `-` for descending order.",
    )


def order_by(sort: str, columns: Mapping[str, Any], tiebreak: Any) -> list[ColumnElement[Any]]:
    """ORDER BY for `sort` ("name" or "-name"), with a unique tiebreak so pages are stable."""
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    return [column.desc() if descending else column.asc(), tiebreak.asc()]


def text_search(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive "contains" over `columns`; `%` and `_` in the text match themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(func.lower(column).like(f"%{escaped}%", escape="\\") for column in columns))


def paginate(
    session: Session,
    statement: Select[Any],
    page: PageParams,
    items_map: Any = None,
    *,
    whole_rows: bool = False,
    counted: Select[Any] | None = None,
) -> Page[Any]:
    """Run `statement` for one page and count the whole result.

    Each item is the first column of a row (the model selected), or with `whole_rows` the row.
    `counted`: the same rows without costly columns (a rank worked out per row), to count.
    """
    counting = counted if counted is not None else statement.order_by(None)
    total = session.execute(select(func.count()).select_from(counting.subquery())).scalar_one()
    result = session.execute(statement.limit(page.limit).offset(page.offset))
    rows: Sequence[Any] = result.all() if whole_rows else result.scalars().all()
    items = [items_map(row) for row in rows] if items_map else list(rows)
    if page.request is not None:
        response_headers(page.request.scope)["Link"] = page_links(
            page.request, page.offset, page.limit, total
        )
    return Page[Any](items=items, total=total, limit=page.limit, offset=page.offset)


def absolute_url(request: Request | URL, **params: Any) -> str:
    """The request's URL on the service's public base URL (`PMO_PUBLIC_URL`), with `params`
    replacing those of the same name: links stay right behind a proxy or another host name."""
    url = request.url if isinstance(request, Request) else request
    url = url.include_query_params(**params) if params else url
    query = f"?{url.query}" if url.query else ""
    return public_url_of(f"{url.path}{query}")


def public_url_of(path: str) -> str:
    """A path of the service (`/api/v1/...`) as an absolute URL on `PMO_PUBLIC_URL`."""
    return f"{get_settings().public_url.rstrip('/')}{path}"


def page_links(request: Request, offset: int, limit: int, total: int) -> str:
    """The RFC 8288 `Link` header of an offset page: `self`, `first`, `prev`, `next`, `last`."""
    links = {"self": offset, "first": 0}
    if offset > 0:
        links["prev"] = max(0, offset - limit)
    if offset + limit < total:
        links["next"] = offset + limit
    links["last"] = max(0, (total - 1) // limit * limit)
    return ", ".join(
        f'<{absolute_url(request, offset=at, limit=limit)}>; rel="{rel}"' for rel, at in links.items()
    )
