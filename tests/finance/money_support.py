"""Shared set-up of the money tests (funding sources, delegation rules, draw-downs): an
organisation with one person per role, a directorate, a programme and a project made through
the API, and helpers for sources and requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from support.api import API, Api, Person


@dataclass
class Money(Api):
    """The calls of tests/support/api.py, and the set-up's people and records. (`programme` and
    `project` here are the set-up's records, not the calls that make new ones.)"""

    client: TestClient
    pmo: Person
    finance: Person
    sponsor: Person
    member: Person
    pm: Person
    democratic: Person
    viewer: Person
    directorate: dict[str, Any]
    programme: dict[str, Any]
    project: dict[str, Any]

    def call(self, method: str, who: Person, path: str, body: Any = None, **params: Any) -> Response:
        return self.client.request(method, f"{API}{path}", json=body, headers=who.headers, params=params)

    def source(self, opening: str = "555000.00", **fields: Any) -> dict[str, Any]:
        body = {"name": f"Reserve {uuid.uuid4().hex[:6]}", "kind": "reserve", "opening_balance": opening}
        return self.post(self.finance, "/funding-sources", {**body, **fields})

    def project_of(self, **fields: Any) -> dict[str, Any]:
        body = {
            "programme_id": self.programme["id"],
            "name": f"Project {uuid.uuid4().hex[:6]}",
            "lead_directorate_id": self.directorate["id"],
            "project_manager_id": str(self.pm.id),
            **fields,
        }
        return self.post(self.pmo, "/projects", body)

    def body(self, source: dict[str, Any], amount: str, **fields: Any) -> dict[str, Any]:
        return {
            "project_id": self.project["id"],
            "funding_source_id": source["id"],
            "amount": amount,
            "financial_year": "2022/23",
            "purpose": "Specialist support for the Finance Service redesign",
            "business_case_reference": "Cabinet report 26 April 2022, Appendix B",
            **fields,
        }

    def request(self, source: dict[str, Any], amount: str, *, by: Person | None = None, **fields: Any) -> Any:
        return self.post(by or self.pm, "/drawdowns", self.body(source, amount, **fields))

    def consult_all(self, drawdown: dict[str, Any]) -> dict[str, Any]:
        self.post(self.finance, f"/drawdowns/{drawdown['id']}/consultations", {"view": "supports"})
        answer = {"view": "supports", "conflict_of_interest": False}
        return self.post(self.member, f"/drawdowns/{drawdown['id']}/consultations", answer)

    def approve(self, drawdown: dict[str, Any], who: Person | None = None) -> Response:
        body = {
            "decision": "approve",
            "reason": "Supported by an approved business case.",
            "alternatives_considered": "Waiting for the next budget round: rejected, the work starts in May.",
        }
        return self.call("POST", who or self.sponsor, f"/drawdowns/{drawdown['id']}/decision", body)

    def cabinet(self, drawdown: dict[str, Any], outcome: str = "approved", body: str = "cabinet") -> Response:
        decision = {
            "body": body,
            "meeting_date": "2022-06-14",
            "minute_reference": "Cabinet minute 12 (2022/23)",
            "outcome": outcome,
        }
        return self.call("POST", self.democratic, f"/drawdowns/{drawdown['id']}/committee-decision", decision)
