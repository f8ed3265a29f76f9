"""The portfolio-wide RAID register: every risk, issue, assumption and dependency of the
organisation in one list, filtered, and the same rows as CSV or XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, cast, func, literal, null, or_, select, union_all
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from pmo.core.pagination import PageParams, paginate
from pmo.core.periods import today
from pmo.core.permissions import Actor
from pmo.core.spreadsheet import Column, Kind, Table, label, to_csv, to_xlsx
from pmo.organisations.models import User
from pmo.portfolio.models import Project
from pmo.raid.common import DATE_COLUMNS, RaidFilters, raid_filters
from pmo.raid.models import Assumption, Dependency, Issue, Risk
from pmo.raid.register_schemas import RaidRegisterItem, RaidRegisterPage, RaidType
from pmo.raid.risks_service import organisation_scale
from pmo.raid.scoring import Band

MODELS: dict[RaidType, Any] = {
    RaidType.risk: Risk,
    RaidType.issue: Issue,
    RaidType.assumption: Assumption,
    RaidType.dependency: Dependency,
}
EXPORT_LIMIT = 50_000  # a register bigger than this is not a spreadsheet anyone reads


@dataclass(frozen=True)
class RegisterFilters:
    common: RaidFilters
    types: tuple[RaidType, ...] = ()
    rating: Band | None = None
    review_due: bool | None = None  # open items whose review or due date is today or past
    likelihood: int | None = None  # a heat-map cell: residual likelihood and impact
    impact: int | None = None

    @property
    def risks_only(self) -> bool:
        return self.rating is not None or self.likelihood is not None or self.impact is not None


def _select(session: Session, actor: Actor, kind: RaidType, filters: RegisterFilters) -> Select[Any]:
    model = MODELS[kind]
    is_risk = kind == RaidType.risk
    due = getattr(model, DATE_COLUMNS[model.__tablename__])
    programme = func.coalesce(
        model.programme_id,
        select(col(Project.programme_id)).where(Project.id == model.project_id).scalar_subquery(),
    )
    statement = select(
        literal(kind.value).label("type"),
        model.id.label("id"),
        model.reference.label("reference"),
        (model.title if hasattr(model, "title") else func.substr(model.statement, 1, 200)).label("title"),
        model.status.label("status"),
        model.owner_id.label("owner_id"),
        select(col(User.display_name)).where(User.id == model.owner_id).scalar_subquery().label("owner_name"),
        model.project_id.label("project_id"),
        programme.label("programme_id"),
        due.label("review_or_due"),
        # Typed even where null: PostgreSQL types a union's column from its first selects, and
        # two untyped NULLs (a dependency's, an issue's) make it text, which no risk's score matches.
        *(
            (col(getattr(Risk, name)) if is_risk else cast(null(), Integer)).label(name)
            for name in ("residual_likelihood", "residual_impact", "residual_score")
        ),
    ).where(model.organisation_id == actor.organisation_id)
    statement = raid_filters(statement, model, filters.common)
    if filters.review_due is not None:
        is_due = and_(col(model.closed_at).is_(None), due <= today())
        not_due = or_(due.is_(None), due > today(), col(model.closed_at).isnot(None))
        statement = statement.where(is_due if filters.review_due else not_due)
    if is_risk:
        if filters.rating is not None:
            low, high = organisation_scale(session, actor.organisation_id).score_range(filters.rating)
            statement = statement.where(col(Risk.residual_score).between(low, high))
        if filters.likelihood is not None:
            statement = statement.where(col(Risk.residual_likelihood) == filters.likelihood)
        if filters.impact is not None:
            statement = statement.where(col(Risk.residual_impact) == filters.impact)
    return statement


def _statement(session: Session, actor: Actor, filters: RegisterFilters) -> Select[Any] | None:
    # Each log once, however often the query names it.
    asked = dict.fromkeys(filters.types or tuple(RaidType))
    kinds = [k for k in asked if not filters.risks_only or k == RaidType.risk]
    if not kinds:
        return None
    rows = union_all(*(_select(session, actor, k, filters) for k in kinds)).subquery()
    return select(rows).order_by(rows.c.type, rows.c.reference, rows.c.id)


def _item(scale: Any) -> Any:
    def item(row: Any) -> RaidRegisterItem:
        score = row.residual_score
        return RaidRegisterItem.model_validate(
            {**row._mapping, "rating": scale.band(score) if score is not None else None}
        )

    return item


def register(session: Session, actor: Actor, filters: RegisterFilters, page: PageParams) -> RaidRegisterPage:
    statement = _statement(session, actor, filters)
    if statement is None:
        return RaidRegisterPage(items=[], total=0, limit=page.limit, offset=page.offset)
    scale = organisation_scale(session, actor.organisation_id)
    found = paginate(session, statement, page, _item(scale), whole_rows=True)
    return RaidRegisterPage.model_validate(found.model_dump())


def all_items(session: Session, actor: Actor, filters: RegisterFilters) -> list[RaidRegisterItem]:
    return register(session, actor, filters, PageParams(limit=EXPORT_LIMIT, offset=0)).items


COLUMNS = (
    Column("Type"),
    Column("Reference"),
    Column("Title"),
    Column("Status"),
    Column("Owner"),
    Column("Review or due", Kind.date),
    Column("Likelihood", Kind.integer),
    Column("Impact", Kind.integer),
    Column("Score", Kind.integer),
    Column("Rating"),
)


def table(items: list[RaidRegisterItem]) -> Table:
    """The register as one table: a CSV, or the workbook's sheet."""
    rows = [
        [
            label(item.type.value),
            item.reference,
            item.title,
            label(item.status),
            item.owner_name,
            item.review_or_due,
            item.residual_likelihood,
            item.residual_impact,
            item.residual_score,
            label(item.rating.value) if item.rating else None,
        ]
        for item in items
    ]
    return Table("RAID register", COLUMNS, rows)


def as_csv(items: list[RaidRegisterItem]) -> bytes:
    return to_csv(table(items))


def as_xlsx(items: list[RaidRegisterItem]) -> bytes:
    return to_xlsx([table(items)])
