"""An expired Idempotency-Key is free for a new request; other expired keys are left to the
worker's purge (`pmo worker`), not deleted on the request path."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from pmo.core.db import utcnow
from pmo.core.idempotency import KEEP_KEYS_FOR
from pmo.core.models import IdempotencyRecord


def _age_all_records(engine, by: timedelta) -> None:
    with Session(engine) as session:
        session.execute(update(IdempotencyRecord).values(created_at=utcnow() - by))
        session.commit()


def test_an_expired_key_is_free_and_other_expired_keys_wait_for_the_worker(client, admin, engine):
    headers = {**admin.headers, "Idempotency-Key": "key-0001"}
    other = {**admin.headers, "Idempotency-Key": "key-0002"}
    assert client.post("/api/v1/directorates", json={"name": "Housing"}, headers=headers).status_code == 201
    assert client.post("/api/v1/directorates", json={"name": "Parks"}, headers=other).status_code == 201
    _age_all_records(engine, KEEP_KEYS_FOR + timedelta(minutes=1))

    again = client.post("/api/v1/directorates", json={"name": "Finance"}, headers=headers)

    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json()["name"] == "Finance"
    with Session(engine) as session:
        assert sorted(session.exec(select(IdempotencyRecord.key)).all()) == ["key-0001", "key-0002"]


def test_a_key_within_its_day_still_replays(client, admin, engine):
    headers = {**admin.headers, "Idempotency-Key": "key-0001"}
    first = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=headers)
    _age_all_records(engine, KEEP_KEYS_FOR - timedelta(minutes=1))

    again = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=headers)

    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
