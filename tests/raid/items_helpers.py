"""The issue, assumption and dependency tests' calls, on top of the shared ones
(tests/support/api.py)."""

from __future__ import annotations

import uuid
from typing import Any

from support.api import Api, Person


class Items(Api):
    def refs(self, who: Person, path: str, **params: Any) -> list[str]:
        return [item["reference"] for item in self.get(who, path, **params)["items"]]

    def issue(self, who: Person, project: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"title": f"Issue {uuid.uuid4().hex[:6]}", **fields}
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/issues", body)

    def assumption(self, who: Person, project: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"statement": f"Assumption {uuid.uuid4().hex[:6]}", **fields}
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/assumptions", body)

    def dependency(
        self, who: Person, project: dict[str, Any], other: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "project_id": project["id"],
            "title": f"Dependency {uuid.uuid4().hex[:6]}",
            "direction": "outbound",
            **fields,
        }
        if other is not None:
            body["other_project_id"] = other["id"]
        elif "external_party" not in fields:
            body["external_party"] = "Derbyshire County Council"
        return self.post(who, "/dependencies", body)
