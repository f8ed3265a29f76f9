"""`allowed_actions` tells the truth: for every demo person and a record in every state of the
demo data, each action listed succeeds and each one not listed is refused, with the status
the kind's action table gives (403, 409 or 422).

Driven by the action tables (`pmo.core.actions`): every action of every table is tried. Each
attempt runs in a transaction rolled back afterwards (the app's session is a savepoint in
it), so every attempt starts from the same demo data, loaded once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session, col, select

from conftest import token_for
from pmo.auth import service as auth_service
from pmo.auth.models import ApiClient
from pmo.auth.schemas import ApiClientAction
from pmo.core.actions import ActionTable, Blocked
from pmo.core.db import get_session
from pmo.core.permissions import Actor, Denied, Role
from pmo.decisions import forward_plan_service
from pmo.decisions.forward_plan_schemas import ForwardPlanEntryAction
from pmo.decisions.models import ForwardPlanEntry
from pmo.finance import benefits_service, costs_service, drawdowns_service, funding_service, rules_service
from pmo.finance.benefits_schemas import BenefitAction
from pmo.finance.costs_schemas import CostLineAction
from pmo.finance.drawdowns_schemas import DrawdownAction
from pmo.finance.funding_schemas import FundingSourceAction
from pmo.finance.models import Benefit, CostLine, DelegationRule, Drawdown, FundingSource
from pmo.finance.rules_schemas import RuleAction
from pmo.gates import service as gates_service
from pmo.gates.models import GateReview
from pmo.gates.schemas import GateReviewAction
from pmo.kpis import service as kpis_service
from pmo.kpis import values_service as kpi_values_service
from pmo.kpis.models import Kpi, KpiTarget, KpiValue
from pmo.kpis.schemas import KpiAction, KpiTargetAction, KpiValueAction
from pmo.meetings import service as meetings_service
from pmo.meetings.models import Meeting
from pmo.meetings.schemas import MeetingAction
from pmo.organisations import service as organisations_service
from pmo.organisations.models import User
from pmo.organisations.schemas import RoleAssignmentCreate, UserAction, UserCreate
from pmo.portfolio import (
    governance_bodies_service,
    milestones_service,
    policies,
    portfolios_service,
    programmes_service,
)
from pmo.portfolio.demo import actor_for
from pmo.portfolio.governance_bodies_schemas import GovernanceBodyAction
from pmo.portfolio.milestones_schemas import MilestoneAction
from pmo.portfolio.models import GovernanceBody, Milestone, Portfolio, Programme, Project
from pmo.portfolio.portfolios_schemas import PortfolioAction
from pmo.portfolio.programmes_schemas import ProgrammeAction
from pmo.portfolio.projects_schemas import ProjectAction
from pmo.raid import items_service, risks_service
from pmo.raid.items_schemas import AssumptionAction, DependencyAction, IssueAction
from pmo.raid.models import Assumption, Dependency, Issue, Risk, RiskAction
from pmo.raid.risks_schemas import RiskActionAllowedAction, RiskAllowedAction
from pmo.reports import highlights_service
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.highlights_schemas import HighlightReportAction
from pmo.webhooks import subscriptions_service
from pmo.webhooks.models import WebhookSubscription
from pmo.webhooks.subscriptions_schemas import WebhookSubscriptionAction
from support.api import API, problem

ROLES = ("admin", "pmo", "sponsor", "pm", "finance", "member", "democratic", "viewer")
REASON = "Recorded by the allowed-actions test."


@dataclass(frozen=True)
class Attempt:
    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Case:
    """A record in one state: a demo record, or one taken on by `steps` (role, request) first.
    With no `record_id` the first step creates the record (an invitation: its user), and `{id}`
    in a later step's path stands for it."""

    state: str
    record_id: str | None
    steps: tuple[tuple[str, Attempt], ...] = ()
    listed_at: str = ""  # the list that holds it, if not the kind's first
    # The step whose answer is the record, when the first makes what it needs (a subscription's client).
    record_from: int = 0


Reader = Callable[[str], dict[str, Any]]  # GET a path of the API as the administrator


@dataclass(frozen=True)
class Kind:
    """One kind of record: its table, where it is listed, the request each action makes, and
    states the demo data passes through but does not rest in."""

    name: str
    model: Any
    collection: str
    table: ActionTable[Any, Any]
    context: Callable[[Session, Actor, Any], Any]  # what the checks see, for whoever asks
    attempt: Callable[[Any, dict[str, Any]], Attempt]
    derived: Callable[[list[dict[str, Any]], Reader], list[Case]]
    # Records in the same state (the key) show the same actions: one of each is tried.
    state_of: Callable[[dict[str, Any]], Any]
    # The state in words, as the record shows it (most kinds have a status).
    status_of: Callable[[dict[str, Any]], str] = lambda record: str(record.get("status", ""))
    # An action not listed because the record is already where it leads: the route answers the
    # repeat with 200 and changes nothing (deactivating a deactivated account).
    repeat: Callable[[Any, dict[str, Any]], bool] = lambda _action, _record: False
    # The lists that hold its records, when they are not one list at `collection`.
    lists: Callable[[Session], list[str]] | None = None
    # A refusal the field documents as still possible when the action is taken (its words).
    late_refusal: str | None = None
    # The roles another organisation's officer holds: at least one must grant an action's permission.
    outsider_roles: tuple[Role, ...] = (Role.admin, Role.pmo, Role.finance)
    # Who reads its records at all: anyone else is refused the list, the record and every action.
    readers: tuple[str, ...] = ROLES


def _drawdown_attempt(action: DrawdownAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/drawdowns/{record['id']}"
    if action == DrawdownAction.consult:
        return Attempt("POST", f"{path}/consultations", {"view": "supports", "conflict_of_interest": False})
    if action in (DrawdownAction.approve, DrawdownAction.reject):
        body = {"decision": action.value, "reason": REASON, "alternatives_considered": "None."}
        return Attempt("POST", f"{path}/decision", body)
    if action == DrawdownAction.record_committee_decision:
        # The body names the committee the request went to (a delegated one gets "cabinet": 409 first).
        committee = record["route"] if record["route"] != "delegated" else "cabinet"
        body = {
            "body": committee,
            "meeting_date": "2022-04-26",
            "minute_reference": "Min 1",
            "outcome": "approved",
        }
        return Attempt("POST", f"{path}/committee-decision", body)
    return Attempt("POST", f"{path}/withdraw")


def _drawdown_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Awaiting a decision: the request in consultation once both consultees have answered."""
    consulting = next(d for d in items if d["status"] == "consultation")
    view = Attempt(
        "POST",
        f"{API}/drawdowns/{consulting['id']}/consultations",
        {"view": "supports", "conflict_of_interest": False},
    )
    return [Case("awaiting_decision", consulting["id"], (("finance", view), ("member", view)))]


LEVELS = ["project", "programme", "steering_group"]


def _risk_attempt(action: RiskAllowedAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/risks/{record['id']}"
    level = LEVELS.index(record["escalation_level"])
    if action == RiskAllowedAction.edit:
        return Attempt("PATCH", path, {"proximity": "Within a month"}, (("If-Match", "*"),))
    if action == RiskAllowedAction.escalate:
        return Attempt("POST", f"{path}/escalate", {"level": LEVELS[min(level + 1, 2)], "reason": REASON})
    if action == RiskAllowedAction.de_escalate:
        return Attempt("POST", f"{path}/de-escalate", {"level": LEVELS[max(level - 1, 0)], "reason": REASON})
    if action == RiskAllowedAction.close:
        return Attempt("POST", f"{path}/close", {"reason": REASON})
    body = {"description": REASON, "priority": "high", "severity": "high"}
    return Attempt("POST", f"{path}/occurred", body)


def _risk_state(risk: dict[str, Any]) -> Any:
    where = "project" if risk["project_id"] else "programme" if risk["programme_id"] else "portfolio"
    return (risk["status"], risk["escalation_level"], where)


def _value_attempt(action: KpiValueAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/kpi-values/{record['id']}"
    if action == KpiValueAction.edit:
        return Attempt("PATCH", path, {"commentary": REASON, "reason": REASON}, (("If-Match", "*"),))
    if action == KpiValueAction.delete:
        return Attempt("DELETE", path)
    if action == KpiValueAction.return_to_draft:
        return Attempt("POST", f"{path}/return", {"reason": REASON})
    return Attempt("POST", f"{path}/{action.value}")


def _value_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Draft and verified: a submitted value the PMO returns to draft, or verifies."""
    submitted = next(v for v in items if v["status"] == "submitted")
    back = Attempt("POST", f"{API}/kpi-values/{submitted['id']}/return", {"reason": REASON})
    verify = Attempt("POST", f"{API}/kpi-values/{submitted['id']}/verify")
    return [
        Case("draft", submitted["id"], (("pmo", back),)),
        Case("verified", submitted["id"], (("pmo", verify),)),
    ]


def _review_attempt(action: GateReviewAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/gate-reviews/{record['id']}"
    if action == GateReviewAction.withdraw:
        return Attempt("POST", f"{path}/withdraw")
    body: dict[str, Any] = {"decision": action.value, "reason": REASON}
    if action == GateReviewAction.approve_with_conditions:
        body["conditions"] = "Report back to the board in three months."
    return Attempt("POST", f"{path}/decisions", body)


EDITED = (("If-Match", "*"),)


def _source_attempt(action: FundingSourceAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/funding-sources/{record['id']}"
    if action == FundingSourceAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, EDITED)
    return Attempt("DELETE", path)


def _source_states(_items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Never drawn from: a source the finance officer has just added."""
    body = {"name": "Allowed-actions reserve", "kind": "reserve", "opening_balance": "1000.00"}
    return [Case("open", "", (("finance", Attempt("POST", f"{API}/funding-sources", body)),))]


def _rule_attempt(_action: RuleAction, record: dict[str, Any]) -> Attempt:
    return Attempt("PATCH", f"{API}/delegation-rules/{record['id']}", {"description": REASON}, EDITED)


def _cost_attempt(action: CostLineAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/cost-lines/{record['id']}"
    if action == CostLineAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, EDITED)
    return Attempt("DELETE", path)


def _benefit_attempt(action: BenefitAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/benefits/{record['id']}"
    if action == BenefitAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, EDITED)
    if action == BenefitAction.replace_profile:
        return Attempt("PUT", f"{path}/profile", {"profile": []}, EDITED)
    return Attempt("DELETE", path)


def _meeting_attempt(action: MeetingAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/meetings/{record['id']}"
    if action == MeetingAction.edit:
        return Attempt("PATCH", path, {"location": "Committee Room 2"}, EDITED)
    return Attempt("DELETE", path)


def _meeting_states(_items: list[dict[str, Any]], read: Reader) -> list[Case]:
    """The demo has no meetings: one the PMO adds."""
    body = {
        "body_id": read("/governance-bodies")["items"][0]["id"],
        "meets_on": "2027-01-12",
        "title": "Board",
    }
    return [Case("planned", "", (("pmo", Attempt("POST", f"{API}/meetings", body)),))]


def _user_attempt(action: UserAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/users/{record['id']}"
    if action == UserAction.edit:
        return Attempt("PATCH", path, {"display_name": "Renamed By Test"}, EDITED)
    if action == UserAction.delete:
        return Attempt("DELETE", path)
    if action == UserAction.reissue_invitation:
        return Attempt("POST", f"{path}/invitation")
    return Attempt("POST", f"{path}/{action.value}")


def _user_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Deactivated, and invited without a password yet: the administrator does each."""
    viewer = next(u for u in items if u["email"] == "viewer@demo.test")
    invite = {"email": "invited@demo.test", "display_name": "Ivy Invited", "roles": ["viewer"]}
    return [
        Case(
            "deactivated",
            viewer["id"],
            (("admin", Attempt("POST", f"{API}/users/{viewer['id']}/deactivate")),),
        ),
        Case("active", "", (("admin", Attempt("POST", f"{API}/invitations", invite)),)),
    ]


def _belongs_to(record: dict[str, Any]) -> str:
    return "project" if record["project_id"] else "programme"


def _money_context(session: Session, _actor: Actor, record: Any) -> Any:
    return costs_service.money_contexts(session, [record])[0]


# Ids the attempts need that their record does not carry, found in the demo data by the test.
DEMO: dict[str, str] = {}
GATE_SECTIONS: dict[tuple[str, str], list[str]] = {}


def _project_attempt(action: ProjectAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/projects/{record['id']}"
    if action == ProjectAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, (("If-Match", "*"),))
    if action == ProjectAction.assess_confidence:
        return Attempt("POST", f"{path}/confidence", {"rating": "amber", "commentary": REASON})
    if action == ProjectAction.add_milestone:
        return Attempt("POST", f"{path}/milestones", {"title": "Checked", "planned_date": "2027-03-31"})
    if action == ProjectAction.request_gate_review:
        # The business case sections the gate from its stage asks for.
        sections = GATE_SECTIONS.get((record.get("lifecycle_id"), record.get("stage")), [])
        body = {"summary": REASON, "business_case": dict.fromkeys(sections, REASON)}
        return Attempt("POST", f"{path}/gate-reviews", body)
    body = {
        "project_id": record["id"],
        "funding_source_id": DEMO["funding_source_id"],
        "amount": "100.00",
        "financial_year": DEMO["financial_year"],
        "purpose": REASON,
        "business_case_reference": "Cabinet 26 April 2022",
    }
    return Attempt("POST", f"{API}/drawdowns", body)


def _programme_attempt(action: ProgrammeAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/programmes/{record['id']}"
    if action == ProgrammeAction.delete:
        return Attempt("DELETE", path)
    body = {
        ProgrammeAction.edit: {"phase": "Checked"},
        ProgrammeAction.close: {"status": "closed"},
        ProgrammeAction.reopen: {"status": "active"},
    }[action]
    return Attempt("PATCH", path, body, (("If-Match", "*"),))


def _programme_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """A programme with no projects yet, and one closed."""
    new = Attempt("POST", f"{API}/programmes", {"portfolio_id": items[0]["portfolio_id"], "name": "Checked"})
    close = Attempt("PATCH", f"{API}/programmes/{{id}}", {"status": "closed"}, (("If-Match", "*"),))
    return [Case("active", None, (("pmo", new),)), Case("closed", None, (("pmo", new), ("pmo", close)))]


def _portfolio_attempt(action: PortfolioAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/portfolios/{record['id']}"
    if action == PortfolioAction.delete:
        return Attempt("DELETE", path)
    body = {
        PortfolioAction.edit: {"description": REASON},
        PortfolioAction.close: {"status": "closed"},
        PortfolioAction.reopen: {"status": "active"},
    }[action]
    return Attempt("PATCH", path, body, (("If-Match", "*"),))


def _portfolio_states(_items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """A portfolio with no programmes yet, and one closed."""
    new = Attempt("POST", f"{API}/portfolios", {"name": "Checked"})
    close = Attempt("PATCH", f"{API}/portfolios/{{id}}", {"status": "closed"}, (("If-Match", "*"),))
    return [Case("active", None, (("pmo", new),)), Case("closed", None, (("pmo", new), ("pmo", close)))]


def _body_attempt(action: GovernanceBodyAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/governance-bodies/{record['id']}"
    if action == GovernanceBodyAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, (("If-Match", "*"),))
    if action == GovernanceBodyAction.delete:
        return Attempt("DELETE", path)
    if action == GovernanceBodyAction.add_member:
        return Attempt("POST", f"{path}/members", {"user_id": DEMO["new_member_id"]})
    members = record.get("members") or [{"user_id": DEMO["new_member_id"]}]
    return Attempt("DELETE", f"{path}/members/{members[0]['user_id']}")


def _body_states(_items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """A body nothing names yet, with no members."""
    new = Attempt("POST", f"{API}/governance-bodies", {"name": "Checked", "kind": "other"})
    return [Case("unused", None, (("pmo", new),))]


def _milestone_attempt(action: MilestoneAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/milestones/{record['id']}"
    if action == MilestoneAction.rebaseline:
        return Attempt(
            "POST",
            f"{path}/rebaseline",
            {"planned_date": "2027-03-31", "reason": REASON},
            (("If-Match", "*"),),
        )
    if action == MilestoneAction.delete:
        return Attempt("DELETE", path)
    body = {
        MilestoneAction.edit: {"description": REASON},
        MilestoneAction.forecast: {"forecast_date": "2027-06-30"},
        MilestoneAction.complete: {"status": "done"},
    }[action]
    return Attempt("PATCH", path, body, (("If-Match", "*"),))


def _milestone_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Done: a planned milestone the PMO completes."""
    planned = next(m for m in items if m["status"] != "done")
    done = Attempt("PATCH", f"{API}/milestones/{planned['id']}", {"status": "done"}, (("If-Match", "*"),))
    return [Case("done", planned["id"], (("pmo", done),))]


def _milestone_lists(session: Session) -> list[str]:
    """The milestones of the demo project whose milestone falls due first, not yet done."""
    demo_organisation = select(User.organisation_id).where(User.email == "pmo@demo.test").scalar_subquery()
    project_id = session.execute(
        select(Milestone.project_id)
        .join(Project, col(Project.id) == Milestone.project_id)
        .where(Project.organisation_id == demo_organisation, Milestone.status != "done")
        .order_by(col(Milestone.due_date), col(Milestone.id))
        .limit(1)
    ).scalar_one()
    return [f"/projects/{project_id}/milestones"]


def _project_state(project: dict[str, Any]) -> Any:
    """Who manages it and who sponsors it decide who may change it; its stage whether a gate
    lies ahead."""
    return (project["project_manager_id"], project["sro_id"], project["stage"])


FREE_PERIOD = {"quarterly": "2040-41-Q1", "monthly": "2040-05", "annual": "2040-41"}


def _kpi_attempt(action: KpiAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/kpis/{record['id']}"
    if action == KpiAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, (("If-Match", "*"),))
    period = FREE_PERIOD[record.get("frequency", "quarterly")]
    if action == KpiAction.add_target:
        return Attempt("POST", f"{path}/targets", {"period_code": period, "target": "1"})
    if action == KpiAction.record_value:
        return Attempt("POST", f"{path}/values", {"period_code": period, "actual": "1"})
    return Attempt("POST", f"{path}/{action.value}")


def _kpi_states(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """Retired: the PMO retires a KPI that pm@demo.test may enter values for."""
    kpi = next(k for k in items if k["status"] == "active" and k["project_id"])
    return [Case("retired", kpi["id"], (("pmo", Attempt("POST", f"{API}/kpis/{kpi['id']}/retire")),))]


def _target_attempt(action: KpiTargetAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/kpi-targets/{record['id']}"
    if action == KpiTargetAction.edit:
        return Attempt("PATCH", path, {"tolerance_percent": "5"}, EDITED)
    return Attempt("DELETE", path)


def _target_lists(session: Session) -> list[str]:
    """The targets of a KPI that has some (the demo sets them on the KPI, not on a page of all)."""
    kpi_id = session.execute(select(KpiTarget.kpi_id).order_by(col(KpiTarget.kpi_id)).limit(1)).scalar_one()
    return [f"/kpis/{kpi_id}/targets"]


def _where(item: dict[str, Any]) -> str:
    return "project" if item["project_id"] else "programme" if item.get("programme_id") else "portfolio"


def _escalation(path: str, action: str, record: dict[str, Any]) -> Attempt:
    level = LEVELS.index(record["escalation_level"])
    if action == "escalate":
        return Attempt("POST", f"{path}/escalate", {"level": LEVELS[min(level + 1, 2)], "reason": REASON})
    return Attempt("POST", f"{path}/de-escalate", {"level": LEVELS[max(level - 1, 0)], "reason": REASON})


def _escalated(
    collection: str, status: str, closing: dict[str, Any]
) -> Callable[[list[dict[str, Any]], Reader], list[Case]]:
    """An item the PMO escalated (it may be de-escalated), and one closed (it may not be escalated)."""

    def derived(items: list[dict[str, Any]], _read: Reader) -> list[Case]:
        item = next(i for i in items if i["escalation_level"] == "project" and i["status"] == status)
        path = f"{API}{collection}/{item['id']}"
        up = Attempt("POST", f"{path}/escalate", {"level": "programme", "reason": REASON})
        top = Attempt("POST", f"{path}/escalate", {"level": "steering_group", "reason": REASON})
        close = Attempt("PATCH", path, closing, (("If-Match", "*"),))
        return [
            Case(status, item["id"], (("pmo", up),)),
            Case(status, item["id"], (("pmo", top),)),
            Case(str(closing["status"]), item["id"], (("pmo", up), ("pmo", close))),
        ]

    return derived


def _issue_attempt(action: IssueAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/issues/{record['id']}"
    if action == IssueAction.edit:
        return Attempt("PATCH", path, {"category": "Checked"}, (("If-Match", "*"),))
    return _escalation(path, action.value, record)


def _assumption_attempt(action: AssumptionAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/assumptions/{record['id']}"
    if action == AssumptionAction.edit:
        return Attempt("PATCH", path, {"category": "Checked"}, (("If-Match", "*"),))
    return Attempt("POST", f"{path}/invalidate", {"raise": "issue", "issue": {"title": REASON}})


def _dependency_attempt(action: DependencyAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/dependencies/{record['id']}"
    if action == DependencyAction.edit:
        return Attempt("PATCH", path, {"category": "Checked"}, (("If-Match", "*"),))
    return _escalation(path, action.value, record)


def _response_attempt(action: RiskActionAllowedAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/risk-actions/{record['id']}"
    if action == RiskActionAllowedAction.edit:
        return Attempt("PATCH", path, {"description": REASON}, (("If-Match", "*"),))
    return Attempt("DELETE", path)


def _highlight_attempt(action: HighlightReportAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/highlight-reports/{record['id']}"
    if action == HighlightReportAction.edit:
        return Attempt("PATCH", path, {"decisions_needed": REASON}, EDITED)
    if action == HighlightReportAction.submit:
        return Attempt("POST", f"{path}/submit", None, EDITED)
    return Attempt("POST", f"{path}/review", {"outcome": "accepted"}, EDITED)


def _entry_attempt(_action: ForwardPlanEntryAction, record: dict[str, Any]) -> Attempt:
    body = {
        "kind": "special_urgency",
        "reasons": REASON,
        "scrutiny_chair_name": "Cllr Checked",
        "scrutiny_chair_date": "2022-04-20",
    }
    return Attempt("POST", f"{API}/forward-plan/{record['id']}/exception", body)


def _entry_states(_items: list[dict[str, Any]], read: Reader) -> list[Case]:
    """The demo plan is empty: democratic services list the Cabinet referral as a key decision
    (its saving above any threshold), with short notice and with 28 clear days."""
    referred = next(d for d in read("/drawdowns?limit=200")["items"] if d["status"] == "referred")

    def listed(published_on: str) -> Attempt:
        body = {
            "drawdown_id": referred["id"],
            "meeting_date": "2022-04-26",
            "published_on": published_on,
            "saving": "9999999.99",
        }
        return Attempt("POST", f"{API}/forward-plan", body)

    return [
        Case("short notice", None, (("democratic", listed("2022-04-10")),)),
        Case("listed", None, (("democratic", listed("2022-03-01")),)),
    ]


def _client_attempt(action: ApiClientAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/api-clients/{record['id']}"
    if action == ApiClientAction.edit:
        return Attempt("PATCH", path, {"name": "Renamed by the test"}, EDITED)
    if action == ApiClientAction.add_secret:
        return Attempt("POST", f"{path}/secrets")
    if action == ApiClientAction.retire_secret:
        active = [s for s in record.get("secrets", []) if s["is_active"]] or [{"id": uuid.uuid4()}]
        return Attempt("POST", f"{path}/secrets/{active[0]['id']}/retire")
    return Attempt("POST", f"{path}/{action.value.replace('_', '-')}")


def _client_states(_items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """The demo has no API clients: the administrator adds one, gives one a second secret and
    revokes one."""
    new = ("admin", Attempt("POST", f"{API}/api-clients", {"name": "Checked", "scopes": ["kpis:read"]}))
    second = ("admin", Attempt("POST", f"{API}/api-clients/{{id}}/secrets"))
    revoke = ("admin", Attempt("POST", f"{API}/api-clients/{{id}}/revoke"))
    return [
        Case("1 active secret", None, (new,)),
        Case("2 active secrets", None, (new, second)),
        Case("revoked", None, (new, revoke)),
    ]


def _subscription_attempt(action: WebhookSubscriptionAction, record: dict[str, Any]) -> Attempt:
    path = f"{API}/webhook-subscriptions/{record['id']}"
    if action == WebhookSubscriptionAction.edit:
        return Attempt("PATCH", path, {"description": "Changed by the test"}, EDITED)
    if action == WebhookSubscriptionAction.delete:
        return Attempt("DELETE", path)
    return Attempt("POST", f"{path}/{action.value.replace('_', '-')}")


def _subscription_states(_items: list[dict[str, Any]], _read: Reader) -> list[Case]:
    """The demo has no webhook subscriptions: the administrator adds an API client, subscribes
    it, and disables one subscription."""
    client = ("admin", Attempt("POST", f"{API}/api-clients", {"name": "Hooked", "scopes": ["kpis:read"]}))
    body = {"url": "https://hooks.example.gov.uk/pmo", "event_types": ["kpi.value.published"]}
    subscribe = ("admin", Attempt("POST", f"{API}/webhook-subscriptions", {**body, "api_client_id": "{id}"}))
    disable = ("admin", Attempt("PATCH", f"{API}/webhook-subscriptions/{{id}}", {"enabled": False}, EDITED))
    return [
        Case("enabled", None, (client, subscribe), record_from=1),
        Case("disabled", None, (client, subscribe, disable), record_from=1),
    ]


def _client_status(client: dict[str, Any]) -> str:
    if not client["is_active"]:
        return "revoked"
    active = sum(1 for s in client["secrets"] if s["is_active"])
    return f"{active} active secret{'s' if active > 1 else ''}"


def _response_lists(session: Session) -> list[str]:
    """The actions of an open risk and of one that occurred (its actions no longer change)."""
    risks = {
        status: risk_id
        for risk_id, status in session.execute(
            select(Risk.id, Risk.status).where(Risk.id.in_(select(RiskAction.risk_id)))  # type: ignore[attr-defined]
        )
    }
    return [f"/risks/{risks[status]}/actions" for status in ("open", "occurred")]


KINDS = (
    Kind(
        "drawdowns",
        Drawdown,
        "/drawdowns",
        drawdowns_service.ACTIONS,
        lambda session, _actor, record: drawdowns_service.action_context(session, record),
        _drawdown_attempt,
        _drawdown_states,
        lambda d: d["id"] if d["status"] in OPEN else d["status"],
    ),
    Kind(
        "gate-reviews",
        GateReview,
        "/gate-reviews",
        gates_service.ACTIONS,
        lambda session, _actor, record: gates_service.action_context(session, record),
        _review_attempt,
        lambda _items, _read: [],
        lambda r: r["id"] if r["status"] == "pending" else r["status"],
    ),
    Kind(
        "risks",
        Risk,
        "/risks",
        risks_service.ACTIONS,
        lambda session, _actor, record: risks_service.action_context(session, record),
        _risk_attempt,
        lambda _items, _read: [],
        _risk_state,
    ),
    Kind(
        "kpi-values",
        KpiValue,
        "/kpi-values",
        kpi_values_service.ACTIONS,
        lambda session, actor, value: kpi_values_service.action_contexts(session, actor, [value])[0],
        _value_attempt,
        _value_states,
        lambda v: v["status"],
    ),
    Kind(
        "funding-sources",
        FundingSource,
        "/funding-sources",
        funding_service.ACTIONS,
        lambda session, _actor, source: funding_service.action_context(session, source),
        _source_attempt,
        _source_states,
        lambda s: (s["status"], s["committed"] != "0.00" or s["pending"] != "0.00"),
    ),
    Kind(
        "delegation-rules",
        DelegationRule,
        "/delegation-rules",
        rules_service.ACTIONS,
        lambda _session, _actor, rule: rule,
        _rule_attempt,
        lambda _items, _read: [],
        lambda r: r["is_active"],
        lambda r: "in use" if r["is_active"] else "retired",
    ),
    Kind(
        "cost-lines",
        CostLine,
        "/cost-lines",
        costs_service.COST_ACTIONS,
        _money_context,
        _cost_attempt,
        lambda _items, _read: [],
        _belongs_to,
        _belongs_to,
    ),
    Kind(
        "benefits",
        Benefit,
        "/benefits",
        benefits_service.ACTIONS,
        _money_context,
        _benefit_attempt,
        lambda _items, _read: [],
        _belongs_to,
        _belongs_to,
    ),
    Kind(
        "meetings",
        Meeting,
        "/meetings",
        meetings_service.ACTIONS,
        lambda session, _actor, meeting: meetings_service.action_contexts(session, [meeting])[0],
        _meeting_attempt,
        _meeting_states,
        lambda _m: "planned",
        lambda _m: "planned",
    ),
    Kind(
        "users",
        User,
        "/users",
        organisations_service.USER_ACTIONS,
        lambda session, _actor, user: organisations_service.user_context(session, user),
        _user_attempt,
        _user_states,
        # An administrator may not deactivate or delete their own account.
        lambda u: (u["is_active"], u["email"] == "admin@demo.test"),
        lambda u: "active" if u["is_active"] else "deactivated",
        lambda action, u: (
            (action, u["is_active"]) in {(UserAction.deactivate, False), (UserAction.reactivate, True)}
        ),
    ),
    Kind(
        "projects",
        Project,
        "/projects",
        policies.ACTIONS,
        lambda session, _actor, record: policies.action_context(session, record),
        _project_attempt,
        lambda _items, _read: [],
        _project_state,
        status_of=lambda project: str(project["stage"]),
        # Who decides the gate is worked out when it is requested (never the requester).
        late_refusal="Nobody but you can decide the gate",
    ),
    Kind(
        "programmes",
        Programme,
        "/programmes",
        programmes_service.ACTIONS,
        lambda session, _actor, record: programmes_service.action_contexts(session, [record])[0],
        _programme_attempt,
        _programme_states,
        lambda p: p["status"],
    ),
    Kind(
        "portfolios",
        Portfolio,
        "/portfolios",
        portfolios_service.ACTIONS,
        lambda session, _actor, record: portfolios_service.action_contexts(session, [record])[0],
        _portfolio_attempt,
        _portfolio_states,
        lambda p: p["status"],
    ),
    Kind(
        "governance-bodies",
        GovernanceBody,
        "/governance-bodies",
        governance_bodies_service.ACTIONS,
        lambda session, _actor, record: governance_bodies_service.action_contexts(session, [record])[0],
        _body_attempt,
        _body_states,
        lambda b: bool(b["members"]),
        status_of=lambda b: "with members" if b["members"] else "unused",
    ),
    Kind(
        "milestones",
        Milestone,
        "/milestones",
        milestones_service.ACTIONS,
        lambda session, _actor, record: milestones_service.action_contexts(session, [record])[0],
        _milestone_attempt,
        _milestone_states,
        lambda m: m["status"],
        lists=_milestone_lists,
    ),
    Kind(
        "kpis",
        Kpi,
        "/kpis",
        kpis_service.ACTIONS,
        lambda session, actor, kpi: kpis_service.action_context(session, actor, kpi),
        _kpi_attempt,
        _kpi_states,
        # Who may record values depends on the owner and what the KPI is linked to.
        lambda k: (k["status"], k["owner_id"], k["project_id"], k["programme_id"]),
    ),
    Kind(
        "kpi-targets",
        KpiTarget,
        "/kpi-targets",
        kpis_service.TARGET_ACTIONS,
        lambda _session, _actor, target: target,
        _target_attempt,
        lambda _items, _read: [],
        lambda _t: "set",
        status_of=lambda _t: "set",
        lists=_target_lists,
    ),
    Kind(
        "issues",
        Issue,
        "/issues",
        items_service.ISSUE_ACTIONS,
        lambda session, _actor, record: items_service.action_context(session, record),
        _issue_attempt,
        _escalated("/issues", "open", {"status": "closed", "resolution": REASON}),
        lambda i: (i["status"], i["escalation_level"], _where(i)),
    ),
    Kind(
        "assumptions",
        Assumption,
        "/assumptions",
        items_service.ASSUMPTION_ACTIONS,
        lambda session, _actor, record: items_service.action_context(session, record),
        _assumption_attempt,
        lambda _items, _read: [],
        lambda a: (a["status"], _where(a)),
    ),
    Kind(
        "dependencies",
        Dependency,
        "/dependencies",
        items_service.DEPENDENCY_ACTIONS,
        lambda session, _actor, record: items_service.action_context(session, record),
        _dependency_attempt,
        _escalated("/dependencies", "open", {"status": "met"}),
        lambda d: (d["status"], d["escalation_level"], d["other_project_id"] is None),
    ),
    Kind(
        "risk-actions",
        RiskAction,
        "/risk-actions",
        risks_service.RESPONSE_ACTIONS,
        lambda session, _actor, action: risks_service.action_context(
            session, session.get_one(Risk, action.risk_id)
        ),
        _response_attempt,
        lambda _items, _read: [],
        lambda a: a["risk_id"],
        lists=_response_lists,
    ),
    Kind(
        "highlight-reports",
        HighlightReport,
        "/highlight-reports",
        highlights_service.ACTIONS,
        lambda session, _actor, report: highlights_service.action_context(session, report),
        _highlight_attempt,
        lambda _items, _read: [],
        lambda r: r["status"],
        # Only project managers write reports and sponsors review them.
        outsider_roles=(Role.admin, Role.pmo, Role.project_manager, Role.sponsor),
    ),
    Kind(
        "forward-plan",
        ForwardPlanEntry,
        "/forward-plan",
        forward_plan_service.ACTIONS,
        lambda session, _actor, entry: forward_plan_service.action_contexts(session, [entry])[0],
        _entry_attempt,
        _entry_states,
        lambda e: e["id"],
        status_of=lambda e: "short notice" if e["notice_warning"] else "listed",
        outsider_roles=(Role.admin, Role.democratic_services),
    ),
    Kind(
        "api-clients",
        ApiClient,
        "/api-clients",
        auth_service.CLIENT_ACTIONS,
        lambda session, _actor, client: auth_service.client_contexts(session, [client])[0],
        _client_attempt,
        _client_states,
        lambda c: c["id"],
        status_of=_client_status,
        # Revoking a revoked client is answered 200 and changes nothing.
        repeat=lambda action, c: action == ApiClientAction.revoke and not c["is_active"],
        readers=("admin",),
    ),
    Kind(
        "webhook-subscriptions",
        WebhookSubscription,
        "/webhook-subscriptions",
        subscriptions_service.ACTIONS,
        lambda _session, _actor, subscription: subscription,
        _subscription_attempt,
        _subscription_states,
        lambda s: s["id"],
        status_of=lambda s: "enabled" if s["enabled"] else "disabled",
        readers=("admin",),
    ),
)


@contextmanager
def _rolled_back(app: FastAPI, engine: Engine) -> Iterator[Connection]:
    """Requests in here share one transaction, rolled back at the end: the app's session is a
    savepoint in it, so its commit is kept until then and its rollback undoes only its part."""
    connection = engine.connect()
    outer = connection.begin()

    def session_in_transaction() -> Iterator[Session]:
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    app.dependency_overrides[get_session] = session_in_transaction
    try:
        yield connection
    finally:
        app.dependency_overrides.pop(get_session)
        outer.rollback()
        connection.close()


def _take_steps(client: TestClient, case: Case, headers: dict[str, dict[str, str]]) -> str:
    """Take the case's steps; `{id}` in a step's path or body stands for the record so far."""
    record_id = case.record_id
    for index, (who, step) in enumerate(case.steps):
        path = step.path.replace("{id}", str(record_id))
        body = {k: str(record_id) if v == "{id}" else v for k, v in (step.body or {}).items()}
        sent = {**headers[who], **dict(step.headers)}
        done = client.request(step.method, path, json=body if step.body is not None else None, headers=sent)
        assert done.status_code in (200, 201), done.text
        made = done.json()
        if not record_id or (index == case.record_from and not case.record_id):
            record_id = made.get("id") or made["user"]["id"]  # an invitation: its user
    assert record_id
    return str(record_id)


def _expected_status(verdict: bool | Denied | Blocked) -> int:
    if isinstance(verdict, Denied):
        return 403
    assert isinstance(verdict, Blocked), verdict
    return verdict.status


OPEN = ("pending", "consultation", "awaiting_decision", "referred")


def _cases(kind: Kind, listed: dict[str, list[dict[str, Any]]], read: Reader) -> list[Case]:
    """A record in each state, and the states the kind derives from them."""
    chosen: dict[Any, Case] = {}
    for path, items in listed.items():
        for item in items:
            chosen.setdefault(kind.state_of(item), Case(kind.status_of(item), item["id"], listed_at=path))
    return [*chosen.values(), *kind.derived([i for items in listed.values() for i in items], read)]


# The states the walk must reach, at least (all of them where the kind's states are few).
STATES_REACHED: dict[str, set[str]] = {
    "drawdowns": {"approved", "awaiting_decision", "consultation", "referred", "rejected", "withdrawn"},
    "gate-reviews": {"pending", "approved"},
    "risks": {"open", "occurred"},
    "kpi-values": {"draft", "submitted", "verified", "published"},
    "programmes": {"active", "closed"},
    "portfolios": {"active", "closed"},
    "governance-bodies": {"with members", "unused"},
    "milestones": {"planned", "done"},
    "kpis": {"active", "retired"},
    "issues": {"open", "closed"},
    "assumptions": {"unvalidated", "valid", "invalid"},
    "dependencies": {"open", "met"},
    "highlight-reports": {"draft", "submitted", "accepted", "returned"},
    "forward-plan": {"short notice", "listed"},
    "api-clients": {"1 active secret", "2 active secrets", "revoked"},
    "webhook-subscriptions": {"enabled", "disabled"},
    "kpi-targets": {"set"},
}
EXACTLY = {
    "drawdowns",
    "programmes",
    "portfolios",
    "governance-bodies",
    "kpis",
    "assumptions",
    "highlight-reports",
    "forward-plan",
    "api-clients",
    "webhook-subscriptions",
    "kpi-targets",
}


# One test per kind of record, so parallel test workers share the walk.
@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_each_listed_action_succeeds_and_each_other_is_refused(
    kind: Kind, app: FastAPI, client: TestClient, engine: Engine, demo: None
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        people = {
            role: session.execute(select(User).where(User.email == f"{role}@demo.test")).scalar_one()
            for role in ROLES
        }
        actors = {role: actor_for(session, user) for role, user in people.items()}
        # Another organisation's officer holding every role that manages records.
        other = session.execute(select(User).where(User.email == "pmo@other.test")).scalar_one()
        data = UserCreate(
            email="every-role@other.test", display_name="Eve Every-Role", password="a long unused passphrase"
        )
        stranger = organisations_service.create_user(session, None, other.organisation_id, data)
        for held in kind.outsider_roles:
            grant = RoleAssignmentCreate(user_id=stranger.id, role=held)
            organisations_service.assign_role(session, None, other.organisation_id, grant)
        session.commit()
        session.refresh(stranger)
        stranger_actor = actor_for(session, stranger)
        DEMO["new_member_id"] = str(people["viewer"].id)
        paths = kind.lists(session) if kind.lists else [kind.collection]
    outsider = {"Authorization": f"Bearer {token_for(stranger)}"}
    found_none = False
    headers = {role: {"Authorization": f"Bearer {token_for(user)}"} for role, user in people.items()}
    succeeded: set[str] = set()
    refused: set[str] = set()
    states: set[str] = set()

    def read(path: str) -> dict[str, Any]:
        return dict(client.get(f"{API}{path}", headers=headers["admin"]).json())

    def listing(path: str, role: str) -> list[dict[str, Any]]:
        found = client.get(f"{API}{path}", params={"limit": 200}, headers=headers[role])
        assert found.status_code == 200, found.text
        items: list[dict[str, Any]] = found.json()["items"]
        return items

    source = next(s for s in listing("/funding-sources", "admin") if s["status"] == "open")
    DEMO["funding_source_id"] = source["id"]
    DEMO["financial_year"] = source["first_year"] or "2022/23"
    for lifecycle in listing("/lifecycles", "admin"):
        for gate in lifecycle["gates"]:
            GATE_SECTIONS[lifecycle["id"], gate["from_stage"]] = gate["business_case_sections"]
    listed = {path: listing(path, "admin") for path in paths}
    cases = _cases(kind, listed, read)
    # The lists as each person sees them: their items carry the same actions as the record.
    lists = {(path, role): listing(path, role) for path in paths for role in kind.readers}
    for path, role in ((path, role) for path in paths for role in ROLES if role not in kind.readers):
        problem(client.get(f"{API}{path}", headers=headers[role]), 403)
    for case, role in ((case, role) for case in cases for role in ROLES):
        states.add(case.state)
        with _rolled_back(app, engine) as connection:
            record_id = _take_steps(client, case, headers)
            path = case.listed_at or paths[0]
            if role not in kind.readers:
                problem(client.get(f"{API}{kind.collection}/{record_id}", headers=headers[role]), 403)
                for action in kind.table.actions:
                    attempt = kind.attempt(action, {"id": record_id})
                    sent = {**headers[role], **dict(attempt.headers)}
                    response = client.request(attempt.method, attempt.path, json=attempt.body, headers=sent)
                    problem(response, 403)
                    refused.add(action.value)
                continue
            # A state of its own is listed again, in it.
            items = listing(path, role) if case.steps else lists[(path, role)]
            detail = client.get(f"{API}{kind.collection}/{record_id}", headers=headers[role])
            if detail.status_code == 404:  # a KPI value not published, not theirs to see
                assert record_id not in {i["id"] for i in items}
                for action in kind.table.actions:
                    attempt = kind.attempt(action, {"id": record_id})
                    sent = {**headers[role], **dict(attempt.headers)}
                    response = client.request(attempt.method, attempt.path, json=attempt.body, headers=sent)
                    holds = kind.table.permission(action) in actors[role].permissions()
                    problem(response, 404 if holds else 403)
                continue
            assert detail.status_code == 200, detail.text
            record = detail.json()
            assert kind.status_of(record) == case.state
            allowed = record["allowed_actions"]
            in_list = next(i for i in items if i["id"] == record_id)
            assert in_list["allowed_actions"] == allowed, (kind.name, case.state, role)
            with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                context = kind.context(
                    session, actors[role], session.get_one(kind.model, uuid.UUID(record_id))
                )
                verdicts = {a: kind.table.verdict(actors[role], a, context) for a in kind.table.actions}
            for action in kind.table.actions:
                attempt = kind.attempt(action, record)
                savepoint = connection.begin_nested()
                sent = {**headers[role], **dict(attempt.headers)}
                response = client.request(attempt.method, attempt.path, json=attempt.body, headers=sent)
                savepoint.rollback()
                where = (kind.name, case.state, role, action.value, response.text)
                if (
                    action.value not in allowed
                    and response.status_code == 200
                    and kind.repeat(action, record)
                ):
                    assert response.json() == record, where  # nothing changed
                    continue
                late = kind.late_refusal is not None and kind.late_refusal in response.text
                if action.value in allowed and response.status_code == 409 and late:
                    continue
                if action.value in allowed:
                    assert response.status_code in (200, 201, 202, 204), where
                    succeeded.add(action.value)
                else:
                    problem(response, _expected_status(verdicts[action]))
                    refused.add(action.value)
    # Another organisation's record is not found, whatever the action.
    for action in kind.table.actions:
        with _rolled_back(app, engine):
            record_id = _take_steps(client, cases[0], headers)
            attempt = kind.attempt(action, read(f"{kind.collection}/{record_id}"))
            response = client.request(attempt.method, attempt.path, json=attempt.body, headers=outsider)
        # Its route first requires the permission (403), then finds no such record (404).
        holds = kind.table.permission(action) in stranger_actor.permissions()
        problem(response, 404 if holds else 403)
        found_none |= holds
    assert found_none, kind.name
    # The demo data exercises every action of the table, both ways.
    every = {a.value for a in kind.table.actions}
    assert (succeeded, refused) == (every, every), kind.name
    reached = STATES_REACHED.get(kind.name, set())
    if kind.name in EXACTLY:
        assert states == reached, states
    else:
        assert reached <= states, states
