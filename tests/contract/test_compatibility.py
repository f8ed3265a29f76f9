"""The document stays compatible with the last released one (issue 15, item 7).

The released document is committed as `openapi/released/openapi-<version>.json` when a
version is tagged; until the first one is, the comparison is skipped (saying so). The
checker itself is tested here on small documents, so it is known to catch each kind of
breaking change."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pmo.cli import OPENAPI_PATH
from pmo.main import create_app

from .compatibility import breaking_changes

RELEASED = OPENAPI_PATH.parent / "released"


def _version(path: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in path.stem.removeprefix("openapi-").split("."))


def test_the_document_keeps_what_the_last_release_promised() -> None:
    releases = sorted(RELEASED.glob("openapi-*.json"), key=_version)
    if not releases:
        pytest.skip("no released document yet: openapi/released/openapi-<version>.json is written at release")
    released = json.loads(releases[-1].read_text(encoding="utf-8"))
    current = json.loads(json.dumps(create_app().openapi()))
    broken = breaking_changes(released, current)
    assert not broken, f"breaks clients of {releases[-1].name}:\n" + "\n".join(broken)


# The checker, on a small document ---------------------------------------------------------


def _json(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


BASE: dict[str, Any] = {
    "paths": {
        "/things": {
            "get": {
                "parameters": [{"in": "query", "name": "kind", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}
                    }
                },
            },
            "post": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingCreate"}}}
                },
                "responses": {
                    "201": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
                    }
                },
            },
        }
    },
    "components": {
        "schemas": {
            "Page": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}},
            },
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
            },
            "ThingCreate": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "size": {"type": "integer"},
                    "colour": {"type": "string", "enum": ["red", "green"]},
                },
            },
        }
    },
}


def _changed(change: Any) -> list[str]:
    new = copy.deepcopy(BASE)
    change(new)
    return breaking_changes(BASE, new)


def test_no_change_and_additions_are_compatible() -> None:
    def add(document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        schemas["Thing"]["properties"]["owner"] = {"type": "string"}
        schemas["ThingCreate"]["properties"]["owner"] = {"type": "string"}
        schemas["ThingCreate"]["properties"]["colour"]["enum"].append("blue")
        document["paths"]["/others"] = {"get": {"responses": {"200": {}}}}

    assert breaking_changes(BASE, BASE) == []
    assert _changed(add) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["paths"]["/things"].pop("post"), "POST /things: operation removed"),
        (
            lambda d: d["components"]["schemas"]["Thing"]["properties"].pop("status"),
            "GET /things 200.items.status: response field removed",
        ),
        (
            lambda d: d["components"]["schemas"]["ThingCreate"]["required"].append("size"),
            "POST /things: request field 'size' is now required",
        ),
        (
            lambda d: d["paths"]["/things"]["get"]["parameters"][0].update(required=True),
            "GET /things: query parameter 'kind' is now required",
        ),
        (
            lambda d: d["components"]["schemas"]["ThingCreate"]["properties"]["colour"]["enum"].remove(
                "green"
            ),
            "POST /things: request field 'colour': values no longer allowed: ['green']",
        ),
        (
            lambda d: d["components"]["schemas"]["ThingCreate"]["properties"].update(size={"type": "string"}),
            "POST /things: request field 'size': type ['integer'] -> ['string']",
        ),
        (
            lambda d: d["components"]["schemas"]["Thing"]["properties"]["status"]["enum"].append("lost"),
            "POST /things 201.status: response field may now be outside what it was",
        ),
        (
            lambda d: d["paths"]["/things"]["get"]["parameters"][0]["schema"].update(enum=["a"]),
            "GET /things: query parameter 'kind': values no longer allowed: any value",
        ),
    ],
)
def test_each_breaking_change_is_found(change: Any, expected: str) -> None:
    found = _changed(change)
    assert any(line.startswith(expected) for line in found), found
