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

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session, select

from conftest import token_for
from pmo.core.actions import ActionTable, Blocked
from pmo.core.db import get_session
from pmo.core.permissions import Actor, Denied
from pmo.finance import drawdowns_service
from pmo.finance.drawdowns_schemas import DrawdownAction
from pmo.finance.models import Drawdown
from pmo.gates import service as gates_service
from pmo.gates.models import GateReview
from pmo.gates.schemas import GateReviewAction
from pmo.kpis import service as kpis_service
from pmo.kpis import values_service as kpi_values_service
from pmo.kpis.models import Kpi, KpiValue
from pmo.kpis.schemas import KpiAction, KpiValueAction
from pmo.organisations.models import User
from pmo.portfolio.demo import actor_for
from pmo.raid import items_service, risks_service
from pmo.raid.items_schemas import AssumptionAction, DependencyAction, IssueAction
from pmo.raid.models import Assumption, Dependency, Issue, Risk, RiskAction
from pmo.raid.risks_schemas import RiskActionAllowedAction, RiskAllowedAction
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
    """A record in one state: a demo record, or one taken on by `steps` (role, request) first."""

    state: str
    record_id: str
    steps: tuple[tuple[str, Attempt], ...] = ()
    listed_at: str = ""  # the list that holds it, if not the kind's collection


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
    derived: Callable[[list[dict[str, Any]]], list[Case]]
    # Records in the same state (the key) show the same actions: one of each is tried.
    state_of: Callable[[dict[str, Any]], Any]
    # The lists that hold its records, when they are not one list at `collection`.
    lists: Callable[[Session], list[str]] | None = None


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


def _drawdown_states(items: list[dict[str, Any]]) -> list[Case]:
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


def _value_states(items: list[dict[str, Any]]) -> list[Case]:
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


# A period no demo KPI has a value or target for, of each frequency.
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


def _kpi_states(items: list[dict[str, Any]]) -> list[Case]:
    """Retired: the PMO retires a KPI that pm@demo.test may enter values for."""
    kpi = next(k for k in items if k["status"] == "active" and k["project_id"])
    return [Case("retired", kpi["id"], (("pmo", Attempt("POST", f"{API}/kpis/{kpi['id']}/retire")),))]


def _where(item: dict[str, Any]) -> str:
    return "project" if item["project_id"] else "programme" if item.get("programme_id") else "portfolio"


def _escalation(path: str, action: str, record: dict[str, Any]) -> Attempt:
    level = LEVELS.index(record["escalation_level"])
    if action == "escalate":
        return Attempt("POST", f"{path}/escalate", {"level": LEVELS[min(level + 1, 2)], "reason": REASON})
    return Attempt("POST", f"{path}/de-escalate", {"level": LEVELS[max(level - 1, 0)], "reason": REASON})


def _escalated(
    collection: str, status: str, closing: dict[str, Any]
) -> Callable[[list[dict[str, Any]]], list[Case]]:
    """An item the PMO escalated (it may be de-escalated), and one closed (it may not be escalated)."""

    def derived(items: list[dict[str, Any]]) -> list[Case]:
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
        lambda _items: [],
        lambda r: r["id"] if r["status"] == "pending" else r["status"],
    ),
    Kind(
        "risks",
        Risk,
        "/risks",
        risks_service.ACTIONS,
        lambda session, _actor, record: risks_service.action_context(session, record),
        _risk_attempt,
        lambda _items: [],
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
        lambda _items: [],
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
        lambda _items: [],
        lambda a: a["risk_id"],
        _response_lists,
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


def _expected_status(verdict: bool | Denied | Blocked) -> int:
    if isinstance(verdict, Denied):
        return 403
    assert isinstance(verdict, Blocked), verdict
    return verdict.status


OPEN = ("pending", "consultation", "awaiting_decision", "referred")


def _cases(kind: Kind, listed: dict[str, list[dict[str, Any]]]) -> list[Case]:
    """A record in each state, and the states the kind derives from them."""
    chosen: dict[Any, Case] = {}
    for path, items in listed.items():
        for item in items:
            chosen.setdefault(kind.state_of(item), Case(item.get("status", ""), item["id"], listed_at=path))
    return [*chosen.values(), *kind.derived([i for items in listed.values() for i in items])]


def test_each_listed_action_succeeds_and_each_other_is_refused(
    app: FastAPI, client: TestClient, engine: Engine, demo: None
) -> None:
    with Session(engine) as session:
        people = {
            role: session.execute(select(User).where(User.email == f"{role}@demo.test")).scalar_one()
            for role in ROLES
        }
        actors = {role: actor_for(session, user) for role, user in people.items()}
        stranger = session.execute(select(User).where(User.email == "pmo@other.test")).scalar_one()
        stranger_actor = actor_for(session, stranger)
    outsider = {"Authorization": f"Bearer {token_for(stranger)}"}
    found_none = {kind.name: False for kind in KINDS}
    headers = {role: {"Authorization": f"Bearer {token_for(user)}"} for role, user in people.items()}
    succeeded: dict[str, set[str]] = {kind.name: set() for kind in KINDS}
    refused: dict[str, set[str]] = {kind.name: set() for kind in KINDS}
    states: dict[str, set[str]] = {kind.name: set() for kind in KINDS}
    for kind in KINDS:
        with Session(engine) as session:
            paths = kind.lists(session) if kind.lists else [kind.collection]

        def listing(path: str, role: str) -> list[dict[str, Any]]:
            found = client.get(f"{API}{path}", params={"limit": 200}, headers=headers[role])
            assert found.status_code == 200, found.text
            items: list[dict[str, Any]] = found.json()["items"]
            return items

        listed = {path: listing(path, "admin") for path in paths}
        cases = _cases(kind, listed)
        # The lists as each person sees them: their items carry the same actions as the record.
        lists = {(path, role): listing(path, role) for path in paths for role in ROLES}
        for case, role in ((case, role) for case in cases for role in ROLES):
            states[kind.name].add(case.state)
            with _rolled_back(app, engine) as connection:
                for who, step in case.steps:
                    sent = {**headers[who], **dict(step.headers)}
                    done = client.request(step.method, step.path, json=step.body, headers=sent)
                    assert done.status_code in (200, 201), done.text
                path = case.listed_at or kind.collection
                # A state of its own is listed again, in it.
                items = listing(path, role) if case.steps else lists[(path, role)]
                detail = client.get(f"{API}{kind.collection}/{case.record_id}", headers=headers[role])
                if detail.status_code == 404:  # a KPI value not published, not theirs to see
                    assert case.record_id not in {i["id"] for i in items}
                    for action in kind.table.actions:
                        attempt = kind.attempt(action, {"id": case.record_id})
                        sent = {**headers[role], **dict(attempt.headers)}
                        response = client.request(
                            attempt.method, attempt.path, json=attempt.body, headers=sent
                        )
                        holds = kind.table.permission(action) in actors[role].permissions()
                        problem(response, 404 if holds else 403)
                    continue
                assert detail.status_code == 200, detail.text
                record = detail.json()
                assert record.get("status", "") == case.state
                allowed = record["allowed_actions"]
                in_list = next(i for i in items if i["id"] == case.record_id)
                assert in_list["allowed_actions"] == allowed, (kind.name, case.state, role)
                with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                    context = kind.context(
                        session, actors[role], session.get_one(kind.model, uuid.UUID(case.record_id))
                    )
                    verdicts = {a: kind.table.verdict(actors[role], a, context) for a in kind.table.actions}
                for action in kind.table.actions:
                    attempt = kind.attempt(action, record)
                    savepoint = connection.begin_nested()
                    sent = {**headers[role], **dict(attempt.headers)}
                    response = client.request(attempt.method, attempt.path, json=attempt.body, headers=sent)
                    savepoint.rollback()
                    where = (kind.name, case.state, role, action.value, response.text)
                    if action.value in allowed:
                        assert response.status_code in (200, 201, 204), where
                        succeeded[kind.name].add(action.value)
                    else:
                        problem(response, _expected_status(verdicts[action]))
                        refused[kind.name].add(action.value)
        # Another organisation's record is not found, whatever the action.
        for action in kind.table.actions:
            attempt = kind.attempt(action, next(iter(listed.values()))[0])
            with _rolled_back(app, engine):
                response = client.request(attempt.method, attempt.path, json=attempt.body, headers=outsider)
            # Its route first requires the permission (403), then finds no such record (404).
            holds = kind.table.permission(action) in stranger_actor.permissions()
            problem(response, 404 if holds else 403)
            found_none[kind.name] |= holds
    assert all(found_none.values()), found_none
    # The demo data exercises every action of every table, both ways.
    for kind in KINDS:
        every = {a.value for a in kind.table.actions}
        assert (succeeded[kind.name], refused[kind.name]) == (every, every), kind.name
    assert states["drawdowns"] == {
        "approved",
        "awaiting_decision",
        "consultation",
        "referred",
        "rejected",
        "withdrawn",
    }
    assert {"pending", "approved"} <= states["gate-reviews"], states["gate-reviews"]
    assert {"open", "occurred"} <= states["risks"], states["risks"]
    assert {"draft", "submitted", "verified", "published"} <= states["kpi-values"], states["kpi-values"]
    assert states["kpis"] == {"active", "retired"}, states["kpis"]
    assert {"open", "closed"} <= states["issues"], states["issues"]
    assert states["assumptions"] == {"unvalidated", "valid", "invalid"}
    assert {"open", "met"} <= states["dependencies"], states["dependencies"]
