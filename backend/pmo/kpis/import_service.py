"""Bulk import of KPI definitions, targets and values from CSV or XLSX (DOMAIN.md section 6):
how a council moves its history off an old performance system.

A file holds up to three kinds of rows: an XLSX workbook a sheet for each ("definitions",
"targets", "values"; any may be absent, other sheets are ignored), a CSV one kind (given, or
told by its header row). Rows are checked by the rules of the API (the same input models and
number checks), KPIs are referred to by code (existing in the organisation, or defined in the
same file), and duplicates, within the file or against what is already stored, are errors.

Every bad row is reported (sheet, row number as the spreadsheet shows it with the header as
row 1, column, what is wrong), and then nothing is written; otherwise every row is written in
one transaction with bulk inserts (100,000 values in one go), one audit event summarising
the import (not one per row: the rows themselves carry who entered and published them), and
one move of the organisation's KPI feed revision.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from defusedxml import DefusedXmlException
from pydantic import BaseModel, ValidationError
from sqlalchemy import select as sa_select  # typed for any number of columns
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.bulk import insert_rows
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import FieldProblem, ProblemError, Unprocessable, plain_message
from pmo.core.periods import Period, period_containing
from pmo.core.permissions import Actor
from pmo.kpis.feed_state import PUBLISHED, mark_changed, mark_values_changed, of_kpis
from pmo.kpis.models import Kpi, KpiFeedState, KpiTarget, KpiValue
from pmo.kpis.schemas import KpiCreate, KpiStatus, TargetCreate, ValueCreate, ValueStatus
from pmo.kpis.service import check_number, period_of
from pmo.organisations.models import User
from pmo.portfolio.models import Programme, Project

KINDS = ("definitions", "targets", "values")
COLUMNS: dict[str, tuple[str, ...]] = {
    "definitions": (
        "code",
        "name",
        "description",
        "unit",
        "polarity",
        "frequency",
        "decimal_places",
        "owner_email",
        "programme",
        "project",
        "data_source",
        "baseline_value",
        "baseline_period",
        "tolerance_percent",
    ),
    "targets": ("kpi_code", "period_code", "target", "tolerance_percent"),
    "values": ("kpi_code", "period_code", "actual", "commentary", "status"),
}
REQUIRED: dict[str, frozenset[str]] = {
    "definitions": frozenset({"code", "name", "unit", "polarity", "frequency"}),
    "targets": frozenset({"kpi_code", "period_code", "target"}),
    "values": frozenset({"kpi_code", "period_code", "actual"}),
}
# Problems listed in one answer; the count of all of them is always given.
MAX_LISTED_PROBLEMS = 5000
XLSX_MAGIC = b"PK\x03\x04"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int) -> None:  # noqa: ARG001 - the Progress signature
    return None


@dataclass
class Sheet:
    kind: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, column -> cell text)


@dataclass
class Report:
    """What an import found and did."""

    problems: list[FieldProblem] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: dict[str, set[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def add(self, kind: str, row: int, column: str | None, message: str, kind_of_problem: str) -> None:
        self.problem_count += 1
        self.bad_rows.setdefault(kind, set()).add(row)
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            location: list[str | int] = ["body", kind, row]
            if column:
                location.append(column)
            self.problems.append(FieldProblem(location=location, message=message, type=kind_of_problem))

    def refusal(self) -> Unprocessable:
        count = sum(len(r) for r in self.bad_rows.values())
        where = "; ".join(
            f"{kind} {'row' if len(rows) == 1 else 'rows'} "
            f"{', '.join(map(str, sorted(rows)[:20]))}{', ...' if len(rows) > 20 else ''}"
            for kind, rows in self.bad_rows.items()
        )
        listed = (
            f" The first {MAX_LISTED_PROBLEMS} of {self.problem_count} problems are listed."
            if self.problem_count > MAX_LISTED_PROBLEMS
            else ""
        )
        return Unprocessable(
            f"{count} {'row is' if count == 1 else 'rows are'} not valid ({where}); "
            f"nothing was imported.{listed}",
            errors=self.problems,
            extra={
                "problem_count": self.problem_count,
                "bad_rows": {kind: sorted(rows) for kind, rows in self.bad_rows.items()},
            },
        )


# Reading files ------------------------------------------------------------------------------
# Reading needs no database: the router reads and checks the whole upload before any SQL, so
# a hostile file costs only its own bounded parse, never another council's wait for a lock.

# An XLSX is a zip of XML. These bound what a small upload may unpack to (a "zip bomb").
MAX_ZIP_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 256 * 1_048_576
MAX_COMPRESSION_RATIO = 200  # per member; real sheets compress 5 to 30 times


@dataclass(frozen=True)
class Limits:
    """How big a sheet may be: `PMO_MAX_IMPORT_ROWS` rows after the header (blank ones
    counted) and `PMO_MAX_IMPORT_COLUMNS` columns."""

    rows: int
    columns: int

    @classmethod
    def configured(cls) -> Limits:
        settings = get_settings()
        return cls(rows=settings.max_import_rows, columns=settings.max_import_columns)


@dataclass(frozen=True)
class ParsedFile:
    """An upload read into sheets, with the digest the audit event records."""

    sheets: list[Sheet]
    sha256: str


class UnreadableFile(Unprocessable):
    def __init__(self, message: str, location: list[str | int] | None = None) -> None:
        super().__init__(
            message, errors=[FieldProblem(location=["body", *(location or [])], message=message, type="file")]
        )


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("is not a finite number (NaN or infinity)")
        # repr is the shortest text that reads back as the same float: 72.5, not 72.5000001.
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def _header(cells: list[str]) -> list[str]:
    return [c.strip().lower() for c in cells]


def detect_kind(header: list[str]) -> str | None:
    """The kind of rows a CSV holds, from its header row."""
    names = set(header)
    if "actual" in names:
        return "values"
    if "target" in names:
        return "targets"
    if {"code", "unit"} <= names:
        return "definitions"
    return None


def _check_size(kind: str, number: int, width: int, limits: Limits) -> None:
    """Refuse a sheet beyond the limits at its first row beyond them."""
    if number > limits.rows + 1:
        raise UnreadableFile(
            f"The {kind} sheet has more than {limits.rows} rows after the header (PMO_MAX_IMPORT_ROWS); "
            "split the file.",
            [kind, number],
        )
    if width > limits.columns:
        raise UnreadableFile(
            f"Row {number} of the {kind} sheet has {width} columns; at most {limits.columns} are read "
            "(PMO_MAX_IMPORT_COLUMNS).",
            [kind, number],
        )


def _row(header: list[str], number: int, cells: list[str]) -> tuple[int, dict[str, str]] | None:
    """A data row (None if blank); a cell beyond the header's columns marks it for an error."""
    # Joined, the cells are blank exactly when each is (the same whitespace either way).
    if not "".join(cells).strip():
        return None
    row = dict(zip(header, cells, strict=False))
    if len(cells) > len(header) and "".join(cells[len(header) :]).strip():
        row["\x00extra"] = "1"
    return number, row


def read_csv(content: bytes, kind: str | None, limits: Limits) -> list[Sheet]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("The CSV must be UTF-8 text (save it as 'CSV UTF-8').") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
        if first is None or not any(c.strip() for c in first):
            raise UnreadableFile("The CSV has no header row.")
        _check_size(kind or "CSV", 1, len(first), limits)
        header = _header(first)
        kind = kind or detect_kind(header)
        if kind is None:
            raise UnreadableFile(
                "Cannot tell what the CSV holds from its header row: give kind=definitions, targets or "
                "values, or use the columns described in the README."
            )
        rows = []
        for number, record in enumerate(reader, start=2):
            _check_size(kind, number, len(record), limits)
            if (row := _row(header, number, record)) is not None:
                rows.append(row)
    except csv.Error as exc:
        raise UnreadableFile(f"The CSV cannot be read: {exc}.") from exc
    return [Sheet(kind, header, rows)]


def _check_zip(content: bytes) -> None:
    """The upload is a zip archive that unpacks to a bounded size, before openpyxl opens it.

    The sizes checked are the archive's own; zipfile never inflates a member beyond its
    declared size (a member that claims less than it holds fails its CRC check)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnreadableFile(
            "The file is not a readable XLSX workbook (a damaged or truncated zip)."
        ) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableFile(f"The workbook has {len(members)} parts; at most {MAX_ZIP_MEMBERS} are read.")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"The workbook unpacks to {total} bytes; at most {MAX_UNCOMPRESSED_BYTES} are read."
        )
    for member in members:
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1024):
            raise UnreadableFile(
                f"The workbook's part {member.filename} unpacks to {member.file_size} bytes from "
                f"{member.compress_size}: more than {MAX_COMPRESSION_RATIO} times is refused (a zip bomb)."
            )
    # openpyxl parses some parts with lxml when it is installed (python-docx brings it), which
    # leaves entities unexpanded but does not refuse them: refuse every part that declares a
    # document type, where entities are declared, before openpyxl reads any.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in members:
            if member.filename.endswith((".xml", ".rels")) and _declares_a_dtd(archive, member):
                raise UnreadableFile(_ENTITIES)


_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _declares_a_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A document type declaration can only come before the root element: read up to it."""
    seen = b""
    with archive.open(member) as part:
        while chunk := part.read(4096):
            seen += chunk
            root = _ROOT_START.search(seen)
            prolog = seen if root is None else seen[: root.start()]
            if b"<!DOCTYPE" in prolog.upper():
                return True
            if root is not None:
                return False
    return False


def read_xlsx(content: bytes, limits: Limits) -> list[Sheet]:
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # set when defusedxml is installed, unless disabled
        raise RuntimeError("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not False)")
    _check_zip(content)
    try:
        # read_only streams the rows; data_only takes a formula's last computed value.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        message = _ENTITIES if _entities_refused(exc) else "The file cannot be read as an XLSX workbook."
        raise UnreadableFile(message) from exc
    try:
        sheets = [
            _read_sheet(worksheet, kind, limits)
            for worksheet in workbook.worksheets
            if (kind := worksheet.title.strip().lower()) in KINDS
        ]
    finally:
        workbook.close()
    sheets = [s for s in sheets if s.header]  # an empty sheet is as good as none
    if not sheets:
        raise UnreadableFile('The workbook has none of the sheets "definitions", "targets" or "values".')
    return sheets


_ENTITIES = "The workbook's XML declares entities (entity expansion or external entities), which are refused."


def _entities_refused(exc: BaseException | None) -> bool:
    """defusedxml refused the XML (openpyxl may wrap its exception in its own)."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _read_sheet(worksheet: Any, kind: str, limits: Limits) -> Sheet:
    # The declared dimension is the file's claim, not its cells: read-only mode pads every
    # row to it (A1:XFD20000 made 16,384 cells a row). Without it a row is as wide as its
    # last cell, which the column limit bounds.
    worksheet.reset_dimensions()
    header: list[str] = []
    rows = []
    number = 0
    try:
        for number, record in enumerate(worksheet.iter_rows(values_only=True), start=1):
            _check_size(kind, number, len(record), limits)
            cells = [_sheet_cell(kind, number, header, index, value) for index, value in enumerate(record)]
            if number == 1:
                header = _header(cells)
            elif (row := _row(header, number, cells)) is not None:
                rows.append(row)
    except ProblemError:
        raise
    except DefusedXmlException as exc:
        raise UnreadableFile(_ENTITIES, [kind]) from exc
    except Exception as exc:  # a damaged sheet: openpyxl raises many kinds
        raise UnreadableFile(
            f"The {kind} sheet cannot be read after row {number}: the file is damaged.", [kind]
        ) from exc
    return Sheet(kind, header, rows)


def _sheet_cell(kind: str, number: int, header: list[str], index: int, value: Any) -> str:
    try:
        return _cell_text(value)
    except ValueError as exc:
        column = header[index] if index < len(header) else f"column {index + 1}"
        raise UnreadableFile(
            f"The {kind} sheet's row {number}, {column}: {exc}.", [kind, number, column]
        ) from exc


def read_file(content: bytes, kind: str | None = None, limits: Limits | None = None) -> ParsedFile:
    """The sheets of an upload: XLSX (told by its first bytes) or CSV. No database needed."""
    limits = limits or Limits.configured()
    if not content.strip():
        raise UnreadableFile("The file is empty.")
    if content.startswith(XLSX_MAGIC):
        sheets = [s for s in read_xlsx(content, limits) if kind is None or s.kind == kind]
        if not sheets:
            raise UnreadableFile(f'The workbook has no sheet "{kind}".')
    else:
        sheets = read_csv(content, kind, limits)
    return ParsedFile(sheets, hashlib.sha256(content).hexdigest())


# Checking rows --------------------------------------------------------------------------------


@dataclass
class KnownKpi:
    id: uuid.UUID
    code: str
    unit: str
    decimal_places: int
    frequency: str
    retired: bool
    row: int | None = None  # the definitions row, for a KPI defined in this file


def _pydantic_problems(exc: ValidationError) -> Iterator[tuple[str | None, str]]:
    for error in exc.errors():
        loc = error.get("loc", ())
        yield (str(loc[0]) if loc else None), plain_message(error)


def _present(cells: dict[str, str], columns: tuple[str, ...]) -> dict[str, str]:
    """Cells with something in them (stripped): an empty cell takes the API's default."""
    present = {}
    for column in columns:
        text = cells.get(column)
        if text and (text := text.strip()):
            present[column] = text
    return present


_NOT_VALID = object()


class _FieldCache:
    """The fields of an input model, each validated once per distinct text.

    Only for a model whose fields are validated independently (no validator across fields):
    then a row is valid if and only if each of its fields is, and each field's value is the
    one it has alone. A field is validated as the model with `good` (valid texts of the
    required fields) for the others, so by the model's own rules."""

    def __init__(self, model: type[BaseModel], good: dict[str, str]) -> None:
        self.model = model
        self.good = good
        self.defaults = {
            name: info.get_default(call_default_factory=True)
            for name, info in model.model_fields.items()
            if not info.is_required()
        }
        self.seen: dict[str, dict[str, Any]] = {name: {} for name in model.model_fields}

    def valid(self, given: dict[str, str]) -> dict[str, Any] | None:
        """The model's values for `given` (as `model(**given).model_dump()`), or None if a
        field is missing or not valid."""
        for name in self.good:  # the required fields
            if name not in given:
                return None
        values = self.defaults.copy()
        for name, text in given.items():
            seen = self.seen.get(name)
            if seen is None:  # not a field of the model
                return None
            value = seen.get(text, _NOT_VALID)
            if value is _NOT_VALID:
                value = seen[text] if text in seen else self._validate(name, text)
                if value is _NOT_VALID:
                    return None
            values[name] = value
        return values

    def _validate(self, name: str, text: str) -> Any:
        try:
            value = getattr(self.model(**(self.good | {name: text})), name)
        except ValidationError:
            value = _NOT_VALID
        self.seen[name][text] = value
        return value


@lru_cache(maxsize=4096)
def _period(frequency: str, text: str, column: str) -> Period:
    """A period code of the KPI's frequency, or an ISO date (the period containing that day).

    Cached: a file of 100,000 values names only a few hundred periods."""
    if _ISO_DAY.match(text):
        try:
            return period_containing(frequency, date.fromisoformat(text))
        except ValueError:
            pass
    return period_of(frequency, text, column)


@dataclass
class Stored:
    """What the checks need from the database, read in one short transaction before them."""

    kpis: dict[str, KnownKpi]  # by lower-case code
    targets: set[tuple[uuid.UUID, str]]  # (KPI, period code) of the file's KPIs already stored
    values: set[tuple[uuid.UUID, str]]
    links: _Links
    revision: int  # the organisation's KPI feed revision when read (0: no change yet)


def read_stored(session: Session, organisation_id: uuid.UUID, sheets: list[Sheet]) -> Stored:
    kpis = {
        code.lower(): KnownKpi(id, code, unit, places, frequency, status == KpiStatus.retired.value)
        for id, code, unit, places, frequency, status in session.execute(
            sa_select(
                col(Kpi.id),
                col(Kpi.code),
                col(Kpi.unit),
                col(Kpi.decimal_places),
                col(Kpi.frequency),
                col(Kpi.status),
            ).where(col(Kpi.organisation_id) == organisation_id)
        )
    }
    by_kind = {s.kind: s for s in sheets}

    def stored_periods(model: Any, kind: str) -> set[tuple[uuid.UUID, str]]:
        """(KPI, period code) pairs already stored for the stored KPIs the sheet names."""
        sheet = by_kind.get(kind)
        codes = {cells.get("kpi_code", "").strip().lower() for _, cells in sheet.rows} if sheet else set()
        ids = sorted((kpis[c].id for c in codes if c in kpis), key=str)
        found: set[tuple[uuid.UUID, str]] = set()
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(model.kpi_id, model.period_code).where(col(model.kpi_id).in_(ids[start : start + 500]))
            )
            found.update((kpi_id, code) for kpi_id, code in rows)
        return found

    return Stored(
        kpis=kpis,
        targets=stored_periods(KpiTarget, "targets"),
        values=stored_periods(KpiValue, "values"),
        links=_Links.read(session, organisation_id) if "definitions" in by_kind else _Links({}, {}, {}),
        revision=_revision(session, organisation_id),
    )


def _revision(session: Session, organisation_id: uuid.UUID) -> int:
    revision = session.execute(
        sa_select(col(KpiFeedState.revision)).where(col(KpiFeedState.organisation_id) == organisation_id)
    ).scalar_one_or_none()
    return revision or 0


class Importer:
    """Checks every row against what was stored when read: no database access."""

    def __init__(self, stored: Stored, organisation_id: uuid.UUID, progress: Progress) -> None:
        self.stored = stored
        self.organisation_id = organisation_id
        self.progress = progress
        self.report = Report()
        self.kpis = dict(stored.kpis)  # KPIs defined in the file join them
        self.bad_definitions: dict[str, int] = {}  # code -> its bad row
        self.new_kpis: list[dict[str, Any]] = []
        self.new_targets: list[dict[str, Any]] = []
        self.new_values: list[dict[str, Any]] = []

    # Columns and KPIs ---------------------------------------------------------------------

    def check_header(self, sheet: Sheet) -> bool:
        ok = True
        for column in sheet.header:
            if column and column not in COLUMNS[sheet.kind]:
                self.report.add(
                    sheet.kind, 1, column, f"unknown column; use {', '.join(COLUMNS[sheet.kind])}", "column"
                )
                ok = False
        for column in sorted(REQUIRED[sheet.kind] - set(sheet.header)):
            self.report.add(sheet.kind, 1, column, "this column is required", "column")
            ok = False
        return ok

    def kpi(self, kind: str, row: int, cells: dict[str, str]) -> KnownKpi | None:
        code = cells.get("kpi_code", "").strip()
        if not code:
            self.report.add(kind, row, "kpi_code", "give the KPI's code", "missing")
            return None
        known = self.kpis.get(code.lower())
        if known is None:
            if code.lower() in self.bad_definitions:
                row_of = self.bad_definitions[code.lower()]
                message = f"KPI {code} is defined in definitions row {row_of}, which is not valid"
            else:
                message = f"unknown KPI {code}: define it in the definitions sheet or create it first"
            self.report.add(kind, row, "kpi_code", message, "unknown_kpi")
            return None
        if known.retired:
            self.report.add(
                kind, row, "kpi_code", f"{known.code} is retired and takes no new {kind}", "retired"
            )
            return None
        return known

    def _row_problem(self, kind: str, row: int, exc: ProblemError) -> None:
        for problem in exc.errors or []:
            where = [p for p in problem.location if p != "body"]
            self.report.add(kind, row, str(where[0]) if where else None, problem.message, problem.type)
        if not exc.errors:
            self.report.add(kind, row, None, exc.detail or exc.title, exc.slug)

    def _extra_cells(self, sheet: Sheet, row: int, cells: dict[str, str]) -> bool:
        if "\x00extra" in cells:
            self.report.add(sheet.kind, row, None, "this row has more cells than the header row", "cells")
            return True
        return False

    # Definitions ------------------------------------------------------------------------

    def definitions(self, sheet: Sheet) -> None:
        links = self.stored.links
        now = utcnow()
        for number, cells in sheet.rows:
            if self._extra_cells(sheet, number, cells):
                continue
            given = _present(cells, COLUMNS["definitions"])
            code = given.get("code", "")
            bad_before = self.report.problem_count
            body: dict[str, Any] = {
                k: v for k, v in given.items() if k not in ("owner_email", "programme", "project")
            }
            for column, resolve in (
                ("owner_email", links.owner),
                ("programme", links.programme),
                ("project", links.project),
            ):
                if column in given:
                    found, problem = resolve(given[column])
                    if problem:
                        self.report.add("definitions", number, column, problem, "unknown")
                    else:
                        body[
                            {"owner_email": "owner_id", "programme": "programme_id", "project": "project_id"}[
                                column
                            ]
                        ] = found
            try:
                data = KpiCreate(**body)
            except ValidationError as exc:
                for field_name, message in _pydantic_problems(exc):
                    where = {
                        "owner_id": "owner_email",
                        "programme_id": "programme",
                        "project_id": "project",
                    }.get(field_name or "", field_name)
                    self.report.add("definitions", number, where, message, "value_error")
                data = None
            if data is not None:
                if data.programme_id and data.project_id:
                    self.report.add(
                        "definitions",
                        number,
                        "project",
                        "give at most one of programme and project",
                        "value_error",
                    )
                existing = self.kpis.get(data.code.lower())
                if existing is not None:
                    where = f"definitions row {existing.row}" if existing.row else "your organisation"
                    self.report.add(
                        "definitions",
                        number,
                        "code",
                        f"{data.code} is already defined ({where})",
                        "duplicate",
                    )
                baseline = {}
                if (data.baseline_value is None) != (data.baseline_period is None):
                    self.report.add(
                        "definitions",
                        number,
                        "baseline_period",
                        "give baseline_value and baseline_period together, or neither",
                        "value_error",
                    )
                elif data.baseline_value is not None and data.baseline_period is not None:
                    try:
                        baseline = {
                            "baseline_value": check_number(
                                data.unit, data.decimal_places, data.baseline_value, "baseline_value"
                            ),
                            "baseline_period": _period(
                                data.frequency, data.baseline_period, "baseline_period"
                            ).code,
                        }
                    except ProblemError as exc:
                        self._row_problem("definitions", number, exc)
            if self.report.problem_count > bad_before or data is None:
                if code:
                    self.bad_definitions.setdefault(code.lower(), number)
                continue
            kpi_id = uuid.uuid4()
            self.kpis[data.code.lower()] = KnownKpi(
                kpi_id, data.code, data.unit, data.decimal_places, data.frequency, False, row=number
            )
            self.new_kpis.append(
                data.model_dump()
                | baseline
                | {
                    "id": kpi_id,
                    "organisation_id": self.organisation_id,
                    "status": KpiStatus.active.value,
                    "unit": data.unit.value,
                    "polarity": data.polarity.value,
                    "frequency": data.frequency.value,
                    "retired_at": None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )

    # Targets and values -------------------------------------------------------------------

    def targets(self, sheet: Sheet) -> None:
        stored = self.stored.targets
        seen: dict[tuple[uuid.UUID, str], int] = {}
        now = utcnow()
        for number, cells in sheet.rows:
            if self._extra_cells(sheet, number, cells):
                continue
            kpi = self.kpi("targets", number, cells)
            given = _present(cells, ("period_code", "target", "tolerance_percent"))
            try:
                data = TargetCreate(**given)
            except ValidationError as exc:
                for column, message in _pydantic_problems(exc):
                    self.report.add("targets", number, column, message, "value_error")
                continue
            if kpi is None:
                continue
            try:
                period = _period(kpi.frequency, data.period_code, "period_code")
                target = check_number(kpi.unit, kpi.decimal_places, data.target, "target")
            except ProblemError as exc:
                self._row_problem("targets", number, exc)
                continue
            if not self._unique("targets", number, kpi, period, stored, seen):
                continue
            self.new_targets.append(
                {
                    "id": uuid.uuid4(),
                    "organisation_id": self.organisation_id,
                    "kpi_id": kpi.id,
                    "period_code": period.code,
                    "period_start": period.start,
                    "period_end": period.end,
                    "target": target,
                    "tolerance_percent": data.tolerance_percent,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )

    def _unique(
        self,
        kind: str,
        number: int,
        kpi: KnownKpi,
        period: Period,
        stored: set[tuple[uuid.UUID, str]],
        seen: dict[tuple[uuid.UUID, str], int],
    ) -> bool:
        key = (kpi.id, period.code)
        singular = kind.removesuffix("s")
        if key in stored:
            self.report.add(
                kind,
                number,
                "period_code",
                f"{kpi.code} already has a {singular} for {period.label}",
                "duplicate",
            )
            return False
        if key in seen:
            self.report.add(
                kind,
                number,
                "period_code",
                f"{kpi.code} {period.label} is also in {kind} row {seen[key]}",
                "duplicate",
            )
            return False
        seen[key] = number
        return True

    def values(self, sheet: Sheet, actor: Actor | None) -> None:
        """Each row checked as `ValueCreate`, `check_number` and `_period` check it, with what
        is the same for many rows worked out once (issue 16: 100,000 rows name a few hundred
        periods and, often, far fewer distinct numbers than rows):

        - a cell's text is validated as its field of `ValueCreate` once per distinct text
          (the model's fields are checked independently: it has no validator across fields),
          and a row with any field not valid goes through the model itself, which lists its
          problems as before;
        - an actual is checked against the KPI's unit and places once per distinct
          (unit, places, text): `check_number` is a function of those alone.
        """
        stored = self.stored.values
        seen: dict[tuple[uuid.UUID, str], int] = {}
        now = utcnow()
        person = actor.id if actor is not None and actor.kind == "user" else None
        total = len(sheet.rows)
        statuses = {s.value for s in ValueStatus}
        fields = _FieldCache(ValueCreate, {"period_code": "2022-23", "actual": "0"})
        checked: dict[tuple[str, int, str], Decimal | ProblemError] = {}
        stamps = {  # the columns a value's status fills, by status
            status: {
                "entered_by_id": person,
                "submitted_by_id": person if reached >= 1 else None,
                "submitted_at": now if reached >= 1 else None,
                "verified_by_id": person if reached >= 2 else None,
                "verified_at": now if reached >= 2 else None,
                "published_by_id": person if reached >= 3 else None,
                "published_at": now if reached >= 3 else None,
            }
            for reached, status in enumerate(_STATUS_ORDER)
        }
        for index, (number, cells) in enumerate(sheet.rows):
            if index % 5000 == 0:
                self.progress("checking values", index, total)
            if self._extra_cells(sheet, number, cells):
                continue
            kpi = self.kpi("values", number, cells)
            given = _present(cells, ("period_code", "actual", "commentary"))
            status = cells.get("status", "").strip().lower() or ValueStatus.published.value
            if status not in statuses:
                self.report.add(
                    "values", number, "status", f"use one of {', '.join(sorted(statuses))}", "value_error"
                )
            valid = fields.valid(given)
            if valid is None:  # the model lists the problems
                try:
                    data = ValueCreate(**given)
                except ValidationError as exc:
                    for column, message in _pydantic_problems(exc):
                        self.report.add("values", number, column, message, "value_error")
                    continue
                valid = data.model_dump()
            if kpi is None or status not in statuses:
                continue
            try:
                period = _period(kpi.frequency, valid["period_code"], "period_code")
                key = (kpi.unit, kpi.decimal_places, given["actual"])
                actual = checked.get(key)
                if actual is None:
                    try:
                        actual = checked[key] = check_number(
                            kpi.unit, kpi.decimal_places, valid["actual"], "actual"
                        )
                    except ProblemError as exc:
                        actual = checked[key] = exc
                if isinstance(actual, ProblemError):
                    raise actual
            except ProblemError as exc:
                self._row_problem("values", number, exc)
                continue
            if not self._unique("values", number, kpi, period, stored, seen):
                continue
            self.new_values.append(
                {
                    "id": uuid.uuid4(),
                    "organisation_id": self.organisation_id,
                    "kpi_id": kpi.id,
                    "period_code": period.code,
                    "period_start": period.start,
                    "period_end": period.end,
                    "actual": actual,
                    "commentary": valid["commentary"],
                    "status": status,
                    **stamps[status],
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                    "feed_sequence": 0,  # until published (`number_values`)
                }
            )
        self.progress("checking values", total, total)

    # Writing ------------------------------------------------------------------------------

    def number_values(self, sequence: int) -> None:
        """The published new values take the change sequence's number `sequence` (others 0)."""
        for row in self.new_values:
            if row["status"] == PUBLISHED:
                row["feed_sequence"] = sequence

    def write(self, session: Session) -> None:
        total = len(self.new_kpis) + len(self.new_targets) + len(self.new_values)
        written = 0

        def done(count: int) -> None:
            nonlocal written
            written += count
            self.progress("writing", written, total)

        insert_rows(session, Kpi.__table__, self.new_kpis, done=done)  # type: ignore[attr-defined]
        insert_rows(session, KpiTarget.__table__, self.new_targets, done=done)  # type: ignore[attr-defined]
        insert_rows(session, KpiValue.__table__, self.new_values, done=done)  # type: ignore[attr-defined]


_STATUS_ORDER = [s.value for s in ValueStatus]  # draft, submitted, verified, published


@dataclass
class _Links:
    """Owners, programmes and projects of the organisation, by what a file names them with."""

    owners: dict[str, uuid.UUID]  # by lower-case email
    programmes: dict[str, uuid.UUID]  # by id and by name (unique in the organisation)
    projects: dict[str, uuid.UUID]  # by upper-case reference

    @classmethod
    def read(cls, session: Session, organisation_id: uuid.UUID) -> _Links:
        programmes: dict[str, uuid.UUID] = {}
        for id, name in session.execute(
            select(Programme.id, Programme.name).where(col(Programme.organisation_id) == organisation_id)
        ):
            programmes[str(id)] = programmes[name] = id
        return cls(
            owners={
                email.lower(): id
                for id, email in session.execute(
                    select(User.id, User.email).where(col(User.organisation_id) == organisation_id)
                )
            },
            programmes=programmes,
            projects={
                reference.upper(): id
                for id, reference in session.execute(
                    select(Project.id, Project.reference).where(
                        col(Project.organisation_id) == organisation_id
                    )
                )
            },
        )

    def owner(self, email: str) -> tuple[uuid.UUID | None, str | None]:
        found = self.owners.get(email.lower())
        return (found, None) if found else (None, f"no person with the email {email} in your organisation")

    def programme(self, text: str) -> tuple[uuid.UUID | None, str | None]:
        try:
            key = str(uuid.UUID(text))
        except ValueError:
            key = text
        found = self.programmes.get(key)
        return (found, None) if found else (None, f"no programme '{text}' in your organisation")

    def project(self, reference: str) -> tuple[uuid.UUID | None, str | None]:
        found = self.projects.get(reference.upper())
        return (found, None) if found else (None, f"no project {reference} in your organisation")


class KpiImportResult(BaseModel):
    dry_run: bool
    definitions: int
    targets: int
    values: int


def import_kpis(
    session: Session,
    actor: Actor | None,
    organisation_id: uuid.UUID,
    parsed: ParsedFile,
    *,
    dry_run: bool = False,
    file_name: str = "",
    progress: Progress = _no_progress,
) -> KpiImportResult:
    """Check every row; raise 422 listing every problem, or write all (nothing on a dry run).

    `parsed` is the file as `read_file` read it, before any database work. What the checks
    need is read in one short transaction, which this ends (it wrote nothing; the session
    must have nothing pending) so that checking 100,000 rows holds no lock another
    council's request would wait for. The write then runs in a new transaction, which
    first moves the organisation's KPI feed revision on (taking its row lock): if anything
    changed the organisation's KPIs since the read, every row is checked again in it. The
    caller commits (or, on a dry run or a refusal, rolls back)."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("import_kpis ends the session's transaction: it must have nothing pending")
    sheets = parsed.sheets
    stored = read_stored(session, organisation_id, sheets)
    session.commit()  # ends the read; nothing was written
    importer = _check(stored, organisation_id, sheets, actor, progress)
    result = KpiImportResult(
        dry_run=dry_run,
        definitions=len(importer.new_kpis),
        targets=len(importer.new_targets),
        values=len(importer.new_values),
    )
    if dry_run:
        return result
    mark_changed(session, organisation_id)
    if _revision(session, organisation_id) != stored.revision + 1:
        # Another change came in between: check again against what is stored now.
        stored = read_stored(session, organisation_id, sheets)
        importer = _check(stored, organisation_id, sheets, actor, progress)
    # New values and targets: they, and the values that compare with them, come next in the
    # feed. The stored values take the number before the new ones are written, and the new
    # ones are written with it: the same rows end with the same number as by numbering all
    # after the write, without rewriting 100,000 rows just inserted (on PostgreSQL a second
    # version of each, with its index entries).
    touched = {row["kpi_id"] for row in (*importer.new_targets, *importer.new_values)}
    if touched:
        importer.number_values(mark_values_changed(session, organisation_id, of_kpis(touched)))
    importer.write(session)
    audit.record(
        session,
        actor,
        organisation_id=organisation_id,
        action="import",
        record_type="kpi_import",
        record_id=uuid.uuid4(),
        after={
            "file_name": file_name,
            "sha256": parsed.sha256,
            "definitions": result.definitions,
            "targets": result.targets,
            "values": result.values,
            "kpi_codes": sorted({k.code for k in importer.kpis.values() if k.row is not None}),
        },
    )
    return result


def _check(
    stored: Stored, organisation_id: uuid.UUID, sheets: list[Sheet], actor: Actor | None, progress: Progress
) -> Importer:
    """Every row checked against `stored` (no database); raises the refusal listing every problem."""
    importer = Importer(stored, organisation_id, progress)
    by_kind = {s.kind: s for s in sheets}
    good_headers = {k: importer.check_header(s) for k, s in by_kind.items()}
    if not all(good_headers.values()):
        raise importer.report.refusal()
    # Definitions first: targets and values may refer to KPIs defined in the same file.
    if "definitions" in by_kind:
        importer.definitions(by_kind["definitions"])
    if "targets" in by_kind:
        importer.targets(by_kind["targets"])
    if "values" in by_kind:
        importer.values(by_kind["values"], actor)
    if importer.report.problem_count:
        raise importer.report.refusal()
    return importer
