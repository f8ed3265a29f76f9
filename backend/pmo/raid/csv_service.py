"""CSV export and import of the four RAID logs, for board papers and bulk loading.

Export: the rows a log's list returns for the same filters, in the list's order (by
reference unless `sort` says otherwise), one row per item, with the names a board paper needs
(project reference and name, programme, owner) and every date in ISO 8601. A cell that a
spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@` or their fullwidth
forms, a tab or a carriage return) is written with a leading single quote, so it is shown as
text (`pmo.core.spreadsheet`, shared by every CSV and XLSX export).

Import: one item per row, with the columns of the log's `ImportSpec`, checked by the same
rules as the API without a round trip per row: the cells go through the log's own input model
(`RiskCreate`, ...); the project is given by its reference (`P-0042`) and people by email,
all looked up once, in the actor's organisation only; then the log's own rules (shared with
its create service: the risk scale, an issue's defaults, a dependency's duplicates, read once)
and the actor's right to edit items of that project. Every bad row is reported (row number as
a spreadsheet shows it, the header being row 1; column; message) as one 422, and nothing is
written unless every row is good. A good file is numbered in one step, inserted in chunks
(`pmo.core.bulk`) and audited with one event holding the file's SHA-256, in the request's
one transaction. A dry run checks the same way and writes nothing. Columns that only the
export writes (reference, scores, names) are ignored on import, so an edited export can be
imported as new items.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel, col, select

from pmo.audit import service as audit
from pmo.core.bulk import insert_rows
from pmo.core.config import get_settings
from pmo.core.errors import FieldProblem, Forbidden, ProblemError, Unprocessable, plain_message
from pmo.core.permissions import Actor, Denied, enforce
from pmo.core.references import next_references
from pmo.core.schemas import utc_text
from pmo.core.spreadsheet import safe_text
from pmo.organisations.models import User
from pmo.portfolio.models import Portfolio, Programme, Project
from pmo.raid.common import RowCheck, can_edit_item, check_one_place
from pmo.raid.models import Issue, Risk
from pmo.search.index import REGISTERS, indexed_in_bulk

MAX_EXPORT_ROWS = 50_000


def neutralise(value: Any) -> str:
    """A cell's text, made safe from spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = utc_text(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return safe_text(text)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


# Names for the rows ------------------------------------------------------------------------


class Names:
    """Projects, programmes, portfolios and people of the exported items, loaded once."""

    def __init__(self, session: Session, items: Sequence[Any]) -> None:
        def ids(*attrs: str) -> set[uuid.UUID]:
            return {getattr(i, a) for i in items for a in attrs if getattr(i, a, None) is not None}

        project_ids = ids("project_id", "other_project_id")
        self.projects: dict[uuid.UUID, Project] = (
            {p.id: p for p in session.exec(select(Project).where(col(Project.id).in_(project_ids)))}
            if project_ids
            else {}
        )
        programme_ids = ids("programme_id") | {p.programme_id for p in self.projects.values()}
        self.programmes: dict[uuid.UUID, Programme] = (
            {p.id: p for p in session.exec(select(Programme).where(col(Programme.id).in_(programme_ids)))}
            if programme_ids
            else {}
        )
        portfolio_ids = ids("portfolio_id")
        self.portfolios: dict[uuid.UUID, Portfolio] = (
            {p.id: p for p in session.exec(select(Portfolio).where(col(Portfolio.id).in_(portfolio_ids)))}
            if portfolio_ids
            else {}
        )
        user_ids = ids("owner_id", "raised_by_id")
        self.users: dict[uuid.UUID, User] = (
            {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
            if user_ids
            else {}
        )

    def project(self, project_id: uuid.UUID | None) -> Project | None:
        return self.projects.get(project_id) if project_id else None

    def placement(self, item: Any) -> list[Any]:
        """project reference, project name, programme name, portfolio name."""
        project = self.project(item.project_id)
        programme_id = project.programme_id if project else getattr(item, "programme_id", None)
        programme = self.programmes.get(programme_id) if programme_id else None
        portfolio_id = getattr(item, "portfolio_id", None)
        portfolio = self.portfolios.get(portfolio_id) if portfolio_id else None
        return [
            project.reference if project else "",
            project.name if project else "",
            programme.name if programme else "",
            portfolio.name if portfolio else "",
        ]

    def person(self, user_id: uuid.UUID | None) -> list[str]:
        """name, email."""
        user = self.users.get(user_id) if user_id else None
        return [user.display_name, user.email] if user else ["", ""]


PLACEMENT_COLUMNS = ["reference", "project", "project_name", "programme", "portfolio"]


def _risk_rows(session: Session, items: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    names = Names(session, items)
    issues = _linked_issues(session, [i.id for i in items])
    header = [
        *PLACEMENT_COLUMNS,
        "title",
        "category",
        "nature",
        "cause",
        "event",
        "effect",
        "owner",
        "owner_email",
        "status",
        "scale",
        "inherent_likelihood",
        "inherent_impact",
        "inherent_score",
        "inherent_rag",
        "residual_likelihood",
        "residual_impact",
        "residual_score",
        "residual_rag",
        "target_likelihood",
        "target_impact",
        "target_score",
        "target_rag",
        "response_type",
        "proximity",
        "review_date",
        "due_for_review",
        "escalation_level",
        "escalation_reason",
        "issue",
        "raised_on",
        "closed_at",
        "updated_at",
    ]
    rows = [
        [
            r.reference,
            *names.placement(r),
            r.title,
            r.category,
            r.nature,
            r.cause,
            r.event,
            r.effect,
            *names.person(r.owner_id),
            r.status,
            r.scale,
            r.inherent_likelihood,
            r.inherent_impact,
            r.inherent_score,
            r.inherent_band,
            r.residual_likelihood,
            r.residual_impact,
            r.residual_score,
            r.residual_band,
            r.target_likelihood,
            r.target_impact,
            r.target_score,
            r.target_band,
            r.response_type,
            r.proximity,
            r.review_date,
            r.due_for_review,
            r.escalation_level,
            r.escalation_reason,
            issues.get(r.id, ""),
            r.raised_on,
            r.closed_at,
            r.updated_at,
        ]
        for r in items
    ]
    return header, rows


def _linked_issues(session: Session, risk_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not risk_ids:
        return {}
    rows = session.execute(
        select(Issue.risk_id, Issue.reference).where(col(Issue.risk_id).in_(risk_ids))
    ).all()
    return dict(rows)


def _references(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(model.id, model.reference).where(col(model.id).in_(wanted))).all()
    return dict(rows)


def _issue_rows(session: Session, items: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    names = Names(session, items)
    risks = _references(session, Risk, (i.risk_id for i in items))
    header = [
        *PLACEMENT_COLUMNS,
        "title",
        "description",
        "issue_type",
        "category",
        "priority",
        "severity",
        "raised_by",
        "owner",
        "owner_email",
        "status",
        "raised_on",
        "due_date",
        "overdue",
        "resolution",
        "escalation_level",
        "escalation_reason",
        "risk",
        "closed_at",
        "updated_at",
    ]
    rows = [
        [
            i.reference,
            *names.placement(i),
            i.title,
            i.description,
            i.issue_type,
            i.category,
            i.priority,
            i.severity,
            names.person(i.raised_by_id)[0],
            *names.person(i.owner_id),
            i.status,
            i.raised_on,
            i.due_date,
            getattr(i, "overdue", ""),
            i.resolution,
            i.escalation_level,
            i.escalation_reason,
            risks.get(i.risk_id, "") if i.risk_id else "",
            i.closed_at,
            i.updated_at,
        ]
        for i in items
    ]
    return header, rows


def _assumption_rows(session: Session, items: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    names = Names(session, items)
    risks = _references(session, Risk, (a.raised_risk_id for a in items))
    issues = _references(session, Issue, (a.raised_issue_id for a in items))
    header = [
        *PLACEMENT_COLUMNS,
        "statement",
        "category",
        "owner",
        "owner_email",
        "status",
        "raised_on",
        "validate_by",
        "validation_due",
        "raised_risk",
        "raised_issue",
        "closed_at",
        "updated_at",
    ]
    rows = [
        [
            a.reference,
            *names.placement(a),
            a.statement,
            a.category,
            *names.person(a.owner_id),
            a.status,
            a.raised_on,
            a.validate_by,
            getattr(a, "validation_due", ""),
            risks.get(a.raised_risk_id, "") if a.raised_risk_id else "",
            issues.get(a.raised_issue_id, "") if a.raised_issue_id else "",
            a.closed_at,
            a.updated_at,
        ]
        for a in items
    ]
    return header, rows


def _dependency_rows(session: Session, items: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    names = Names(session, items)
    header = [
        *PLACEMENT_COLUMNS,
        "title",
        "description",
        "category",
        "direction",
        "other_project",
        "other_project_name",
        "other_programme",
        "external_party",
        "owner",
        "owner_email",
        "status",
        "raised_on",
        "needed_by",
        "escalation_level",
        "escalation_reason",
        "closed_at",
        "updated_at",
    ]
    rows = []
    for d in items:
        other = names.project(d.other_project_id)
        other_programme = names.programmes.get(other.programme_id) if other else None
        rows.append(
            [
                d.reference,
                *names.placement(d),
                d.title,
                d.description,
                d.category,
                d.direction,
                other.reference if other else "",
                other.name if other else "",
                other_programme.name if other_programme else "",
                d.external_party,
                *names.person(d.owner_id),
                d.status,
                d.raised_on,
                d.needed_by,
                d.escalation_level,
                d.escalation_reason,
                d.closed_at,
                d.updated_at,
            ]
        )
    return header, rows


ROW_WRITERS: dict[str, Callable[[Session, Sequence[Any]], tuple[list[str], list[list[Any]]]]] = {
    "risks": _risk_rows,
    "issues": _issue_rows,
    "assumptions": _assumption_rows,
    "dependencies": _dependency_rows,
}


def export_csv(session: Session, log: str, items: Sequence[Any]) -> str:
    """The CSV of `items` (the list's public models, in the list's order)."""
    header, rows = ROW_WRITERS[log](session, items)
    return to_csv(header, rows)


def export_columns(log: str) -> list[str]:
    """The header row of a log's export."""
    return ROW_WRITERS[log](cast(Session, None), [])[0]


def file_name(log: str, day: date) -> str:
    return f"{log}-{day.isoformat()}.csv"


# Import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSpec:
    """How one log is imported: its input model, its columns, its table and its own rules.

    Every log is imported the same way, in bulk: each row goes through the input model, the
    placement and edit-right checks every log shares, and the log's `check` (its create
    service's rules without a round trip per row: what they need is read once); then the rows
    are numbered in one step, inserted in chunks and audited with one event."""

    model: type[BaseModel]
    columns: tuple[str, ...]  # accepted columns, besides the ones the export alone writes
    table: Any
    prefix: str  # of the references: "R"
    record_type: str  # in the import's audit event: "risk"
    # Reads what the log's rules need once (the projects the file names are given), and
    # returns the row check.
    check: Callable[[Session, Actor, Collection[uuid.UUID]], RowCheck]
    title: str = "title"


# Where a CSV column name differs from the model field it fills.
PROJECT_COLUMNS = {"project": "project_id", "other_project": "other_project_id"}
PEOPLE_COLUMNS = {"owner_email": "owner_id", "raised_by_email": "raised_by_id"}


def parse_csv(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows (with their spreadsheet row numbers) of a CSV document."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        records = list(reader)
    except csv.Error as exc:
        raise Unprocessable(
            f"The CSV cannot be read: {exc}.",
            errors=[FieldProblem(location=["body"], message=str(exc), type="csv_error")],
        ) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise Unprocessable(
            "The CSV has no header row.",
            errors=[FieldProblem(location=["body", 1], message="expected a header row", type="csv_header")],
        )
    header = [cell.strip().lower() for cell in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not "".join(record).strip():
            continue  # blank lines, as spreadsheets leave at the end
        if len(record) > len(header):
            rows.append((number, {"": "\x00too-many-cells"}))
            continue
        rows.append((number, dict(zip(header, record, strict=False))))
    return header, rows


@dataclass
class RowResult:
    row: int
    values: dict[str, Any] | None = None  # the new item's columns, once checked
    project: str | None = None  # the project's reference
    problems: list[FieldProblem] = field(default_factory=list)

    def field(self, name: str) -> Any:
        return self.values.get(name) if self.values is not None else None


def _problem(row: int, column: str | None, message: str, kind: str) -> FieldProblem:
    location: list[str | int] = ["body", row]
    if column:
        location.append(column)
    return FieldProblem(location=location, message=message, type=kind)


def _column_of(loc: Sequence[Any]) -> str | None:
    if not loc:
        return None
    name = str(loc[0])
    reverse = {v: k for k, v in {**PROJECT_COLUMNS, **PEOPLE_COLUMNS}.items()}
    if name in reverse:
        return reverse[name]
    return name


def import_rows(
    session: Session,
    actor: Actor,
    spec: ImportSpec,
    text: str,
    *,
    export_columns: Iterable[str],
) -> list[RowResult]:
    """Check and create every row, each in a savepoint. The caller commits only if no row has
    a problem (and never on a dry run)."""
    header, rows = parse_csv(text)
    ignored = set(export_columns) - set(spec.columns)
    header_problems = [
        _problem(
            1,
            name or f"column {index + 1}",
            "unknown column: expected "
            + ", ".join(spec.columns)
            + " (the export's own columns, such as reference, are ignored)",
            "csv_header",
        )
        for index, name in enumerate(header)
        if name not in spec.columns and name not in ignored
    ]
    duplicates = {name for name in header if name and header.count(name) > 1}
    header_problems += [
        _problem(1, name, "the column is given twice", "csv_header") for name in sorted(duplicates)
    ]
    if header_problems:
        raise Unprocessable("The header row of the CSV is not valid.", errors=header_problems)
    if not rows:
        raise Unprocessable(
            "The CSV has a header but no rows to import.",
            errors=[_problem(2, None, "expected at least one row", "csv_empty")],
        )
    limit = get_settings().max_raid_import_rows
    if len(rows) > limit:
        raise Unprocessable(
            f"At most {limit} rows can be imported at once; split the file.",
            errors=[_problem(rows[limit][0], None, "too many rows", "csv_too_many_rows")],
        )
    lookup = _Lookup(session, actor, rows)
    check = spec.check(session, actor, lookup.by_id.keys())
    return [_check_row(actor, spec, check, lookup, number, cells) for number, cells in rows]


def column_defaults(model: type[SQLModel]) -> dict[str, Any]:
    """A new row's values of the model's columns that have a default (id, created_at, ...)."""
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
        if not info.is_required()
    }


def write_rows(
    session: Session, actor: Actor, log: str, spec: ImportSpec, results: list[RowResult], sha256: str
) -> None:
    """Number every checked row in one step, insert them in chunks, and audit the import with
    one event (the rows carry their own created_at; the event says who imported what)."""
    references = next_references(session, actor.organisation_id, spec.prefix, len(results))
    defaults = column_defaults(spec.table)
    rows = []
    for result, reference in zip(results, references, strict=True):
        checked = result.values or {}  # every row has its values once no row has a problem
        # `_value_`, not `.value`: the property costs more than the rest of the row (profile).
        values = {k: v._value_ if isinstance(v, Enum) else v for k, v in checked.items()}
        result.values = {**defaults, **values, "id": uuid.uuid4(), "reference": reference}
        rows.append(result.values)
    table = spec.table.__table__
    if any(register.table == table.name for register in REGISTERS):  # the logs search finds
        with indexed_in_bulk(session, table.name):
            insert_rows(session, table, rows)
    else:
        insert_rows(session, table, rows)
    audit.record(
        session,
        actor,
        organisation_id=actor.organisation_id,
        action="import",
        record_type=f"{spec.record_type}_import",
        record_id=uuid.uuid4(),
        after={
            "log": log,
            "count": len(rows),
            "first_reference": references[0],
            "last_reference": references[-1],
            "sha256": sha256,
        },
    )


class _Lookup:
    """Projects by reference and people by email, of the actor's organisation only (the
    projects themselves too: a bulk row's access check needs them)."""

    def __init__(self, session: Session, actor: Actor, rows: list[tuple[int, dict[str, str]]]) -> None:
        references = {
            cells[c].strip().upper() for _, cells in rows for c in PROJECT_COLUMNS if cells.get(c, "").strip()
        }
        emails = {
            cells[c].strip().lower() for _, cells in rows for c in PEOPLE_COLUMNS if cells.get(c, "").strip()
        }
        self.by_id: dict[uuid.UUID, Project] = {}
        if references:
            self.by_id = {
                p.id: p
                for p in session.exec(
                    select(Project).where(
                        Project.organisation_id == actor.organisation_id,
                        col(Project.reference).in_(references),
                    )
                )
            }
        self.projects: dict[str, uuid.UUID] = {p.reference: p.id for p in self.by_id.values()}
        self._may_edit: dict[uuid.UUID | None, bool | Denied] = {}
        self.people: dict[str, uuid.UUID] = {}
        if emails:
            found = session.execute(
                select(User.email, User.id).where(
                    User.organisation_id == actor.organisation_id, col(User.email).in_(emails)
                )
            ).all()
            self.people = {email.lower(): user_id for email, user_id in found}

    def may_edit(self, actor: Actor, project_id: uuid.UUID | None) -> bool | Denied:
        """May `actor` edit items of the project: decided once per project, not per row."""
        if project_id not in self._may_edit:
            project = self.by_id.get(project_id) if project_id else None
            self._may_edit[project_id] = can_edit_item(actor, None, project)
        return self._may_edit[project_id]


def _row_body(
    spec: ImportSpec, lookup: _Lookup, result: RowResult, cells: dict[str, str]
) -> BaseModel | None:
    """The row's cells as the log's input model, or None with the row's problems noted."""
    number = result.row
    if "" in cells and cells[""] == "\x00too-many-cells":
        result.problems.append(_problem(number, None, "the row has more cells than the header", "csv_row"))
        return None
    data: dict[str, Any] = {}
    placeholders: set[str] = set()
    for column in spec.columns:
        value = cells.get(column, "").strip()
        if not value:
            continue
        if column in PROJECT_COLUMNS:
            project_id = lookup.projects.get(value.upper())
            if column == "project":
                result.project = value.upper()
            if project_id is None:
                result.problems.append(
                    _problem(number, column, f"no project {value} in your organisation", "not_found")
                )
                placeholders.add(PROJECT_COLUMNS[column])
                project_id = uuid.uuid4()
            data[PROJECT_COLUMNS[column]] = project_id
        elif column in PEOPLE_COLUMNS:
            user_id = lookup.people.get(value.lower())
            if user_id is None:
                result.problems.append(
                    _problem(
                        number, column, f"no user with the email {value} in your organisation", "not_found"
                    )
                )
                placeholders.add(PEOPLE_COLUMNS[column])
                user_id = uuid.uuid4()
            data[PEOPLE_COLUMNS[column]] = user_id
        else:
            data[column] = value
    try:
        body = spec.model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error.get("loc", ())
            if loc and str(loc[0]) in placeholders:
                continue
            # In the API's words (`plain_message`), as the same body sent to its create route.
            result.problems.append(_problem(number, _column_of(loc), plain_message(error), error["type"]))
        return None
    return None if result.problems else body


def _check_row(
    actor: Actor, spec: ImportSpec, check: RowCheck, lookup: _Lookup, number: int, cells: dict[str, str]
) -> RowResult:
    """A row, checked by its create service's rules without the database: the placement (one
    of the organisation's projects, looked up once), the log's own rules, and the actor's
    right to edit items of that project; a row that breaks several is told each."""
    result = RowResult(row=number)
    body = _row_body(spec, lookup, result, cells)
    if body is None:
        return result
    place = {name: getattr(body, name, None) for name in ("project_id", "programme_id", "portfolio_id")}
    values: dict[str, Any] = {}
    try:
        check_one_place(**place)
        values = check(body, number)
    except ProblemError as exc:
        _note(result, exc)
    try:
        enforce(lookup.may_edit(actor, place["project_id"]))
    except ProblemError as exc:
        _note(result, exc)
    if not result.problems:
        result.values = values
    return result


def _note(result: RowResult, exc: ProblemError) -> None:
    """A create service's refusal as the row's problems."""
    if exc.errors:
        for problem in exc.errors:
            where = [p for p in problem.location if p != "body"]
            result.problems.append(_problem(result.row, _column_of(where), problem.message, problem.type))
    else:
        where_not = "project" if isinstance(exc, Forbidden) else None
        result.problems.append(_problem(result.row, where_not, exc.detail or exc.title, exc.slug))
