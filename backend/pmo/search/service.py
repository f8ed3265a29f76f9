"""Search across the registers by reference or by words, within the caller's organisation
and only in the registers the caller may read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Table, column, func, literal, literal_column, select, table, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Join, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, SQLModel

import pmo.models  # noqa: F401 - every register's table in the metadata
from pmo.core.errors import FieldProblem, Unprocessable
from pmo.core.pagination import PageParams, paginate
from pmo.core.permissions import Actor
from pmo.search.index import REGISTERS, VECTOR_COLUMN, Register, fts_table
from pmo.search.schemas import SearchResult, SearchResultPage

# R-0003, DD-0012, ICT-01: letters, a hyphen, digits. Such a query matches references exactly.
REFERENCE = re.compile(r"^[A-Za-z]{1,10}-\d{1,8}$")
WORD = re.compile(r"\w+")
EXACT_REFERENCE_RANK = 1_000_000.0


def _bad_query(message: str) -> Unprocessable:
    return Unprocessable(
        message, errors=[FieldProblem(location=["query", "q"], message=message, type="value_error")]
    )


def search(
    session: Session, actor: Actor, q: str, page: PageParams, kind: str | None = None
) -> SearchResultPage:
    text = q.strip()
    words = WORD.findall(text)
    if not words:
        raise _bad_query("Enter a reference, like R-0003, or some words to search for")
    registers = [
        r for r in REGISTERS if r.permission in actor.permissions() and (kind is None or r.kind == kind)
    ]
    counted: Select[Any] | None = None
    if REFERENCE.match(text):
        dialect = session.get_bind().dialect.name
        selects = [_by_reference(r, actor, text.upper(), dialect) for r in registers if r.reference]
    else:
        postgres = session.get_bind().dialect.name == "postgresql"
        by_words = _by_words_postgres if postgres else _by_words_sqlite
        selects = [by_words(r, actor, words, ranked=True) for r in registers]
        # Counted without the rank: bm25 or ts_rank for each of 40,000 matches cost seconds.
        if selects:
            unranked = union_all(*(by_words(r, actor, words, ranked=False) for r in registers)).subquery()
            counted = select(unranked)
    if not selects:  # nothing this caller may read: an empty page, not an error
        return SearchResultPage(items=[], total=0, limit=page.limit, offset=page.offset)
    found = union_all(*selects).subquery()
    statement = select(found).order_by(found.c.rank.desc(), found.c.kind, found.c.id)
    found_page = paginate(session, statement, page, _result, whole_rows=True, counted=counted)
    return SearchResultPage.model_validate(found_page.model_dump())


def _result(row: Any) -> SearchResult:
    return SearchResult(kind=row.kind, id=row.id, reference=row.reference, title=row.title, rank=row.rank)


def _source(register: Register) -> Table:
    return SQLModel.metadata.tables[register.table]


def _columns(register: Register, source: Table, rank: ColumnElement[Any]) -> Select[Any]:
    reference = source.c[register.reference] if register.reference else literal(None)
    return select(
        literal(register.kind).label("kind"),
        source.c.id.label("id"),
        reference.label("reference"),
        source.c[register.title].label("title"),
        rank.label("rank"),
    )


def _by_reference(register: Register, actor: Actor, reference: str, dialect: str) -> Select[Any]:
    """`reference` is upper case; compared as `search_ix_ref_<table>` is built, so it answers."""
    source = _source(register)
    column = source.c[str(register.reference)]
    same = (
        func.upper(column) == reference if dialect == "postgresql" else column.collate("NOCASE") == reference
    )
    return _columns(register, source, literal(EXACT_REFERENCE_RANK)).where(
        source.c.organisation_id == actor.organisation_id, same
    )


def _by_words_postgres(register: Register, actor: Actor, words: list[str], *, ranked: bool) -> Select[Any]:
    source = _source(register)
    matches, rank = postgres_match(register, words)
    return _columns(register, source, rank if ranked else literal(0.0)).where(
        source.c.organisation_id == actor.organisation_id, matches
    )


def postgres_match(register: Register, words: list[str]) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """The condition and the rank, both on the stored tsvector: the GIN index answers the
    condition and the rank reads the stored vectors. The words only, without the punctuation,
    so that both databases read a query the same way: every word matches."""
    vector: ColumnElement[Any] = literal_column(f"{register.table}.{VECTOR_COLUMN}")
    query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), " ".join(words))
    return vector.op("@@")(query), func.ts_rank(vector, query)


def _by_words_sqlite(register: Register, actor: Actor, words: list[str], *, ranked: bool) -> Select[Any]:
    # Each word quoted: FTS5's own syntax (NEAR, column filters, stray quotes) cannot come in
    # from the search box. Every word must match, as with websearch_to_tsquery.
    source = _source(register)
    name = fts_table(register)
    fts = table(name, column("rowid"))
    match = " ".join('"' + word.replace('"', "") + '"' for word in words)
    # bm25 is lower for better matches; negated so that higher ranks first on both databases.
    rank = -func.bm25(literal_column(name)) if ranked else literal(0.0)
    joined = _FtsFirst(fts, source, literal_column(f"{register.table}.rowid") == fts.c.rowid)
    return (
        _columns(register, source, rank)
        .select_from(joined)
        .where(source.c.organisation_id == actor.organisation_id, literal_column(name).op("MATCH")(match))
    )


class _FtsFirst(Join):
    """`fts CROSS JOIN register ON ...`: SQLite keeps a CROSS JOIN's order, so the FTS table's
    matches drive the join and each finds its row by rowid. With a plain JOIN, once ANALYZE
    has run, SQLite walked the organisation's whole register and asked the FTS table for each
    row (91 s for 40,000 risks)."""

    inherit_cache = True


@compiles(_FtsFirst)
def _compile_fts_first(join: _FtsFirst, compiler: SQLCompiler, **kw: Any) -> str:
    # A plain join's SQL (`<fts> JOIN <table> ON ...`, the FTS table's name holds no " JOIN "),
    # so that the compiler still sees the join's condition.
    plain: str = compiler.visit_join(join, **kw)  # type: ignore[no-untyped-call]
    return plain.replace(" JOIN ", " CROSS JOIN ", 1)
