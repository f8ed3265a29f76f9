"""A focused check of what breaks a client of a released OpenAPI document.

No Python library on PyPI compares OpenAPI 3.1 documents for breaking changes (oasdiff is
Go), so this checks the changes that break a generated client:

* an operation removed;
* a field removed from a success response's JSON;
* a request field or parameter newly required (or a new required one);
* a request field, parameter or response field whose type was narrowed: a JSON type or an
  enum value that the old document allowed and the new one does not (for requests: the
  client may send it; for responses the reverse, a new type the client cannot read).
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")


def _resolve(schema: Any, document: dict[str, Any], seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema and schema["$ref"] not in seen:
        seen = seen | {schema["$ref"]}
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema if isinstance(schema, dict) else {}


def _variants(schema: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of `anyOf`/`oneOf` (an optional field is `anyOf: [X, null]`)."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options:
        return [schema]
    return [_resolve(option, document) for option in options]


def _types(schema: dict[str, Any], document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for variant in _variants(schema, document):
        kind = variant.get("type")
        if isinstance(kind, list):
            found.update(kind)
        elif kind:
            found.add(kind)
        elif "properties" in variant or "$ref" in variant:
            found.add("object")
        elif not variant:
            found.add("any")
    return found


def _enum(schema: dict[str, Any], document: dict[str, Any]) -> set[Any] | None:
    values: set[Any] = set()
    for variant in _variants(schema, document):
        if "enum" in variant:
            values.update(variant["enum"])
        elif "const" in variant:
            values.add(variant["const"])
        elif variant.get("type") != "null":
            return None  # some variant takes any value of its type
    return values


def _properties(schema: dict[str, Any], document: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for variant in _variants(schema, document):
        properties.update({k: _resolve(v, document) for k, v in variant.get("properties", {}).items()})
        required.update(variant.get("required", []))
    return properties, required


def _narrowed(old: dict[str, Any], new: dict[str, Any], document_old: Any, document_new: Any) -> str | None:
    """What `new` no longer accepts of what `old` did, if anything."""
    old_types, new_types = _types(old, document_old), _types(new, document_new)
    if "any" not in new_types and not old_types <= new_types | (
        {"integer"} if "number" in new_types else set()
    ):
        return f"type {sorted(old_types)} -> {sorted(new_types)}"
    old_enum, new_enum = _enum(old, document_old), _enum(new, document_new)
    if new_enum is not None and (old_enum is None or not old_enum <= new_enum):
        lost = "any value" if old_enum is None else sorted(map(str, old_enum - new_enum))
        return f"values no longer allowed: {lost}"
    return None


def _json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    media = (content or {}).get("application/json")
    return media.get("schema") if media else None


def _compare_request(where: str, old: Any, new: Any, doc_old: Any, doc_new: Any, found: list[str]) -> None:
    old_props, old_required = _properties(old, doc_old)
    new_props, new_required = _properties(new, doc_new)
    for name in sorted(new_required - old_required):
        found.append(f"{where}: request field {name!r} is now required")
    for name, old_field in old_props.items():
        if name not in new_props:
            continue  # a field dropped from a request: an `extra=forbid` model would refuse it
        narrowed = _narrowed(old_field, new_props[name], doc_old, doc_new)
        if narrowed:
            found.append(f"{where}: request field {name!r}: {narrowed}")


def _item(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The schema of a list's items, or the schema itself (nested fields are compared too)."""
    for variant in _variants(schema, document):
        if variant.get("type") == "array":
            return _resolve(variant.get("items", {}), document)
    return schema


def _compare_response(
    where: str, old: Any, new: Any, doc_old: Any, doc_new: Any, found: list[str], depth: int = 0
) -> None:
    if depth > 8:  # recursive schemas
        return
    old_props, _ = _properties(old, doc_old)
    new_props, _ = _properties(new, doc_new)
    for name, old_field in old_props.items():
        field = f"{where}.{name}"
        if name not in new_props:
            found.append(f"{field}: response field removed")
            continue
        # A response field may not take a type its readers do not expect.
        widened = _narrowed(new_props[name], old_field, doc_new, doc_old)
        if widened:
            found.append(f"{field}: response field may now be outside what it was: {widened}")
        _compare_response(
            field,
            _item(old_field, doc_old),
            _item(new_props[name], doc_new),
            doc_old,
            doc_new,
            found,
            depth + 1,
        )


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every change from `old` (the last release) to `new` that breaks a client of `old`."""
    found: list[str] = []
    for path, old_item in old.get("paths", {}).items():
        for method in METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            new_operation = new.get("paths", {}).get(path, {}).get(method)
            if new_operation is None:
                found.append(f"{where}: operation removed")
                continue
            old_operation = old_item[method]
            old_params = {(p["in"], p["name"]): p for p in old_operation.get("parameters", [])}
            for param in new_operation.get("parameters", []):
                key = (param["in"], param["name"])
                if param.get("required") and not old_params.get(key, {}).get("required"):
                    found.append(f"{where}: {param['in']} parameter {param['name']!r} is now required")
                if key in old_params:
                    narrowed = _narrowed(
                        _resolve(old_params[key].get("schema", {}), old),
                        _resolve(param.get("schema", {}), new),
                        old,
                        new,
                    )
                    if narrowed:
                        found.append(f"{where}: {param['in']} parameter {param['name']!r}: {narrowed}")
            old_body = _json_schema(old_operation.get("requestBody", {}).get("content"))
            new_body = _json_schema(new_operation.get("requestBody", {}).get("content"))
            if new_body is not None:
                _compare_request(
                    where, _resolve(old_body or {}, old), _resolve(new_body, new), old, new, found
                )
            for status, old_response in old_operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                old_schema = _json_schema(old_response.get("content"))
                new_schema = _json_schema(new_operation.get("responses", {}).get(status, {}).get("content"))
                if old_schema is None:
                    continue
                if new_schema is None:
                    found.append(f"{where}: {status} no longer answers JSON")
                    continue
                _compare_response(
                    f"{where} {status}", _resolve(old_schema, old), _resolve(new_schema, new), old, new, found
                )
    return found
