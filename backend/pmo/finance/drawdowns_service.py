"""Draw-down requests: routing, consultation, delegated and committee decisions, withdrawal.

The route is worked out once, when the request is submitted, under the rule version current
then, and kept: a later change to the rule does not re-route a waiting request. Approval
commits the amount against the funding source in the same transaction
(`funding_service.commit_amount`); rejection and withdrawal commit nothing, so release nothing.

Locks are always taken in one order (the request, its project, the funding source, then the
audit chain) so that concurrent requests queue rather than deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Text, and_, cast, exists, func, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, Forbidden, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import parse_financial_year, today
from pmo.core.permissions import (
    ROLE_WORDS,
    Actor,
    Denied,
    Grant,
    Permission,
    Place,
    Role,
    out_of_scope,
)
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.decisions import forward_plan_service as forward_plan
from pmo.decisions import officer_decisions_service as officer_decisions
from pmo.finance import funding_service, rules_service
from pmo.finance.drawdowns_schemas import (
    OPEN_STATUSES,
    CommitteeDecisionCreate,
    ConsultationCreate,
    ConsultationPublic,
    DrawdownAction,
    DrawdownCreate,
    DrawdownDecisionChoice,
    DrawdownDecisionCreate,
    DrawdownDetail,
    DrawdownPublic,
    DrawdownStatus,
    Outcome,
    Route,
    RoutePreview,
)
from pmo.finance.funding_schemas import FundingStatus
from pmo.finance.funding_service import pounds_label
from pmo.finance.models import (
    DelegationRule,
    DelegationRuleVersion,
    Drawdown,
    DrawdownConsultation,
    FundingSource,
)
from pmo.finance.rules_schemas import LimitBasis, ReferralBody, RuleVersionPublic
from pmo.gates.models import GateReview
from pmo.gates.schemas import ReviewStatus
from pmo.portfolio import policies as portfolio_policies
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project
from pmo.portfolio.projects_schemas import ProjectAction
from pmo.webhooks import emitters
from pmo.work import notifications_service as notifications
from pmo.work.notifications_schemas import NotificationKind

S = DrawdownStatus

# Who may do what ----------------------------------------------------------------------------


def _decides(grant: Grant, place: Place, rule_directorate_id: uuid.UUID | None) -> bool:
    """A grant of the decider role decides a request when it covers the project; when the rule
    names a directorate, only a grant of that directorate decides: one held for the directorate
    itself (the rule delegates to its director, whichever project asks), or a programme or
    project scope inside that directorate that covers the project."""
    if rule_directorate_id is None:
        return grant.covers(place)
    if not grant.names_directorate(rule_directorate_id):
        return False
    return grant.organisation_wide or grant.directorate_id == rule_directorate_id or grant.covers(place)


def _is_decider(actor: Actor, drawdown: Drawdown, project: Project) -> bool:
    if drawdown.decider_role is None:
        return False
    place = scope.project_place(project)
    return any(
        _decides(g, place, drawdown.decider_directorate_id)
        for g in actor.grants_for(Role(drawdown.decider_role))
    )


def can_decide(actor: Actor, drawdown: Drawdown, project: Project, rule_label: str) -> bool | Denied:
    if actor.kind == "user" and actor.id == drawdown.requested_by_id:
        return Denied("You requested this draw-down: someone else must decide it.")
    if drawdown.route != Route.delegated.value:
        body = "Council" if drawdown.route == Route.council.value else "Cabinet"
        return Denied(
            f"This request is above the delegated limit of {rule_label}: it was referred to {body}, "
            f"whose decision democratic services record."
        )
    if not _is_decider(actor, drawdown, project):
        role = Role(drawdown.decider_role) if drawdown.decider_role else None
        grants = actor.grants_for(role) if role else []
        where = "the rule's directorate" if drawdown.decider_directorate_id else "the project"
        held = ""
        if role and grants and drawdown.decider_directorate_id is None:  # their scope misses the project
            held = f" {out_of_scope(actor, role, scope.project_place(project)).reason}"
        elif role and grants:
            held = (
                f" You are {ROLE_WORDS[role]} for {' and '.join(g.scope_words() for g in grants)} only; "
                f"{scope.project_place(project).description}."
            )
        decider = f"the {ROLE_WORDS[role]} role for {where}" if role else "no one"
        return Denied(f"Under {rule_label} this request is decided by {decider}.{held}")
    return True


def _consultee_roles_held(actor: Actor, drawdown: Drawdown, project: Project) -> list[str]:
    place = scope.project_place(project)
    return [r for r in drawdown.consultee_roles if scope.reaches(actor, Role(r), place)]


def _is_requester(actor: Actor, drawdown: Drawdown) -> bool:
    return actor.kind == "user" and actor.id == drawdown.requested_by_id


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class DrawdownContext:
    drawdown: Drawdown
    project: Project
    recorded: frozenset[str]  # the consultee roles whose view is recorded
    rule_label: str


def _still_open_now(c: DrawdownContext, action: str) -> Verdict:
    d = c.drawdown
    if d.status not in OPEN_STATUSES:
        return Blocked(f"{d.reference} is {d.status}: it can no longer be {action}.")
    return True


def _may_consult(actor: Actor, c: DrawdownContext) -> Verdict:
    d = c.drawdown
    if _is_requester(actor, d):
        return Denied("You requested this draw-down: you cannot be consulted on it.")
    held = _consultee_roles_held(actor, d, c.project)
    if not held:
        required = ", ".join(d.consultee_roles) or "nobody (it is not a delegated decision)"
        roles = [Role(r) for r in d.consultee_roles if actor.grants_for(Role(r))]
        if roles:  # a consultee role, held for a scope the project is outside of
            reason = out_of_scope(actor, roles[0], scope.project_place(c.project)).reason
            return Denied(f"{reason} {d.reference} needs the views of {required} for the project.")
        return Denied(f"You are not a required consultee of {d.reference}: it needs {required}.")
    if not (still_open := _still_open_now(c, "consulted on")):
        return still_open
    if all(r in c.recorded for r in held):
        return Blocked(f"The {held[0]} view on {d.reference} is already recorded.")
    return True


def _may_decide(actor: Actor, c: DrawdownContext) -> Verdict:
    d = c.drawdown
    if not (still_open := _still_open_now(c, "decided")):
        return still_open
    if not (allowed := can_decide(actor, d, c.project, c.rule_label)):
        return allowed
    outstanding = [r for r in d.consultee_roles if r not in c.recorded]
    if outstanding:
        waiting = ", ".join(outstanding)
        return Blocked(f"{d.reference} cannot be decided yet: {waiting} must record a view first.")
    return True


def _may_record_committee_decision(actor: Actor, c: DrawdownContext) -> Verdict:
    d = c.drawdown
    if not (still_open := _still_open_now(c, "decided")):
        return still_open
    if _is_requester(actor, d):
        return Denied("You requested this draw-down: someone else must record its decision.")
    if d.route == Route.delegated.value:
        return Blocked(
            f"{d.reference} is within delegation ({c.rule_label}): it is decided by "
            f"the {d.decider_role} role, not by Cabinet or Council."
        )
    return True


def _may_withdraw(actor: Actor, c: DrawdownContext) -> Verdict:
    if not _is_requester(actor, c.drawdown) and Role.pmo not in actor.roles:
        return Denied("Only the person who requested the draw-down, or the PMO, can withdraw it.")
    return _still_open_now(c, "withdrawn")


ACTIONS = ActionTable(
    DrawdownAction,
    {
        DrawdownAction.consult: Rule(Permission.drawdowns_consult, _may_consult),
        DrawdownAction.approve: Rule(Permission.drawdowns_decide, _may_decide),
        DrawdownAction.reject: Rule(Permission.drawdowns_decide, _may_decide),
        DrawdownAction.record_committee_decision: Rule(
            Permission.committee_decisions_record, _may_record_committee_decision
        ),
        DrawdownAction.withdraw: Rule(Permission.drawdowns_request, _may_withdraw),
    },
)


def action_contexts(session: Session, drawdowns: Sequence[Drawdown]) -> list[DrawdownContext]:
    """The contexts of `drawdowns` in three queries, however many there are."""
    if not drawdowns:
        return []
    projects = {
        p.id: p
        for p in session.execute(
            select(Project).where(col(Project.id).in_({d.project_id for d in drawdowns}))
        ).scalars()
    }
    recorded: dict[uuid.UUID, set[str]] = {}
    for drawdown_id, role in session.execute(
        select(DrawdownConsultation.drawdown_id, DrawdownConsultation.role).where(
            col(DrawdownConsultation.drawdown_id).in_([d.id for d in drawdowns])
        )
    ):
        recorded.setdefault(drawdown_id, set()).add(role)
    version_ids = {d.rule_version_id for d in drawdowns if d.rule_version_id is not None}
    versions = {
        v.id: v
        for v in session.execute(
            select(DelegationRuleVersion).where(col(DelegationRuleVersion.id).in_(version_ids))
        ).scalars()
    }
    return [
        DrawdownContext(
            d,
            projects[d.project_id],
            frozenset(recorded.get(d.id, ())),
            _version_label(versions.get(d.rule_version_id) if d.rule_version_id else None),
        )
        for d in drawdowns
    ]


def action_context(session: Session, drawdown: Drawdown) -> DrawdownContext:
    return action_contexts(session, [drawdown])[0]


# Reading ---------------------------------------------------------------------------------------


def get_drawdown(session: Session, actor: Actor, drawdown_id: uuid.UUID) -> Drawdown:
    drawdown = session.get(Drawdown, drawdown_id)
    if drawdown is None or drawdown.organisation_id != actor.organisation_id:
        raise NotFound("No draw-down request with that id in your organisation.")
    return drawdown


def drawdown_public(actor: Actor, context: DrawdownContext) -> DrawdownPublic:
    drawdown = context.drawdown
    return DrawdownPublic.model_validate(
        {
            **drawdown.model_dump(),
            "amount": drawdown.amount_pence,
            "allowed_actions": ACTIONS.allowed(actor, context),
        }
    )


def _consultations(session: Session, drawdown_id: uuid.UUID) -> list[DrawdownConsultation]:
    return list(
        session.execute(
            select(DrawdownConsultation)
            .where(DrawdownConsultation.drawdown_id == drawdown_id)
            .order_by(col(DrawdownConsultation.recorded_at), col(DrawdownConsultation.id))
        ).scalars()
    )


def _outstanding(drawdown: Drawdown, consultations: list[DrawdownConsultation]) -> list[str]:
    recorded = {c.role for c in consultations}
    return [r for r in drawdown.consultee_roles if r not in recorded]


def _version_label(version: DelegationRuleVersion | None) -> str:
    if version is None:
        return "no delegation rule"
    return f"rule '{version.rule['name']}' v{version.version}"


def _rule_label(session: Session, drawdown: Drawdown) -> str:
    if drawdown.rule_version_id is None:
        return "no delegation rule"
    return _version_label(session.get_one(DelegationRuleVersion, drawdown.rule_version_id))


def _next_step(drawdown: Drawdown, outstanding: list[str]) -> str:
    if drawdown.status == S.consultation.value:
        return f"Waiting for the views of: {', '.join(outstanding)}."
    if drawdown.status == S.awaiting_decision.value:
        return f"Waiting for a decision by the {drawdown.decider_role} role."
    if drawdown.status == S.referred.value:
        body = "Council" if drawdown.route == Route.council.value else "Cabinet"
        return f"Waiting for the {body} decision, recorded by democratic services."
    return f"Nothing: the request is {drawdown.status}."


def drawdown_detail(session: Session, actor: Actor, drawdown: Drawdown) -> DrawdownDetail:
    consultations = _consultations(session, drawdown.id)
    outstanding = _outstanding(drawdown, consultations) if drawdown.status in OPEN_STATUSES else []
    version = (
        session.get_one(DelegationRuleVersion, drawdown.rule_version_id) if drawdown.rule_version_id else None
    )
    return DrawdownDetail.model_validate(
        {
            **drawdown.model_dump(),
            "amount": drawdown.amount_pence,
            "allowed_actions": ACTIONS.allowed(actor, action_context(session, drawdown)),
            "consultations": [ConsultationPublic.model_validate(c) for c in consultations],
            "rule_version": RuleVersionPublic.model_validate(version) if version else None,
            "consultees_outstanding": outstanding,
            "next_step": _next_step(drawdown, outstanding),
            "officer_decision_id": record.id
            if (record := officer_decisions.record_of_drawdown(session, drawdown.id))
            else None,
            "forward_plan_entry_id": entry.id
            if (entry := forward_plan.entry_of_drawdown(session, drawdown.id))
            else None,
        }
    )


SORTS = {
    "submitted_at": Drawdown.submitted_at,
    "amount": Drawdown.amount_pence,
    "reference": Drawdown.reference,
    "status": Drawdown.status,
    "decided_at": Drawdown.decided_at,
}


@dataclass
class DrawdownFilters:
    status: DrawdownStatus | None = None
    project_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    funding_source_id: uuid.UUID | None = None
    financial_year: str | None = None
    route: Route | None = None
    requested_by: uuid.UUID | None = None
    awaiting_me: bool = False


def _lists_any(session: Session, column: Any, values: list[str]) -> ColumnElement[bool]:
    """SQL: the JSON list of strings in `column` holds at least one of `values`."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column, JSONB).op("?|")(cast(values, ARRAY(Text)))
    each = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value.in_(values)))


def _awaiting(session: Session, actor: Actor) -> list[uuid.UUID]:
    """Open requests the actor can act on now: consult, decide, or record a committee decision.

    What SQL can tell (not the requester, a decider role the actor holds, a committee decision
    only for those who record them) is asked in the query: at 20,000 draw-downs, loading every
    open one took seconds."""
    if actor.kind != "user":
        return []
    roles = [role.value for role in actor.roles]
    statuses = [
        # Only requests consulting a role the actor holds (whether it reaches is decided below).
        and_(
            col(Drawdown.status) == S.consultation.value,
            _lists_any(session, Drawdown.consultee_roles, roles),
        ),
        and_(col(Drawdown.status) == S.awaiting_decision.value, col(Drawdown.decider_role).in_(roles)),
    ]
    open_statuses = [S.consultation.value, S.awaiting_decision.value]
    if actor.has(Permission.committee_decisions_record):
        statuses.append(col(Drawdown.status) == S.referred.value)
        open_statuses.append(S.referred.value)
    # Whole rows: whether a role reaches the project is the scope rule's (programme and project
    # scopes), asked of the few candidates the query leaves.
    candidates = (
        select(Drawdown, Project)
        .join(Project, col(Project.id) == col(Drawdown.project_id))
        .where(
            col(Drawdown.organisation_id) == actor.organisation_id,
            col(Drawdown.requested_by_id) != actor.id,
            # Implied by the conditions below, but said on its own so that SQLite reads the open
            # draw-downs through `ix_drawdowns_organisation_status` instead of every project's.
            col(Drawdown.status).in_(open_statuses),
            or_(*statuses),
        )
    )
    rows = session.execute(candidates).all()
    # Held while the scope rule runs: it reads each project's programme, and the session's
    # identity map keeps an object only while something refers to it (else a query a row).
    _held_programmes = (
        session.execute(
            select(Programme).where(col(Programme.id).in_({project.programme_id for _, project in rows}))
        )
        .scalars()
        .all()
    )
    recorded: dict[uuid.UUID, set[str]] = {}
    if any(drawdown.status == S.consultation.value for drawdown, _ in rows):
        consulting = select(Drawdown.id).where(
            Drawdown.organisation_id == actor.organisation_id, Drawdown.status == S.consultation.value
        )
        for drawdown_id, role in session.execute(
            select(DrawdownConsultation.drawdown_id, DrawdownConsultation.role).where(
                col(DrawdownConsultation.drawdown_id).in_(consulting)
            )
        ).all():
            recorded.setdefault(drawdown_id, set()).add(role)
    ids: list[uuid.UUID] = []
    for drawdown, project in rows:
        if drawdown.status == S.consultation.value:
            held = set(_consultee_roles_held(actor, drawdown, project))
            if held - recorded.get(drawdown.id, set()):
                ids.append(drawdown.id)
        elif drawdown.status == S.awaiting_decision.value:
            if _is_decider(actor, drawdown, project):
                ids.append(drawdown.id)
        elif actor.has(Permission.committee_decisions_record):
            ids.append(drawdown.id)
    return ids


def list_drawdowns(
    session: Session, actor: Actor, page: PageParams, filters: DrawdownFilters, sort: str
) -> Page[DrawdownPublic]:
    statement = select(Drawdown).where(Drawdown.organisation_id == actor.organisation_id)
    f = filters
    if f.status is not None:
        statement = statement.where(Drawdown.status == f.status.value)
    if f.project_id is not None:
        statement = statement.where(Drawdown.project_id == f.project_id)
    if f.programme_id is not None:
        statement = statement.where(
            col(Drawdown.project_id).in_(select(Project.id).where(Project.programme_id == f.programme_id))
        )
    if f.funding_source_id is not None:
        statement = statement.where(Drawdown.funding_source_id == f.funding_source_id)
    if f.financial_year is not None:
        statement = statement.where(Drawdown.financial_year == f.financial_year)
    if f.route is not None:
        statement = statement.where(Drawdown.route == f.route.value)
    if f.requested_by is not None:
        statement = statement.where(Drawdown.requested_by_id == f.requested_by)
    if f.awaiting_me:
        statement = statement.where(col(Drawdown.id).in_(_awaiting(session, actor)))
    statement = statement.order_by(*order_by(sort, SORTS, Drawdown.id))
    found = paginate(session, statement, page)
    found.items = [drawdown_public(actor, c) for c in action_contexts(session, found.items)]
    return found


# Routing -------------------------------------------------------------------------------------


@dataclass
class RouteResult:
    route: Route
    rule: DelegationRule | None
    version: DelegationRuleVersion | None
    reason: str
    approved_total: int  # the project's approved delegated total under the rule that year


def approved_delegated_total(
    session: Session, project_id: uuid.UUID, financial_year: str, rule_id: uuid.UUID
) -> int:
    """What the project already has approved, by delegated decision under the rule (any of its
    versions), in the financial year."""
    total = session.execute(
        select(func.coalesce(func.sum(Drawdown.amount_pence), 0))
        .join(DelegationRuleVersion, col(DelegationRuleVersion.id) == col(Drawdown.rule_version_id))
        .where(
            Drawdown.project_id == project_id,
            Drawdown.financial_year == financial_year,
            Drawdown.route == Route.delegated.value,
            Drawdown.status == S.approved.value,
            DelegationRuleVersion.rule_id == rule_id,
        )
    ).scalar_one()
    return int(total)


def work_out_route(
    session: Session, source: FundingSource, project_id: uuid.UUID, financial_year: str, amount: int
) -> RouteResult:
    applicable = rules_service.applicable_rule(session, source, today())
    if applicable is None:
        return RouteResult(
            Route.cabinet,
            None,
            None,
            f"No active delegation rule covers '{source.name}': referred to Cabinet.",
            0,
        )
    rule, version = applicable
    label = f"rule '{rule.name}' v{rule.version}"
    limit = pounds_label(rule.limit_pence)
    if rule.limit_basis == LimitBasis.cumulative_per_project_per_year.value:
        before = approved_delegated_total(session, project_id, financial_year, rule.id)
        measured = before + amount
        what = (
            f"{pounds_label(amount)} with {pounds_label(before)} already approved for the project in "
            f"{financial_year} makes {pounds_label(measured)}, which"
        )
    else:
        before, measured = 0, amount
        what = f"{pounds_label(amount)}"
    if measured <= rule.limit_pence:
        consult = f" after consulting {', '.join(rule.consultee_roles)}" if rule.consultee_roles else ""
        return RouteResult(
            Route.delegated,
            rule,
            version,
            f"{what} is within the {limit} limit of {label}: "
            f"decided by the {rule.decider_role} role{consult}.",
            before,
        )
    to_council = rule.referral_body == ReferralBody.council.value or (
        rule.council_limit_pence is not None and measured > rule.council_limit_pence
    )
    body = Route.council if to_council else Route.cabinet
    council = (
        f" and the {pounds_label(rule.council_limit_pence)} Council limit"
        if to_council and rule.council_limit_pence is not None
        else ""
    )
    return RouteResult(
        body,
        rule,
        version,
        f"{what} is above the {limit} limit of {label}{council}: referred to {body.value.capitalize()}.",
        before,
    )


def _checked_request(
    session: Session, actor: Actor, data: DrawdownCreate
) -> tuple[Project, FundingSource, GateReview | None]:
    project = session.get(Project, data.project_id)
    if project is None or project.organisation_id != actor.organisation_id:
        raise NotFound("No project with that id (project_id) in your organisation.")
    source = funding_service.get_source(session, actor, data.funding_source_id)
    # Who may ask for money for a project: the project's action table says (`request_drawdown`).
    portfolio_policies.ACTIONS.guard(
        actor, ProjectAction.request_drawdown, portfolio_policies.action_context(session, project)
    )
    review = None
    if data.gate_review_id is not None:
        review = session.get(GateReview, data.gate_review_id)
        if review is None or review.organisation_id != actor.organisation_id:
            raise NotFound("No gate review with that id (gate_review_id) in your organisation.")
        approved = (ReviewStatus.approved.value, ReviewStatus.approved_with_conditions.value)
        if review.project_id != project.id or review.status not in approved:
            raise Unprocessable(
                "The gate review must be an approved review of the same project.",
                errors=[
                    FieldProblem(
                        location=["body", "gate_review_id"],
                        message="not an approved gate review of this project",
                        type="value_error",
                    )
                ],
            )
    year = parse_financial_year(data.financial_year).start_year
    too_early = source.first_year and year < parse_financial_year(source.first_year).start_year
    too_late = source.last_year and year > parse_financial_year(source.last_year).start_year
    if too_early or too_late:
        span = f"{source.first_year or 'any year'} to {source.last_year or 'any year'}"
        raise Unprocessable(
            f"'{source.name}' may be drawn in {span}, not {data.financial_year}.",
            errors=[
                FieldProblem(
                    location=["body", "financial_year"],
                    message=f"outside the source's years ({span})",
                    type="value_error",
                )
            ],
        )
    if source.status != FundingStatus.open.value:
        raise Conflict(f"'{source.name}' is closed: nothing more can be drawn from it.")
    return project, source, review


def pending_on_project(session: Session, project_id: uuid.UUID, financial_year: str) -> list[Drawdown]:
    """The project's requests in the financial year that are not decided yet, oldest first."""
    return list(
        session.exec(
            select(Drawdown)
            .where(
                Drawdown.project_id == project_id,
                Drawdown.financial_year == financial_year,
                col(Drawdown.status).in_(OPEN_STATUSES),
            )
            .order_by(col(Drawdown.reference))
        )
    )


def _who_decides(route: Route) -> str:
    return {Route.delegated: "decided within delegation", Route.cabinet: "Cabinet decides"}.get(
        route, "Council decides"
    )


def _with_pending(
    session: Session, source: FundingSource, data: DrawdownCreate, result: RouteResult
) -> dict[str, Any]:
    """The pending requests on the same project and year, and what they mean for this one: under a
    cumulative rule each one approved first counts towards the limit this request is measured on."""
    pending = pending_on_project(session, data.project_id, data.financial_year)
    pending_pence = sum(d.amount_pence for d in pending)
    rule = result.rule
    cumulative = rule is not None and rule.limit_basis == LimitBasis.cumulative_per_project_per_year.value
    year_total = (result.approved_total if cumulative else 0) + pending_pence + data.amount
    route = result.route
    if pending and cumulative:
        # The route this request would get once the pending ones are approved: the amount
        # measured on is the year's total less this request, plus this request.
        route = work_out_route(
            session, source, data.project_id, data.financial_year, pending_pence + data.amount
        ).route
    note = None
    if pending:
        references = [d.reference for d in pending]
        named = (
            references[0] if len(references) == 1 else f"{', '.join(references[:-1])} and {references[-1]}"
        )
        request = "request" if len(pending) == 1 else "requests"
        if cumulative or rule is None:
            note = (
                f"With the pending {request} {named} this brings the year to {pounds_label(year_total)}: "
                f"{_who_decides(route)}."
            )
        else:
            note = (
                f"With the pending {request} {named} the project's requests in {data.financial_year} come to "
                f"{pounds_label(year_total)}; each is measured on its own amount under rule '{rule.name}': "
                f"{_who_decides(route)}."
            )
    return {
        "pending_requests": [
            {
                "id": d.id,
                "reference": d.reference,
                "amount": d.amount_pence,
                "status": d.status,
                "route": d.route,
            }
            for d in pending
        ],
        "year_total_with_pending": year_total,
        "route_with_pending": route,
        "pending_note": note,
    }


def _preview(result: RouteResult, pending: dict[str, Any] | None = None) -> RoutePreview:
    rule = result.rule
    delegated = result.route == Route.delegated
    return RoutePreview.model_validate(
        {
            "route": result.route,
            "rule_id": rule.id if rule else None,
            "rule_version": result.version.version if result.version else None,
            "rule_name": rule.name if rule else None,
            "decider_role": rule.decider_role if rule and delegated else None,
            "decider_directorate_id": rule.decider_directorate_id if rule and delegated else None,
            "consultee_roles": rule.consultee_roles if rule and delegated else [],
            "route_reason": result.reason,
            "approved_delegated_total": result.approved_total,
            "pending_requests": [],
            "year_total_with_pending": 0,
            "route_with_pending": result.route,
            "pending_note": None,
            **(pending or {}),
        }
    )


def preview_route(session: Session, actor: Actor, data: DrawdownCreate) -> RoutePreview:
    _, source, _ = _checked_request(session, actor, data)
    result = work_out_route(session, source, data.project_id, data.financial_year, data.amount)
    return _preview(result, _with_pending(session, source, data, result))


def create_drawdown(session: Session, actor: Actor, data: DrawdownCreate) -> Drawdown:
    project, source, _ = _checked_request(session, actor, data)
    result = work_out_route(session, source, project.id, data.financial_year, data.amount)
    preview = _preview(result)
    delegated = result.route == Route.delegated
    status = S.referred
    if delegated:
        status = S.consultation if preview.consultee_roles else S.awaiting_decision
    drawdown = Drawdown(
        organisation_id=actor.organisation_id,
        reference=next_reference(session, actor.organisation_id, "DD"),
        project_id=project.id,
        funding_source_id=source.id,
        amount_pence=data.amount,
        financial_year=data.financial_year,
        purpose=data.purpose,
        gate_review_id=data.gate_review_id,
        business_case_reference=data.business_case_reference,
        requested_by_id=actor.id,
        status=status.value,
        submitted_at=utcnow(),
        route=result.route.value,
        rule_version_id=result.version.id if result.version else None,
        decider_role=preview.decider_role.value if preview.decider_role else None,
        decider_directorate_id=preview.decider_directorate_id,
        consultee_roles=[r.value for r in preview.consultee_roles],
        route_reason=result.reason,
    )
    audit.created(session, actor, drawdown, "drawdown")
    emitters.drawdown_requested(session, drawdown)
    _tell_who_acts_next(session, drawdown, project)
    return drawdown


def _tell_who_acts_next(session: Session, drawdown: Drawdown, project: Project) -> None:
    """Notify the people who can take the request's next step (never its requester)."""
    place = scope.project_place(project)
    rule_directorate_id = drawdown.decider_directorate_id
    accepts: Callable[[Grant], bool]
    if drawdown.status == S.consultation.value:
        roles, accepts, step = drawdown.consultee_roles, lambda g: g.covers(place), "your view"
    elif drawdown.status == S.awaiting_decision.value and drawdown.decider_role:
        roles, step = [drawdown.decider_role], "your decision"
        accepts = lambda g: _decides(g, place, rule_directorate_id)  # noqa: E731
    elif drawdown.status == S.referred.value:
        roles, accepts, step = (
            [Role.democratic_services.value],
            lambda _grant: True,
            "the committee's decision to be recorded",
        )
    else:
        return
    people = scope.people_holding(session, drawdown.organisation_id, roles, accepts)
    notifications.notify(
        session,
        drawdown.organisation_id,
        people - {drawdown.requested_by_id},
        NotificationKind.decision_waiting,
        f"{drawdown.reference} for {project.reference} {project.name} waits for {step}",
        f"/drawdowns/{drawdown.id}",
    )


def _tell_requester(session: Session, drawdown: Drawdown, outcome: str) -> None:
    project = session.get_one(Project, drawdown.project_id)
    notifications.notify(
        session,
        drawdown.organisation_id,
        [drawdown.requested_by_id],
        NotificationKind.request_decided,
        f"{drawdown.reference} for {project.reference} {project.name} was {outcome}",
        f"/drawdowns/{drawdown.id}",
    )


# Consultation, decisions, withdrawal ------------------------------------------------------


def _lock(session: Session, drawdown: Drawdown) -> None:
    """Lock the request: of two people acting on it at once, the second sees the first's change."""
    session.refresh(drawdown, with_for_update=True)


def consult(session: Session, actor: Actor, drawdown: Drawdown, data: ConsultationCreate) -> Drawdown:
    _lock(session, drawdown)
    context = action_context(session, drawdown)
    ACTIONS.guard(actor, DrawdownAction.consult, context)
    held = _consultee_roles_held(actor, drawdown, context.project)
    if data.role is not None and data.role.value not in held:
        raise Forbidden(
            f"You do not answer as {data.role.value} on {drawdown.reference}: you may as {', '.join(held)}."
        )
    recorded = set(context.recorded)
    open_roles = [r for r in held if r not in recorded]
    role = data.role.value if data.role is not None else (open_roles[0] if open_roles else held[0])
    if role in recorded:
        raise Conflict(f"The {role} view on {drawdown.reference} is already recorded.")
    if role == Role.member.value and data.conflict_of_interest is None:
        # Regulation 13(4): the record names any conflict declared by an executive member consulted.
        message = "as the executive member consulted, say whether you declare a conflict of interest"
        raise Unprocessable(
            f"{message.capitalize()} (conflict_of_interest: true or false).",
            errors=[FieldProblem(location=["body", "conflict_of_interest"], message=message, type="missing")],
        )
    consultation = DrawdownConsultation(
        organisation_id=drawdown.organisation_id,
        drawdown_id=drawdown.id,
        role=role,
        consultee_id=actor.id,
        view=data.view.value,
        comment=data.comment,
        recorded_at=utcnow(),
        conflict_of_interest=data.conflict_of_interest,
        conflict_of_interest_details=data.conflict_of_interest_details,
        dispensation_granted_by=data.dispensation_granted_by,
        dispensation_granted_on=data.dispensation_granted_on,
        dispensation_details=data.dispensation_details,
    )
    audit.created(session, actor, consultation, "drawdown_consultation")
    if drawdown.status == S.consultation.value and set(drawdown.consultee_roles) <= recorded | {role}:
        audit.changed(session, actor, drawdown, "drawdown", {"status": S.awaiting_decision.value})
        _tell_who_acts_next(session, drawdown, session.get_one(Project, drawdown.project_id))
    return drawdown


def _recheck_cumulative(session: Session, drawdown: Drawdown, project: Project, label: str) -> None:
    """A cumulative limit is checked again at approval: requests approved since this one was
    submitted may have used up the room. The project is locked so approvals queue here."""
    version = session.get_one(DelegationRuleVersion, drawdown.rule_version_id)
    if version.rule["limit_basis"] != LimitBasis.cumulative_per_project_per_year.value:
        return
    session.refresh(project, with_for_update=True)
    limit, _ = rules_service.version_limit(version)
    before = approved_delegated_total(session, project.id, drawdown.financial_year, version.rule_id)
    if before + drawdown.amount_pence > limit:
        raise Forbidden(
            f"{pounds_label(drawdown.amount_pence)} with {pounds_label(before)} now approved for the "
            f"project in {drawdown.financial_year} is above the {pounds_label(limit)} limit of {label}: "
            "this cannot be decided under delegation. Withdraw it and submit it again, "
            "which refers it to Cabinet."
        )


def _approve(session: Session, actor: Actor, drawdown: Drawdown) -> None:
    source = session.get_one(FundingSource, drawdown.funding_source_id)
    funding_service.commit_amount(session, actor, source, drawdown.amount_pence)


def decide(session: Session, actor: Actor, drawdown: Drawdown, data: DrawdownDecisionCreate) -> Drawdown:
    _lock(session, drawdown)
    context = action_context(session, drawdown)
    ACTIONS.guard(actor, DrawdownAction(data.decision.value), context)
    project, label = context.project, context.rule_label
    if data.decision == DrawdownDecisionChoice.approve:
        _recheck_cumulative(session, drawdown, project, label)
        _approve(session, actor, drawdown)
    outcome = Outcome.approved if data.decision == DrawdownDecisionChoice.approve else Outcome.rejected
    decided_at = utcnow()
    audit.changed(
        session,
        actor,
        drawdown,
        "drawdown",
        {
            "status": outcome.value,
            "decision": outcome.value,
            "decision_reason": data.reason,
            "decided_at": decided_at,
            "decided_by_id": actor.id,
        },
        action="decide",
    )
    source = session.get_one(FundingSource, drawdown.funding_source_id)
    verb = "Approve" if outcome == Outcome.approved else "Refuse"
    officer_decisions.create_record(
        session,
        actor,
        drawdown,
        title=f"{drawdown.reference}: draw-down for {project.reference} {project.name}"[:500],
        decision_text=(
            f"{verb} the draw-down of {pounds_label(drawdown.amount_pence)} from '{source.name}' in "
            f"{drawdown.financial_year} for {project.reference} {project.name}: {drawdown.purpose}"
        )[:12_000],
        decided_at=decided_at,
        decided_under=label,
        reasons=data.reason,
        alternatives_considered=data.alternatives_considered,
        exempt_paragraph=int(data.exempt_paragraph) if data.exempt_paragraph is not None else None,
        exempt_information=data.exempt_information,
    )
    emitters.drawdown_decided(session, drawdown)
    _tell_requester(session, drawdown, outcome.value)
    return drawdown


def record_committee_decision(
    session: Session, actor: Actor, drawdown: Drawdown, data: CommitteeDecisionCreate
) -> Drawdown:
    _lock(session, drawdown)
    ACTIONS.guard(actor, DrawdownAction.record_committee_decision, action_context(session, drawdown))
    if data.body.value != drawdown.route:
        raise Unprocessable(
            f"{drawdown.reference} was referred to {drawdown.route.capitalize()}, "
            f"not {data.body.value.capitalize()}.",
            errors=[
                FieldProblem(
                    location=["body", "body"], message=f"must be {drawdown.route}", type="value_error"
                )
            ],
        )
    if drawdown.route == Route.cabinet.value:
        forward_plan.check_may_be_taken(session, drawdown, data.meeting_date)
    if data.outcome == Outcome.approved:
        _approve(session, actor, drawdown)
    changes: dict[str, Any] = {
        "status": data.outcome.value,
        "decision": data.outcome.value,
        "decision_reason": data.notes,
        "decided_at": utcnow(),
        "decided_by_id": actor.id,
        "meeting_body": data.body.value,
        "meeting_date": data.meeting_date,
        "minute_reference": data.minute_reference,
        "key_decision_reference": data.key_decision_reference,
    }
    audit.changed(session, actor, drawdown, "drawdown", changes, action="decide")
    emitters.drawdown_decided(session, drawdown)
    _tell_requester(session, drawdown, data.outcome.value)
    return drawdown


def withdraw(session: Session, actor: Actor, drawdown: Drawdown) -> Drawdown:
    _lock(session, drawdown)
    ACTIONS.guard(actor, DrawdownAction.withdraw, action_context(session, drawdown))
    audit.changed(session, actor, drawdown, "drawdown", {"status": S.withdrawn.value}, action="withdraw")
    return drawdown
