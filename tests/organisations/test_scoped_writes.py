"""Every write operation, walked by people whose role is held for one directorate, one
programme or one project only (a project manager, a sponsor and a finance officer of each).

Inside their scope the operation goes through (never a 403) and adds to the organisation's
audit trail (unless it stores nothing); outside it the answer is a 403
problem whose detail gives the reason ("You are project manager for programme Inside only;
P-0002 is in programme Outside."), and nothing is written (the organisation's audit trail,
which every write adds to, does not move). The record outside differs from the one inside in
that scope only: for the directorate's people a project of the same programme led by another
directorate, for the project's people another project of the same programme and directorate.

The operations come from the app's routes: a write operation that a project manager, sponsor
or finance officer may call fails `test_every_write_operation_has_a_case` until it has a row
in CASES (how to make the request inside and outside the scope) or a reason in NOT_SCOPED.

Cheap: one database for the module (emptied once at the end, not after each test), one
client, and each case makes only the record it acts on.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from conftest import Factory
from pmo.auth.dependencies import _required_permissions
from pmo.core.periods import period_containing, today
from pmo.core.permissions import ROLE_PERMISSIONS, SCOPABLE_ROLES, Role
from pmo.main import DOMAIN_ROUTERS
from support.api import API, problem
from support.database import audit_count, empty_database

READ_ONLY = {"GET", "HEAD", "OPTIONS"}
INSIDE, OUTSIDE = "Programme Inside", "Programme Outside"
DIRECTORATE_IN, DIRECTORATE_OUT = "Inside", "Outside"
SCOPE_KINDS = ("programme", "directorate", "project")
# Where each case acts: "in" is inside every scope kind; "out:<kind>" is outside that kind only.
PLACES = {  # programme, lead directorate
    "in": ("in", "in"),
    "out:programme": ("out", "in"),
    "out:directorate": ("in", "out"),
    "out:project": ("in", "in"),
}


@pytest.fixture(autouse=True)
def _empty_database() -> None:
    """The module shares one database (see `world`): no emptying after each test."""


@dataclass
class World:
    client: TestClient
    org: Any
    people: dict[str, Any]
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # by place (PLACES)
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)  # "in" / "out"
    source: dict[str, Any] = field(default_factory=dict)

    def call(self, who: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.request(
            method, f"{API}{path}", json=body, headers={**self.people[who].headers, **headers}
        )

    def post(self, who: str, path: str, body: Any = None, status: int = 201) -> dict[str, Any]:
        response = self.call(who, "POST", path, body)
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    def tag(self, path: str) -> str:
        return str(self.call("pmo", "GET", path).headers["ETag"])


@pytest.fixture(scope="module")
def world(engine: Engine, app: Any) -> Iterator[World]:
    empty_database(engine)
    factory = Factory(engine)
    org = factory.organisation("Scoped Borough Council")
    directorates = {
        where: factory.directorate(org, name)
        for where, name in (("in", DIRECTORATE_IN), ("out", DIRECTORATE_OUT))
    }
    people = {
        "pmo": factory.person(org, Role.pmo),
        "admin": factory.person(org, Role.admin),
        "finance_org": factory.person(org, Role.finance),
        "member": factory.person(org, Role.member),
        "manager": factory.person(org, Role.project_manager),
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        w = World(client=client, org=org, people=people)
        body = w.post("pmo", "/governance-bodies", {"name": "Programme board", "kind": "programme_board"})
        w.post("pmo", f"/governance-bodies/{body['id']}/members", {"user_id": str(people["member"].id)})
        portfolio = w.post("pmo", "/portfolios", {"name": "Organisational Development"})
        for where, name in (("in", INSIDE), ("out", OUTSIDE)):
            w.programmes[where] = w.post(
                "pmo",
                "/programmes",
                {
                    "portfolio_id": portfolio["id"],
                    "name": name,
                    "governance_body_id": body["id"],
                    "lead_directorate_id": str(directorates["in"].id),
                },
            )
        for where, (programme, directorate) in PLACES.items():
            w.projects[where] = w.post(
                "pmo",
                "/projects",
                {
                    "programme_id": w.programmes[programme]["id"],
                    "lead_directorate_id": str(directorates[directorate].id),
                    "name": f"Project {where}",
                    "project_manager_id": str(people["manager"].id),
                },
            )
        scopes = {
            "programme": {"programme_id": w.programmes["in"]["id"]},
            "directorate": {"directorate": directorates["in"]},
            "project": {"project_id": w.projects["in"]["id"]},
        }
        for kind, held_for in scopes.items():
            for key, role in (
                ("pm", Role.project_manager),
                ("sponsor", Role.sponsor),
                ("finance", Role.finance),
            ):
                people[f"{key}@{kind}"] = factory.scoped(org, role, **held_for)
        w.source = w.post(
            "finance_org",
            "/funding-sources",
            {"name": "Service Redesign Reserve", "kind": "reserve", "opening_balance": "555000.00"},
        )
        yield w
    empty_database(engine)


# How to make each request -------------------------------------------------------------------

Request = tuple[str, Any, dict[str, str]]  # path, body, extra headers
Make = Callable[[World, str], Request]


def _risk(w: World, where: str, **fields: Any) -> dict[str, Any]:
    body = {
        "project_id": w.projects[where]["id"],
        "title": f"Risk {uuid.uuid4().hex[:6]}",
        "category": "financial",
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        **fields,
    }
    return w.post("pmo", "/risks", body)


def _escalated_risk(w: World, where: str) -> dict[str, Any]:
    risk = _risk(w, where)
    w.post("pmo", f"/risks/{risk['id']}/escalate", {"level": "programme", "reason": "Needs the board."}, 200)
    return risk


def _item(w: World, where: str, kind: str) -> dict[str, Any]:
    project = w.projects[where]["id"]
    bodies = {
        "issues": {"project_id": project, "title": "Supplier late"},
        "assumptions": {"project_id": project, "statement": "Staff are available"},
        "dependencies": {
            "project_id": project,
            "title": "Network upgrade",
            "direction": "outbound",
            "external_party": "Openreach",
        },
    }
    return w.post("pmo", f"/{kind}", bodies[kind])


def _escalated(w: World, where: str, kind: str) -> dict[str, Any]:
    item = _item(w, where, kind)
    w.post("pmo", f"/{kind}/{item['id']}/escalate", {"level": "programme", "reason": "Needs the board."}, 200)
    return item


def _action(w: World, where: str) -> dict[str, Any]:
    return w.post("pmo", f"/risks/{_risk(w, where)['id']}/actions", {"description": "Chase the supplier"})


def _milestone(w: World, where: str) -> dict[str, Any]:
    body = {"title": f"Milestone {uuid.uuid4().hex[:6]}", "planned_date": "2027-03-31"}
    return w.post("pmo", f"/projects/{w.projects[where]['id']}/milestones", body)


def _kpi_value(w: World, where: str) -> dict[str, Any]:
    kpi = w.post(
        "pmo",
        "/kpis",
        {
            "code": f"K-{uuid.uuid4().hex[:6]}",
            "name": "Contacts resolved first time",
            "unit": "percentage",
            "polarity": "higher_is_better",
            "frequency": "quarterly",
            "project_id": w.projects[where]["id"],
        },
    )
    return w.post("pmo", f"/kpis/{kpi['id']}/values", {"period_code": "2023-24-Q1", "actual": "70"})


def _kpi(w: World, where: str) -> dict[str, Any]:
    value = _kpi_value(w, where)
    return {"id": value["kpi_id"]}


def _cost_line(w: World, where: str) -> dict[str, Any]:
    body = {
        "project_id": w.projects[where]["id"],
        "kind": "one_off",
        "description": "Consultancy",
        "amount": "1000.00",
        "financial_year": "2022/23",
    }
    return w.post("pmo", "/cost-lines", body)


def _benefit(w: World, where: str) -> dict[str, Any]:
    body = {
        "project_id": w.projects[where]["id"],
        "title": f"Saving {uuid.uuid4().hex[:6]}",
        "category": "financial",
        "benefit_class": "cashable",
    }
    return w.post("pmo", "/benefits", body)


def _drawdown_body(w: World, where: str) -> dict[str, Any]:
    return {
        "project_id": w.projects[where]["id"],
        "funding_source_id": w.source["id"],
        "amount": "1000.00",
        "financial_year": "2022/23",
        "purpose": "Specialist support for the redesign",
        "business_case_reference": "Cabinet report 26 April 2022, Appendix B",
    }


def _drawdown(w: World, where: str, *, consulted: bool = False) -> dict[str, Any]:
    drawdown = w.post("manager", "/drawdowns", _drawdown_body(w, where))
    if consulted:
        w.post("finance_org", f"/drawdowns/{drawdown['id']}/consultations", {"view": "supports"})
        answer = {"view": "supports", "conflict_of_interest": False}
        w.post("member", f"/drawdowns/{drawdown['id']}/consultations", answer)
    return drawdown


_REPORT_FIELDS = {
    "summary": "On track overall.",
    "time_rag": "green",
    "time_note": "On plan.",
    "cost_rag": "green",
    "cost_note": "On budget.",
    "scope_rag": "green",
    "scope_note": "No change.",
    "benefits_rag": "green",
    "benefits_note": "Unchanged.",
}


_months = [period_containing("monthly", today()).previous]


def _month() -> str:
    """A past month no report of this module has used yet (one report per project and month)."""
    _months.append(_months[-1].previous)
    return _months[-1].code


def _report(w: World, where: str, *, submitted: bool = False) -> dict[str, Any]:
    body = {"project_id": w.projects[where]["id"], "period": _month()}
    report = w.post("manager", "/highlight-reports", body)
    path = f"/highlight-reports/{report['id']}"
    edited = w.call("manager", "PATCH", path, _REPORT_FIELDS, **{"If-Match": w.tag(path)})
    assert edited.status_code == 200, edited.text
    if submitted:
        done = w.call("manager", "POST", f"{path}/submit", None, **{"If-Match": w.tag(path)})
        assert done.status_code == 200, done.text
    return report


IMPORT_ROWS = {
    "risks": {
        "title": "Supplier fails",
        "category": "financial",
        "inherent_likelihood": "2",
        "inherent_impact": "2",
    },
    "issues": {"title": "Supplier late"},
    "assumptions": {"statement": "Staff are available"},
    "dependencies": {"title": "Network upgrade", "direction": "outbound", "external_party": "Openreach"},
}


def _csv(kind: str, project_reference: str) -> str:
    """One row of `kind` for the project, as a CSV import takes it."""
    row = {"project": project_reference, **IMPORT_ROWS[kind]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(row))
    writer.writerow(list(row.values()))
    return buffer.getvalue()


def _given(value: Any, w: World, where: str) -> Any:
    """A path or body, or the function of the world and "in"/"out" that makes it."""
    return value(w, where) if callable(value) else value


def matched(path: Any, body: Any = None, step: str = "") -> Make:
    """A request on a record whose ETag it must match (at the record's path + `step`)."""

    def make(w: World, where: str) -> Request:
        at = _given(path, w, where)
        return f"{at}{step}", _given(body, w, where), {"If-Match": w.tag(at)}

    return make


def plain(path: Any, body: Any = None) -> Make:
    def make(w: World, where: str) -> Request:
        return _given(path, w, where), _given(body, w, where), {}

    return make


REASON = {"reason": "Agreed at the programme board."}
PROJECT = lambda w, where: w.projects[where]["id"]  # noqa: E731


@dataclass(frozen=True)
class Case:
    who: str  # the scoped person: pm, sponsor or finance (of each scope kind)
    make: Make
    inside: int = 0  # the status expected inside the scope (0: any 2xx)
    # Outside: 403 with the reason; 404 where the record itself is not readable there
    # (drafts follow scope: a KPI value or highlight report not yet published).
    outside: int = 403
    # Scope kinds too narrow for the operation: refused inside too, with the reason.
    refused_inside: tuple[str, ...] = ()


CASES: dict[tuple[str, str], Case] = {
    # The register.
    ("POST", "/projects"): Case(
        "sponsor",
        plain(
            "/projects",
            lambda w, where: {  # placed as the project of `where` is
                "programme_id": w.projects[where]["programme_id"],
                "lead_directorate_id": w.projects[where]["lead_directorate_id"],
                "name": "New project",
            },
        ),
        refused_inside=("project",),  # a sponsor for one project adds none
    ),
    ("PATCH", "/projects/{project_id}"): Case(
        "pm", matched(lambda w, where: f"/projects/{PROJECT(w, where)}", {"description": "Updated."})
    ),
    ("POST", "/projects/{project_id}/confidence"): Case(
        "pm",
        plain(
            lambda w, where: f"/projects/{PROJECT(w, where)}/confidence",
            {"rating": "amber", "commentary": "Tight."},
        ),
    ),
    ("POST", "/projects/{project_id}/milestones"): Case(
        "pm",
        plain(
            lambda w, where: f"/projects/{PROJECT(w, where)}/milestones",
            {"title": "Go live", "planned_date": "2027-03-31"},
        ),
    ),
    ("PATCH", "/milestones/{milestone_id}"): Case(
        "pm", matched(lambda w, where: f"/milestones/{_milestone(w, where)['id']}", {"status": "done"})
    ),
    ("POST", "/milestones/{milestone_id}/rebaseline"): Case(
        "pm",
        matched(
            lambda w, where: f"/milestones/{_milestone(w, where)['id']}",
            {"planned_date": "2027-06-30", **REASON},
            "/rebaseline",
        ),
    ),
    ("DELETE", "/milestones/{milestone_id}"): Case(
        "pm", plain(lambda w, where: f"/milestones/{_milestone(w, where)['id']}"), inside=204
    ),
    ("POST", "/projects/{project_id}/gate-reviews"): Case(
        "pm",
        plain(
            lambda w, where: f"/projects/{PROJECT(w, where)}/gate-reviews",
            {"summary": "Ready for the next stage."},
        ),
        inside=0,
    ),
    # RAID.
    ("POST", "/risks"): Case(
        "pm",
        plain(
            "/risks",
            lambda w, where: {
                "project_id": PROJECT(w, where),
                "title": "Supplier fails",
                "category": "financial",
                "inherent_likelihood": 2,
                "inherent_impact": 2,
            },
        ),
    ),
    ("PATCH", "/risks/{risk_id}"): Case(
        "pm", matched(lambda w, where: f"/risks/{_risk(w, where)['id']}", {"title": "Renamed"})
    ),
    ("POST", "/risks/{risk_id}/actions"): Case(
        "pm", plain(lambda w, where: f"/risks/{_risk(w, where)['id']}/actions", {"description": "Chase"})
    ),
    ("POST", "/risks/{risk_id}/close"): Case(
        "pm", plain(lambda w, where: f"/risks/{_risk(w, where)['id']}/close", REASON)
    ),
    ("POST", "/risks/{risk_id}/escalate"): Case(
        "pm",
        plain(lambda w, where: f"/risks/{_risk(w, where)['id']}/escalate", {"level": "programme", **REASON}),
    ),
    ("POST", "/risks/{risk_id}/de-escalate"): Case(
        "pm",
        plain(
            lambda w, where: f"/risks/{_escalated_risk(w, where)['id']}/de-escalate",
            {"level": "project", **REASON},
        ),
    ),
    ("POST", "/risks/{risk_id}/occurred"): Case(
        "pm",
        plain(
            lambda w, where: f"/risks/{_risk(w, where)['id']}/occurred",
            {"description": "It happened.", "priority": "high", "severity": "high"},
        ),
    ),
    ("PATCH", "/risk-actions/{action_id}"): Case(
        "pm", matched(lambda w, where: f"/risk-actions/{_action(w, where)['id']}", {"status": "done"})
    ),
    ("DELETE", "/risk-actions/{action_id}"): Case(
        "pm", plain(lambda w, where: f"/risk-actions/{_action(w, where)['id']}"), inside=204
    ),
    **{
        ("POST", f"/{kind}"): Case(
            "pm",
            plain(
                f"/{kind}",
                lambda w, where, body=body: {"project_id": PROJECT(w, where), **body},
            ),
        )
        for kind, body in (
            ("issues", {"title": "Supplier late"}),
            ("assumptions", {"statement": "Staff are available"}),
            (
                "dependencies",
                {"title": "Network upgrade", "direction": "outbound", "external_party": "Openreach"},
            ),
        )
    },
    **{
        ("PATCH", f"/{kind}/{{{singular}_id}}"): Case(
            "pm",
            matched(
                lambda w, where, kind=kind: f"/{kind}/{_item(w, where, kind)['id']}", {"category": "Staffing"}
            ),
        )
        for kind, singular in (
            ("issues", "issue"),
            ("assumptions", "assumption"),
            ("dependencies", "dependency"),
        )
    },
    **{
        ("POST", f"/{kind}/{{{singular}_id}}/escalate"): Case(
            "pm",
            plain(
                lambda w, where, kind=kind: f"/{kind}/{_item(w, where, kind)['id']}/escalate",
                {"level": "programme", **REASON},
            ),
        )
        for kind, singular in (("issues", "issue"), ("dependencies", "dependency"))
    },
    **{
        ("POST", f"/{kind}/{{{singular}_id}}/de-escalate"): Case(
            "pm",
            plain(
                lambda w, where, kind=kind: f"/{kind}/{_escalated(w, where, kind)['id']}/de-escalate",
                {"level": "project", **REASON},
            ),
        )
        for kind, singular in (("issues", "issue"), ("dependencies", "dependency"))
    },
    ("POST", "/assumptions/{assumption_id}/invalidate"): Case(
        "pm",
        plain(
            lambda w, where: f"/assumptions/{_item(w, where, 'assumptions')['id']}/invalidate",
            {"raise": "issue", "issue": {"title": "Staff are not available"}},
        ),
    ),
    # KPI values.
    ("POST", "/kpis/{kpi_id}/values"): Case(
        "pm",
        plain(
            lambda w, where: f"/kpis/{_kpi(w, where)['id']}/values",
            {"period_code": "2023-24-Q2", "actual": "71"},
        ),
    ),
    ("PATCH", "/kpi-values/{value_id}"): Case(
        "pm",
        matched(lambda w, where: f"/kpi-values/{_kpi_value(w, where)['id']}", {"actual": "72"}),
        outside=404,
    ),
    ("DELETE", "/kpi-values/{value_id}"): Case(
        "pm", plain(lambda w, where: f"/kpi-values/{_kpi_value(w, where)['id']}"), inside=204, outside=404
    ),
    ("POST", "/kpi-values/{value_id}/submit"): Case(
        "pm", plain(lambda w, where: f"/kpi-values/{_kpi_value(w, where)['id']}/submit"), outside=404
    ),
    # Costs and benefits: the finance officer for programme Inside.
    ("POST", "/cost-lines"): Case(
        "finance",
        plain(
            "/cost-lines",
            lambda w, where: {
                "project_id": PROJECT(w, where),
                "kind": "one_off",
                "description": "Licences",
                "amount": "500.00",
                "financial_year": "2022/23",
            },
        ),
    ),
    ("PATCH", "/cost-lines/{cost_line_id}"): Case(
        "finance",
        matched(lambda w, where: f"/cost-lines/{_cost_line(w, where)['id']}", {"description": "Licences"}),
    ),
    ("DELETE", "/cost-lines/{cost_line_id}"): Case(
        "finance", plain(lambda w, where: f"/cost-lines/{_cost_line(w, where)['id']}"), inside=204
    ),
    ("POST", "/benefits"): Case(
        "finance",
        plain(
            "/benefits",
            lambda w, where: {
                "project_id": PROJECT(w, where),
                "title": "Fewer calls",
                "category": "financial",
                "benefit_class": "cashable",
            },
        ),
    ),
    ("PATCH", "/benefits/{benefit_id}"): Case(
        "finance",
        matched(lambda w, where: f"/benefits/{_benefit(w, where)['id']}", {"title": "Fewer letters"}),
    ),
    ("DELETE", "/benefits/{benefit_id}"): Case(
        "finance", plain(lambda w, where: f"/benefits/{_benefit(w, where)['id']}"), inside=204
    ),
    ("PUT", "/benefits/{benefit_id}/profile"): Case(
        "finance",
        matched(
            lambda w, where: f"/benefits/{_benefit(w, where)['id']}",
            {"profile": [{"financial_year": "2023/24", "planned": "1000.00"}]},
            "/profile",
        ),
    ),
    # Draw-downs: requested by the project manager, consulted on by the finance officer and
    # decided by the sponsor, each for programme Inside.
    ("POST", "/drawdowns"): Case("pm", plain("/drawdowns", _drawdown_body)),
    ("POST", "/drawdowns/route-preview"): Case(
        "pm", plain("/drawdowns/route-preview", _drawdown_body), inside=200
    ),
    ("POST", "/drawdowns/{drawdown_id}/consultations"): Case(
        "finance",
        plain(lambda w, where: f"/drawdowns/{_drawdown(w, where)['id']}/consultations", {"view": "supports"}),
    ),
    ("POST", "/drawdowns/{drawdown_id}/decision"): Case(
        "sponsor",
        plain(
            lambda w, where: f"/drawdowns/{_drawdown(w, where, consulted=True)['id']}/decision",
            {
                "decision": "approve",
                "reason": "A sound case.",
                "alternatives_considered": "Waiting: rejected.",
            },
        ),
    ),
    # Highlight reports: written by the project manager, reviewed by the sponsor.
    ("POST", "/highlight-reports"): Case(
        "pm",
        plain(
            "/highlight-reports",
            lambda w, where: {"project_id": PROJECT(w, where), "period": _month()},
        ),
    ),
    ("PATCH", "/highlight-reports/{report_id}"): Case(
        "pm",
        matched(lambda w, where: f"/highlight-reports/{_report(w, where)['id']}", {"summary": "Better."}),
        outside=404,
    ),
    ("POST", "/highlight-reports/{report_id}/submit"): Case(
        "pm",
        matched(lambda w, where: f"/highlight-reports/{_report(w, where)['id']}", None, "/submit"),
        outside=404,
    ),
    ("POST", "/highlight-reports/{report_id}/review"): Case(
        "sponsor",
        matched(
            lambda w, where: f"/highlight-reports/{_report(w, where, submitted=True)['id']}",
            {"outcome": "accepted"},
            "/review",
        ),
    ),
    # CSV imports: a row outside the scope is refused in the import's 422, naming the row.
    **{
        ("POST", f"/raid-imports/{kind}"): Case(
            "pm",
            plain(
                f"/raid-imports/{kind}",
                lambda w, where, kind=kind: _csv(kind, w.projects[where]["reference"]),
            ),
        )
        for kind in ("risks", "issues", "assumptions", "dependencies")
    },
    # Records of the whole organisation: a finance officer for one programme changes none.
    ("POST", "/funding-sources"): Case(
        "finance",
        plain(
            "/funding-sources",
            {"name": "Reserve", "kind": "reserve", "opening_balance": "1.00"},
        ),
    ),
    ("PATCH", "/funding-sources/{funding_source_id}"): Case(
        "finance",
        matched(lambda w, _where: f"/funding-sources/{w.source['id']}", {"description": "Kept for change."}),
    ),
    ("DELETE", "/funding-sources/{funding_source_id}"): Case(
        "finance", plain(lambda w, _where: f"/funding-sources/{w.source['id']}")
    ),
    ("POST", "/delegation-rules"): Case(
        "finance",
        plain(
            "/delegation-rules",
            {
                "name": "Programme rule",
                "decider_role": "finance",
                "limit": "1000.00",
            },
        ),
    ),
    ("PATCH", "/delegation-rules/{rule_id}"): Case(
        "finance", plain("/delegation-rules/{first}", {"description": "Reworded."})
    ),
}

# Write operations a scopable role may call whose rule is not the scope of a role, and why.
NOT_SCOPED = {
    ("POST", "/gate-reviews/{review_id}/decisions"): "decided by the people the review names (its deciders "
    "are found when it is requested, from the roles whose scope covers the project)",
    ("POST", "/gate-reviews/{review_id}/withdraw"): "withdrawn by whoever requested it, or the PMO",
    ("POST", "/drawdowns/{drawdown_id}/withdraw"): "withdrawn by whoever requested it, or the PMO",
    ("POST", "/portfolios/{portfolio_id}/report-packs"): "a pack of what everyone reads",
    ("POST", "/programmes/{programme_id}/report-packs"): "a pack of what everyone reads",
}

SCOPED_PERMISSIONS = {p for role in SCOPABLE_ROLES for p in ROLE_PERMISSIONS[role]}
# Operations that take a body to work out an answer, and store nothing.
WRITES_NOTHING = {("POST", "/drawdowns/route-preview")}


def _write_operations() -> dict[tuple[str, str], set[str]]:
    operations = {}
    for router in DOMAIN_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods - READ_ONLY:
                    path = route.path.replace(":uuid}", "}")
                    operations[(method, path)] = {p.value for p in _required_permissions(route.dependant)}
    return operations


def test_every_write_operation_has_a_case() -> None:
    operations = _write_operations()
    scoped = {op for op, permissions in operations.items() if permissions & SCOPED_PERMISSIONS}
    missing = scoped - set(CASES) - set(NOT_SCOPED)
    assert not missing, f"write operations a scoped role may call, with no case here: {sorted(missing)}"
    stale = (set(CASES) | set(NOT_SCOPED)) - set(operations)
    assert not stale, f"cases of operations the app no longer has: {sorted(stale)}"
    # The other write operations need a permission only organisation-wide roles carry.
    for op in set(operations) - scoped:
        assert not operations[op] & SCOPED_PERMISSIONS, op


def _scope_words(w: World, kind: str) -> str:
    """How a refusal names the scope the people of `kind` hold their role for."""
    inside = w.projects["in"]
    return {
        "programme": f"programme {INSIDE}",
        "directorate": f"the {DIRECTORATE_IN} directorate",
        "project": f"project {inside['reference']} {inside['name']}",
    }[kind]


@pytest.mark.parametrize("kind", SCOPE_KINDS)
@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_a_scoped_role_writes_inside_its_scope_only(
    world: World, engine: Engine, operation: tuple[str, str], kind: str
) -> None:
    case = CASES[operation]
    who = f"{case.who}@{kind}"
    whole_organisation = operation[1].startswith(("/funding-sources", "/delegation-rules"))
    # Outside: refused with the reason, and nothing written.
    outside = f"out:{kind}"
    path, body, headers = case.make(world, outside)
    before = audit_count(engine, world.org.id)
    refused = _send(world, who, operation[0], path, body, headers)
    after = audit_count(engine, world.org.id)
    assert after == before, f"{operation}: refused, but {after - before} audit event(s) written"
    if case.outside == 404:  # not readable outside the scope, so not there at all
        problem(refused, 404)
    else:
        detail = _reason(refused, operation)
        assert f"for {_scope_words(world, kind)} only" in detail, detail
        if whole_organisation:
            assert "belong to the whole organisation" in detail, detail
            return
        if operation == ("POST", "/projects"):
            assert "the new project would be in programme" in detail, detail
        else:
            assert f"{world.projects[outside]['reference']} is in programme" in detail, detail
        if kind == "directorate":
            assert "led by another directorate" in detail, detail
    # Inside: allowed, unless the scope is too narrow for the operation.
    path, body, headers = case.make(world, "in")
    before = audit_count(engine, world.org.id)
    allowed = _send(world, who, operation[0], path, body, headers)
    if kind in case.refused_inside:
        assert f"for {_scope_words(world, kind)} only" in _reason(allowed, operation)
        assert audit_count(engine, world.org.id) == before
    else:
        if case.inside:
            assert allowed.status_code == case.inside, allowed.text
        else:
            assert 200 <= allowed.status_code < 300, allowed.text
        # Every write moves the organisation's audit chain on (what kept answers, such as the
        # financial summaries, are found again by).
        if operation not in WRITES_NOTHING:
            assert audit_count(engine, world.org.id) > before, f"{operation}: written, but no audit event"


def _reason(refused: Any, operation: tuple[str, str]) -> str:
    """The refusal's reason: a 403's detail, or an import's 422 row messages."""
    if operation[1].startswith("/raid-imports/"):
        return " ".join(e["message"] for e in problem(refused, 422)["errors"])
    return str(problem(refused, 403)["detail"])


def _send(w: World, who: str, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if "{first}" in path:  # the organisation's delegation rule
        first = w.call("pmo", "GET", "/delegation-rules").json()["items"][0]["id"]
        path = path.replace("{first}", first)
        headers = {"If-Match": w.tag(path)}
    if path.startswith("/raid-imports/"):
        return w.client.post(
            f"{API}{path}",
            content=body.encode(),
            headers={**w.people[who].headers, "Content-Type": "text/csv"},
        )
    return w.call(who, method, path, body, **headers)
