"""The KPI tests' calls: KPIs, targets, values and their workflow, on top of the shared ones
(tests/support/api.py)."""

from __future__ import annotations

import uuid
from typing import Any

from support.api import API, Api, Bearer, Person


class Kpis(Api):
    def kpi(self, who: Person, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": f"K-{uuid.uuid4().hex[:6]}",
            "name": "Resident satisfaction with customer service",
            "unit": "percentage",
            "polarity": "higher_is_better",
            "frequency": "quarterly",
            "decimal_places": 1,
            **fields,
        }
        result: dict[str, Any] = self.post(who, "/kpis", body)
        return result

    def target(self, who: Person, kpi: dict[str, Any], period: str, target: Any, **fields: Any) -> Any:
        return self.post(
            who, f"/kpis/{kpi['id']}/targets", {"period_code": period, "target": target, **fields}
        )

    def value(self, who: Person, kpi: dict[str, Any], period: str, actual: Any, status: int = 201) -> Any:
        return self.post(who, f"/kpis/{kpi['id']}/values", {"period_code": period, "actual": actual}, status)

    def step(self, who: Person, value: dict[str, Any], step: str, status: int = 200, **body: Any) -> Any:
        return self.post(who, f"/kpi-values/{value['id']}/{step}", body or None, status)

    def published(self, pmo: Person, kpi: dict[str, Any], period: str, actual: Any) -> dict[str, Any]:
        value = self.value(pmo, kpi, period, actual)
        for step in ("submit", "verify", "publish"):
            value = self.step(pmo, value, step)
        assert value["status"] == "published"
        result: dict[str, Any] = value
        return result

    def api_client_headers(self, admin: Person, scopes: list[str]) -> Bearer:
        created = self.post(
            admin, "/api-clients", {"name": f"System {uuid.uuid4().hex[:6]}", "scopes": scopes}
        )
        response = self.client.post(
            f"{API}/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        )
        assert response.status_code == 200, response.text
        return Bearer(response.json()["access_token"])
