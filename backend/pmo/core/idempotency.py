"""`Idempotency-Key` on creating POSTs: a retry gets the first response, not a second record.

The key and the response are stored in the same transaction as the record they describe,
so a crash can never leave one without the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Request, Response
from pydantic import BaseModel
from sqlalchemy import delete, null
from sqlmodel import Session, col, select

from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, Unprocessable
from pmo.core.models import IdempotencyRecord
from pmo.core.pagination import public_url_of
from pmo.core.permissions import Actor
from pmo.core.security import NO_STORE, HoldsSecret

KEEP_KEYS_FOR = timedelta(hours=24)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is good). A retry with the same key gets the first response.",
    ),
]


def _request_hash(request: Request, payload: BaseModel | None) -> str:
    # Keyed, because a body may hold a password: a plain hash of it would be a fast,
    # unsalted password hash sitting in the database.
    content = {
        "method": request.method,
        "path": request.url.path,
        "body": payload.model_dump(mode="json") if payload is not None else None,
    }
    key = get_settings().signing_secret.encode()
    return hmac.new(key, json.dumps(content, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def _json_response(status_code: int, body: Any, location: str | None, replayed: bool) -> Response:
    # Kept as a path, sent absolute: a client behind another host name follows it as is.
    headers = {"Location": public_url_of(location)} if location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def create_once(
    request: Request,
    session: Session,
    actor: Actor,
    key: str | None,
    payload: BaseModel | None,
    create: Callable[[], tuple[BaseModel, str | None]],
    *,
    status_code: int = 201,
) -> Response:
    """Run `create` (which returns the public model and its URL) unless `key` was seen before."""
    request_hash = _request_hash(request, payload)
    actor_key = f"{actor.kind}:{actor.id}"
    if key is not None:
        # Keys are kept for a day: long enough for any retry. `pmo worker` purges expired
        # keys; this key, if expired and not yet purged, is freed here for the new request.
        session.execute(
            delete(IdempotencyRecord).where(
                col(IdempotencyRecord.actor_key) == actor_key,
                col(IdempotencyRecord.key) == key,
                col(IdempotencyRecord.created_at) < utcnow() - KEEP_KEYS_FOR,
            )
        )
        earlier = session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.actor_key == actor_key, IdempotencyRecord.key == key
            )
        ).scalar_one_or_none()
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Unprocessable(
                    "This Idempotency-Key was used for a different request. Use a new key for a new request."
                )
            if earlier.response_body is None:
                created_at = public_url_of(earlier.location or "")
                raise Conflict(
                    "The first response to this request held a secret, which is never stored, so it "
                    f"cannot be repeated. What it created is at {created_at}; if the secret was "
                    "lost, replace it there.",
                    extra={"location": created_at},
                )
            return _json_response(earlier.status_code, earlier.response_body, earlier.location, replayed=True)

    result, location = create()
    body = result.model_dump(mode="json")
    holds_secret = isinstance(result, HoldsSecret)
    if key is not None:
        session.add(
            IdempotencyRecord(
                actor_key=actor_key,
                key=key,
                method=request.method,
                path=request.url.path,
                request_hash=request_hash,
                status_code=status_code,
                # SQL NULL, not JSON null: nothing of the response is kept.
                response_body=null() if holds_secret else body,
                location=location,
            )
        )
        session.flush()
    response = _json_response(status_code, body, location, replayed=False)
    if holds_secret:
        response.headers.update(NO_STORE)
    return response
