"""GET /search: the registers by reference or by words, on the demo data, with PostgreSQL
full text search or SQLite FTS5; only the caller's organisation, only what they may read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, literal, select, table, text
from sqlmodel import Session

from conftest import is_postgres
from pmo.core.permissions import Actor, Grant, Role
from pmo.demo import DEMO_ORGANISATION
from pmo.finance.models import Drawdown
from pmo.organisations.models import Organisation
from pmo.portfolio.models import Project
from pmo.raid.models import Risk
from pmo.search.index import REGISTERS, VECTOR_COLUMN, Register, fts_table
from pmo.search.service import _by_reference, _by_words_postgres, _by_words_sqlite, postgres_match
from support.api import API, Api, Bearer, problem

RESOURCE_RISK = "Failure to resource the priorities set out in the programme"


def first(session: Session, statement: Any) -> Any:
    """The first record `statement` finds, read in a transaction of its own: an open one
    would hold up the writes the test makes next (on SQLite)."""
    found = session.execute(statement).scalars().first()
    session.commit()
    assert found is not None
    return found


@pytest.fixture
def demo_org(demo: None, session: Session) -> Organisation:
    organisation: Organisation = first(
        session, select(Organisation).where(Organisation.name == DEMO_ORGANISATION)
    )
    return organisation


@pytest.fixture
def reader(factory: Any, demo_org: Organisation) -> Any:
    return factory.person(demo_org, Role.viewer)


def search(client: TestClient, who: Any, q: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/search", params={"q": q, **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any], kind: str) -> list[str]:
    return [item["title"] for item in body["items"] if item["kind"] == kind]


def test_words_find_a_risk_stemmed_and_best_first(client: TestClient, reader: Any) -> None:
    body = search(client, reader, "resourcing priorities")

    assert RESOURCE_RISK in titles(body, "risk")
    ranks = [item["rank"] for item in body["items"]]
    assert ranks == sorted(ranks, reverse=True)
    # Every word must match: a word found nowhere leaves nothing.
    assert search(client, reader, "resourcing priorities xylophone")["total"] == 0


def test_punctuation_and_search_syntax_are_taken_as_words(client: TestClient, reader: Any) -> None:
    # FTS5 syntax (quotes, NEAR, column filters) and tsquery operators cannot break the query.
    for q in ['"resource', "resource (priorities", "resource* ^priorities:", "resource & priorities |"]:
        assert RESOURCE_RISK in titles(search(client, reader, q), "risk"), q


def test_a_reference_matches_exactly_in_any_case(client: TestClient, reader: Any, session: Session) -> None:
    risk = first(session, select(Risk).where(Risk.title == RESOURCE_RISK))
    drawdown = first(session, select(Drawdown).order_by(Drawdown.reference))

    for reference, kind, record_id in (
        (risk.reference, "risk", risk.id),
        (drawdown.reference, "drawdown", drawdown.id),
    ):
        body = search(client, reader, reference.lower())
        assert [(i["kind"], i["id"], i["reference"]) for i in body["items"]] == [
            (kind, str(record_id), reference)
        ]
    assert search(client, reader, "R-9999")["total"] == 0


def test_the_index_follows_a_change(
    client: TestClient, demo_org: Organisation, factory: Any, session: Session
) -> None:
    pmo = factory.person(demo_org, Role.pmo)
    api = Api(client)
    project = first(session, select(Project).where(Project.organisation_id == demo_org.id))
    risk = api.post(
        pmo,
        "/risks",
        {
            "project_id": str(project.id),
            "title": "Supplier of the gazetteer withdraws",
            "category": "delivery",
            # The demo council scores on high/medium/low (1-3).
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "residual_likelihood": 2,
            "residual_impact": 2,
        },
    )
    assert titles(search(client, pmo, "gazetteer"), "risk") == ["Supplier of the gazetteer withdraws"]

    changed = api.patch(pmo, f"/risks/{risk['id']}", {"title": "Supplier of the cadastre withdraws"})
    assert changed.status_code == 200, changed.text

    assert search(client, pmo, "gazetteer")["total"] == 0
    assert titles(search(client, pmo, "cadastre"), "risk") == ["Supplier of the cadastre withdraws"]


def test_only_the_callers_organisation(
    client: TestClient, reader: Any, other_pmo: Any, session: Session
) -> None:
    api = Api(client)
    programme = api.programme(other_pmo)
    project = api.project(other_pmo, programme)
    api.post(
        other_pmo,
        "/risks",
        {
            "project_id": project["id"],
            "title": RESOURCE_RISK,
            "category": "delivery",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
            "residual_likelihood": 1,
            "residual_impact": 1,
        },
    )
    # The demo's risk of that title, not the one just made (rows come in no set order).
    demo_risk = first(
        session,
        select(Risk).where(Risk.title == RESOURCE_RISK, Risk.organisation_id == reader.user.organisation_id),
    )

    theirs = search(client, other_pmo, "resourcing priorities")
    assert [(i["kind"], i["title"]) for i in theirs["items"]] == [("risk", RESOURCE_RISK)]
    assert str(demo_risk.id) not in {i["id"] for i in theirs["items"]}
    # The demo's own reference is not found from the other organisation.
    assert search(client, other_pmo, demo_risk.reference)["items"] == [
        i for i in theirs["items"] if i["reference"] == demo_risk.reference
    ]
    ours = search(client, reader, "resourcing priorities")
    assert all(i["id"] != theirs["items"][0]["id"] for i in ours["items"])


def test_only_the_registers_the_caller_may_read(
    client: TestClient, factory: Any, demo_org: Organisation, session: Session
) -> None:
    admin = factory.person(demo_org, Role.admin)
    created = client.post(
        f"{API}/api-clients", json={"name": "Intranet", "scopes": ["portfolio:read"]}, headers=admin.headers
    ).json()
    token = client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    ).json()["access_token"]
    intranet = Bearer(token)
    drawdown = first(session, select(Drawdown))

    # portfolio:read reads projects, programmes and the RAID log, not money or KPIs.
    assert search(client, intranet, drawdown.reference)["total"] == 0
    assert search(client, admin, drawdown.reference)["total"] == 1
    assert RESOURCE_RISK in titles(search(client, intranet, "resourcing priorities"), "risk")
    assert search(client, intranet, "ICT-01")["total"] == 0
    assert search(client, intranet, "incidents", kind="kpi")["total"] == 0


def test_paged_with_the_total(client: TestClient, reader: Any, engine: Engine) -> None:
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        everything = search(client, reader, "programme", limit=200)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert everything["total"] > 2
    # The total is counted without ranking every match (at 40,000 risks that took seconds).
    (count,) = [s for s in statements if "count(*)" in s]
    assert "bm25" not in count, count
    assert "ts_rank" not in count, count
    first = search(client, reader, "programme", limit=2)
    second = search(client, reader, "programme", limit=2, offset=2)
    assert first["total"] == everything["total"]
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in everything["items"][:4]]


def test_kind_narrows_to_one_register(client: TestClient, reader: Any) -> None:
    body = search(client, reader, "programme", kind="risk")
    assert body["total"] > 0
    assert {i["kind"] for i in body["items"]} == {"risk"}


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"q": "   "}, ["query", "q"]),
        ({"q": "?!-"}, ["query", "q"]),
        ({"q": "x" * 201}, ["query", "q"]),
        ({}, ["query", "q"]),
        ({"q": "roads", "kind": "cabinet"}, ["query", "kind"]),
        ({"q": "roads", "limit": 0}, ["query", "limit"]),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(
    client: TestClient, viewer: Any, params: dict[str, Any], location: list[str]
) -> None:
    body = problem(client.get(f"{API}/search", params=params, headers=viewer.headers), 422)
    assert location in [e["location"] for e in body["errors"]], body


def test_signed_out_is_refused(client: TestClient) -> None:
    problem(client.get(f"{API}/search", params={"q": "roads"}), 401)


@pytest.mark.parametrize("register", REGISTERS, ids=lambda r: r.kind)
def test_words_are_answered_by_the_index(engine: Engine, org: Organisation, register: Register) -> None:
    """The query is answered by the index (a query that drifted from its index would scan
    every row and still pass above) in the shape that stays fast when every row matches:

    - SQLite: the FTS table drives the join (its matches first, each register row then
      found by rowid). The other way round, the register's rows of the organisation were
      walked and the FTS query run again for each: 91 s for 40,000 risks.
    - PostgreSQL: the GIN index on the stored tsvector answers the condition, and the rank
      reads that stored tsvector rather than working `to_tsvector` out per row (5 s)."""
    actor = Actor(kind="user", id=org.id, organisation_id=org.id, label="test", grants=(Grant(Role.viewer),))
    with engine.connect() as connection:
        if is_postgres():
            matches, _ = postgres_match(register, ["roads"])
            only_match = select(literal(1)).select_from(table(register.table)).where(matches)
            ranked = _by_words_postgres(register, actor, ["roads"], ranked=True)
            connection.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table would be scanned
            match_plan, rank_plan = (
                "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN VERBOSE {sql}")))
                for sql in (
                    query.compile(engine, compile_kwargs={"literal_binds": True})
                    for query in (only_match, ranked)
                )
            )
            assert f"search_ix_{register.table}" in match_plan, match_plan
            assert f"ts_rank({VECTOR_COLUMN}," in rank_plan, rank_plan
            assert "to_tsvector" not in rank_plan, rank_plan
        else:
            query = _by_words_sqlite(register, actor, ["roads"], ranked=True)
            sql = query.compile(engine, compile_kwargs={"literal_binds": True})
            plan = [row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
            assert plan == [
                f"SCAN {fts_table(register)} VIRTUAL TABLE INDEX 0:M1",
                f"SEARCH {register.table} USING INTEGER PRIMARY KEY (rowid=?)",
            ], plan


@pytest.mark.parametrize("register", [r for r in REGISTERS if r.reference], ids=lambda r: r.kind)
def test_a_reference_is_answered_by_its_index(engine: Engine, org: Organisation, register: Register) -> None:
    """A search by reference reads one row through `search_ix_ref_<table>`, not the register
    (0.6 s at 40,000 risks on SQLite before the index)."""
    query = _by_reference(
        register,
        Actor(kind="user", id=org.id, organisation_id=org.id, label="test"),
        "R-0003",
        engine.dialect.name,
    )
    sql = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        if is_postgres():
            # On a near-empty table every index on organisation_id ties at one row, and the
            # planner's pick between them follows whatever autovacuum last sampled. So, in this
            # rolled-back transaction, leave only the primary key and the reference index: the
            # plan then shows whether the query's predicate matches the index's expression,
            # which is what a change could break (at scale it is the only selective index).
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            _leave_only_the_reference_index(connection, register.table)
            plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {sql}")))
        else:
            plan = "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert f"search_ix_ref_{register.table}" in plan, plan


def _leave_only_the_reference_index(connection: Connection, table_name: str) -> None:
    """Drop, inside the caller's transaction, every index on `table_name` but its primary key and
    `search_ix_ref_<table_name>`; unique constraints go as constraints (nothing references them)."""
    rows = connection.execute(
        text(
            "SELECT i.relname, c.conname, c.contype FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid"
            " WHERE x.indrelid = CAST(:table AS regclass)"
        ),
        {"table": table_name},
    ).all()
    for index_name, constraint_name, constraint_kind in rows:
        if index_name == f"search_ix_ref_{table_name}" or constraint_kind == "p":
            continue
        if constraint_name is not None:
            connection.execute(text(f'ALTER TABLE {table_name} DROP CONSTRAINT "{constraint_name}"'))
        else:
            connection.execute(text(f'DROP INDEX "{index_name}"'))
