"""The hash chain finds edited, deleted and reordered events; PostgreSQL refuses the edits anyway."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from pmo.audit.models import AuditChainHead, AuditEvent
from pmo.audit.service import event_hash, verify_chains
from pmo.core.permissions import Role
from pmo.gates.templates import BUILTIN_LIFECYCLES

EVENTS = AuditEvent.__table__
# A new organisation's chain starts with its built-in lifecycles and its default delegation
# rule, then its own creation.
NEW_ORGANISATION_EVENTS = len(BUILTIN_LIFECYCLES) + 2


@pytest.fixture
def chain(factory, org, other_org, events_of):
    """Our organisation with a few events (organisation and its lifecycles, two people and their
    roles), and another."""
    factory.person(org, Role.admin)
    factory.person(org, Role.viewer)
    factory.person(other_org, Role.admin)
    events = events_of(org.id)
    assert [e.seq for e in events] == list(range(1, NEW_ORGANISATION_EVENTS + 5))
    return events


def _verify(engine):
    with Session(engine) as session:
        return verify_chains(session)


def _problems(engine):
    return {(b.organisation_id, b.seq, b.problem.split(":")[0]) for b in _verify(engine)[1]}


def test_a_clean_trail_verifies(engine, chain, org, other_org):
    checked, breaks = _verify(engine)
    assert breaks == []
    # Ours, and the other organisation's own events, user and role.
    assert checked == len(chain) + NEW_ORGANISATION_EVENTS + 2


def test_an_edited_after_is_found(engine, chain, org, tampering):
    with tampering() as connection:
        connection.execute(
            update(EVENTS)
            .where(EVENTS.c.id == chain[1].id)
            .values(after={**chain[1].after, "display_name": "Eve"})
        )
    breaks = _verify(engine)[1]
    assert [(b.organisation_id, b.seq) for b in breaks] == [(org.id, 2)]
    assert "content changed" in breaks[0].problem


def test_an_edited_actor_label_is_found(engine, chain, org, tampering):
    with tampering() as connection:
        connection.execute(
            update(EVENTS).where(EVENTS.c.id == chain[2].id).values(actor_label="someone else")
        )
    assert _problems(engine) == {(org.id, 3, "content changed since it was written")}


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(engine, chain, org, tampering):
    forged = chain[1]
    forged.actor_label = "someone else"
    with tampering() as connection:
        connection.execute(
            update(EVENTS)
            .where(EVENTS.c.id == forged.id)
            .values(actor_label=forged.actor_label, hash=event_hash(forged))
        )
    breaks = _verify(engine)[1]
    assert [(b.organisation_id, b.seq) for b in breaks] == [(org.id, 3)]
    assert "does not follow" in breaks[0].problem


def test_a_deleted_middle_event_is_found(engine, chain, org, tampering):
    with tampering() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.id == chain[2].id))
    breaks = _verify(engine)[1]
    assert {b.seq for b in breaks} == {4}
    assert {b.organisation_id for b in breaks} == {org.id}
    assert any("missing" in b.problem for b in breaks)


def test_a_deleted_last_event_is_found(engine, chain, org, tampering):
    with tampering() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.id == chain[-1].id))
    breaks = _verify(engine)[1]
    assert [(b.organisation_id, b.seq) for b in breaks] == [(org.id, None)]
    assert "missing" in breaks[0].problem


def test_a_deleted_last_event_with_the_head_moved_back_is_still_found(engine, chain, org, tampering):
    """Moving the head back to the previous event hides nothing: its hash must match too."""
    with tampering() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.id == chain[-1].id))
        connection.execute(
            update(AuditChainHead.__table__)
            .where(AuditChainHead.__table__.c.organisation_id == org.id)
            .values(last_seq=chain[-2].seq)
        )
    assert [(b.organisation_id, b.seq) for b in _verify(engine)[1]] == [(org.id, None)]


def test_swapped_events_are_found(engine, chain, org, tampering):
    second, third = chain[1], chain[2]
    with tampering() as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.id == second.id).values(seq=-1))
        connection.execute(update(EVENTS).where(EVENTS.c.id == third.id).values(seq=2))
        connection.execute(update(EVENTS).where(EVENTS.c.id == second.id).values(seq=3))
    breaks = _verify(engine)[1]
    assert breaks
    assert {b.organisation_id for b in breaks} == {org.id}
    assert {b.seq for b in breaks} >= {2, 3}


def test_the_application_appends_after_a_clean_chain_only(engine, chain, org, factory):
    factory.person(org)
    assert _verify(engine)[1] == []


def test_postgresql_refuses_update_and_delete(engine, chain):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    refused = pytest.raises(DBAPIError, match=r"cannot be changed or deleted \(UPDATE refused\)")
    with refused, engine.begin() as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.id == chain[0].id).values(actor_label="x"))
    refused = pytest.raises(DBAPIError, match=r"cannot be changed or deleted \(DELETE refused\)")
    with refused, engine.begin() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.id == chain[0].id))
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"), engine.begin() as connection:
        connection.execute(delete(EVENTS))
    assert _verify(engine)[1] == []
    # The trigger is back on after the tampering fixture's transactions, too.
    with engine.connect() as connection:
        enabled = connection.exec_driver_sql(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_events_append_only'"
        ).scalar_one()
    assert enabled == "O"


def test_the_trigger_is_on_again_after_tampering(engine, chain, tampering):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    with tampering() as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.id == chain[0].id).values(actor_label="x"))
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"), engine.begin() as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.id == chain[1].id).values(actor_label="y"))
