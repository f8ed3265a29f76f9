"""The risk tests' calls: risks, on top of the shared ones (tests/support/api.py)."""

from __future__ import annotations

import uuid
from typing import Any

from support.api import Api, Person


class Raid(Api):
    def risk(self, who: Person, project: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": f"Risk {uuid.uuid4().hex[:6]}",
            "category": "delivery",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 2,
            "residual_impact": 3,
            **fields,
        }
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/risks", body)
