"""Paging, sorting and filtering of list endpoints, the same way everywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from pmo.core.schemas import Page

MAX_LIMIT = 200
T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Records per page (at most {MAX_LIMIT}).")
    ] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Records to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


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
) -> Page[Any]:
    """Run `statement` for one page and count the whole result.

    Each item is the first column of a row (the model selected), or with `whole_rows` the row.
    """
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    result = session.execute(statement.limit(page.limit).offset(page.offset))
    rows: Sequence[Any] = result.all() if whole_rows else result.scalars().all()
    items = [items_map(row) for row in rows] if items_map else list(rows)
    return Page[Any](items=items, total=total, limit=page.limit, offset=page.offset)
