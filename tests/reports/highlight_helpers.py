"""The highlight report tests' calls and people, on top of the shared ones (tests/support)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pmo.core.periods import Period, period_containing, today
from support.api import API, Api, Person


def last_month() -> Period:
    """The month before this one: its reports can be written, and it has a past."""
    return period_containing("monthly", today()).previous


def in_month(month: Period, day: int) -> str:
    return min(month.start + timedelta(days=day - 1), month.end).isoformat()


class Highlights(Api):
    def start(self, who: Person, project: dict[str, Any], period: str, status: int = 201) -> Any:
        return self.post(who, "/highlight-reports", {"project_id": project["id"], "period": period}, status)

    def url(self, report: dict[str, Any]) -> str:
        return f"{API}/highlight-reports/{report['id']}"

    def tag(self, who: Person, report: dict[str, Any]) -> str:
        response = self.client.get(self.url(report), headers=who.headers)
        assert response.status_code == 200, response.text
        return str(response.headers["ETag"])

    def edit(self, who: Person, report: dict[str, Any], status: int = 200, **fields: Any) -> Any:
        tag = self.tag(who, report)
        response = self.client.patch(self.url(report), json=fields, headers={**who.headers, "If-Match": tag})
        assert response.status_code == status, response.text
        return response.json()

    def act(
        self,
        who: Person,
        report: dict[str, Any],
        step: str,
        body: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Any:
        tag = self.tag(who, report)
        response = self.client.post(
            f"{self.url(report)}/{step}", json=body, headers={**who.headers, "If-Match": tag}
        )
        assert response.status_code == status, response.text
        return response.json()

    def complete(self, who: Person, report: dict[str, Any]) -> Any:
        """Fill in what submission needs."""
        return self.edit(
            who,
            report,
            summary="On track overall; the new system goes live in March.",
            time_rag="green",
            time_note="Milestones are on plan.",
            cost_rag="amber",
            cost_note="Licence costs rose 4%.",
            scope_rag="green",
            scope_note="No change.",
            benefits_rag="green",
            benefits_note="Savings profile unchanged.",
        )

    def submitted(self, pm: Person, project: dict[str, Any], period: str) -> Any:
        report = self.start(pm, project, period)
        self.complete(pm, report)
        return self.act(pm, report, "submit")
