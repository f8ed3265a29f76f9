"""The document stays compatible with the last released one (issue 15, item 7).

The released document is committed as `openapi/released/openapi-<version>.json` when a
version is tagged; until the first one is, the comparison is skipped (saying so). The
checker itself is tested here on small documents, so it is known to catch each kind of
breaking change."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pmo.cli import OPENAPI_PATH
from pmo.main import create_app

from .compatibility import breaking_changes

pytestmark = pytest.mark.document_only

RELEASED = OPENAPI_PATH.parent / "released"


def _version(path: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in path.stem.removeprefix("openapi-").split("."))


CHANGELOG = OPENAPI_PATH.parent / "CHANGELOG.md"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def _last_release() -> tuple[Path, dict[str, Any]]:
    releases = sorted(RELEASED.glob("openapi-*.json"), key=_version)
    if not releases:
        pytest.skip("no released document yet: openapi/released/openapi-<version>.json is written at release")
    return releases[-1], json.loads(releases[-1].read_text(encoding="utf-8"))


def _current() -> dict[str, Any]:
    return json.loads(json.dumps(create_app().openapi()))


def _operations(document: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_the_document_keeps_what_the_last_release_promised() -> None:
    path, released = _last_release()
    broken = breaking_changes(released, _current())
    assert not broken, f"breaks clients of {path.name}:\n" + "\n".join(broken)


def test_every_change_since_the_last_release_is_in_the_changelog() -> None:
    """Above the last release's heading the changelog names each operation added or removed
    since, and lists something under Unreleased whenever the document differs at all."""
    path, released = _last_release()
    version = path.stem.removeprefix("openapi-")
    changelog = CHANGELOG.read_text(encoding="utf-8")
    heading = f"\n## {version}"
    assert heading in changelog, f"CHANGELOG.md has no '## {version}' heading for the release"
    since = changelog.split(heading, 1)[0]
    current = _current()
    added = _operations(current) - _operations(released)
    removed = _operations(released) - _operations(current)
    missing = sorted(op for op in added | removed if f"`{op}`" not in since)
    assert not missing, f"operations changed since {version} but not in CHANGELOG.md: {missing}"
    without_info = ({k: v for k, v in d.items() if k != "info"} for d in (current, released))
    if next(without_info) != next(without_info):
        unreleased = since.split("## Unreleased", 1)[-1]
        said = [line for line in unreleased.splitlines() if line.lstrip().startswith("- ")]
        assert said, f"the document changed since {version}: say how under '## Unreleased'"


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
