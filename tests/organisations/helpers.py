"""Helpers for the organisation tests: validation error locations, If-Match, the tables."""

from __future__ import annotations

from typing import Any


def error_locations(body: dict[str, Any]) -> set[tuple[str | int, ...]]:
    return {tuple(e["location"]) for e in body.get("errors") or []}


def with_if_match(headers: dict[str, str], tag: str) -> dict[str, str]:
    return {**headers, "If-Match": tag}


ORG_TABLES = ("organisations", "users", "directorates", "role_assignments", "api_clients", "audit_events")
