"""Entity tags: `ETag` on reads with `If-None-Match` -> 304, and `If-Match` on updates.

The tag is a hash of the representation a `GET` returns, so it changes whenever anything
the client sees changes (including related data such as a user's roles), except the
`allowed_actions` lists: those say what the caller may do, so leaving them out gives one
record state one tag whoever reads it (a tag read by one officer is good for another's edit). Updates compare
`If-Match` with the tag of the current representation; the row's version column then makes
the write itself conditional, so of two racing edits with the same tag only one succeeds.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import Header, Response
from pydantic import BaseModel

from pmo.core.errors import PreconditionFailed, PreconditionRequired

IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match", max_length=1000, description="A tag from an earlier `ETag`: 304 if unchanged."
    ),
]
# Optional to FastAPI (its 422 would pre-empt the route's 428); `pmo.main` marks the header
# required in the document wherever it has this description.
IF_MATCH_REQUIRED = "The `ETag` of the record as last read. Required: a missing tag is 428, a stale one 412."
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=1000, description=IF_MATCH_REQUIRED)]
# A PUT that creates when there is nothing yet takes `If-Match` only to replace.
IfMatchToReplace = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description="To replace: the `ETag` of the record as last read (428 without it, 412 if stale). "
        "Not sent when creating.",
    ),
]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# `"allowed_actions":[...]` in the JSON pydantic writes, with the comma that joins it to its
# neighbour: the one before it, or (first in its object) the one after. In JSON a quote inside
# a string is always escaped, so this can only be the key, and its values are action names
# (`[a-z_]+`, never a `]`). Each pattern starts with its literal text, which is searched fast.
_ALLOWED_ACTIONS_AFTER_A_COMMA = re.compile(rb',"allowed_actions":\[[^\]]*\]')
_ALLOWED_ACTIONS_FIRST = re.compile(rb'"allowed_actions":\[[^\]]*\],?')


def without_allowed_actions(body: bytes) -> bytes:
    if b'"allowed_actions"' not in body:
        return body
    return _ALLOWED_ACTIONS_FIRST.sub(b"", _ALLOWED_ACTIONS_AFTER_A_COMMA.sub(b"", body))


def tag_of(model: BaseModel, body: bytes | None = None) -> str:
    """The tag of `model` (`body` is its JSON when already made), without its `allowed_actions`
    at any depth: they say what the reader may do, not what the record is. Cut from the bytes:
    parsing and writing the JSON again cost my work list 8 ms of its 60."""
    body = model.model_dump_json().encode() if body is None else body
    return etag_of(without_allowed_actions(body))


def _tags(header: str, *, weak: bool) -> set[str]:
    """The tags of a header. `weak` comparison (If-None-Match) ignores a `W/` prefix; strong
    comparison (If-Match, RFC 9110 13.1.1) never matches a weak tag."""
    tags = {tag.strip() for tag in header.split(",") if tag.strip()}
    return {tag.removeprefix("W/") for tag in tags} if weak else tags


def json_with_etag(model: BaseModel, if_none_match: str | None, *, status_code: int = 200) -> Response:
    body = model.model_dump_json().encode()
    return body_with_etag(body, tag_of(model, body), if_none_match, status_code=status_code)


def body_with_etag(body: bytes, tag: str, if_none_match: str | None, *, status_code: int = 200) -> Response:
    """The JSON `body` with its `tag`, or 304 when `If-None-Match` holds the tag."""
    if if_none_match and ({tag, "*"} & _tags(if_none_match, weak=True)):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, status_code=status_code, media_type="application/json", headers={"ETag": tag})


def check_if_match(if_match: str | None, current: BaseModel) -> None:
    if not if_match:
        raise PreconditionRequired("Send `If-Match` with the ETag from your last read of this record.")
    tags = _tags(if_match, weak=False)
    if "*" not in tags and tag_of(current) not in tags:
        raise PreconditionFailed(
            "The record has changed since you read it. Read it again and reapply your change."
        )
