"""The risk log: risks, their response actions, escalation, closing, the heat map.

Takes a session and the actor; never commits. Every record is looked up within the actor's
organisation first (another organisation's risk, project, owner or actionee is 404). Every
write is audited, one event per changed record (`risk` and `risk_action`).

Rules:

* Scores are on the organisation's scale (`pmo.raid.scoring`); the server works out score
  and band. A likelihood or impact outside the scale is 422.
* The response type must fit the nature (threat or opportunity), else 422.
* Escalation goes up (programme, steering group) with a reason, de-escalation down with one.
* Only `pmo` or a sponsor closes an escalated risk.
* A risk that happened becomes an issue (`occurred`): the issue keeps `risk_id`, the risk is
  closed as "occurred", both in one transaction; a second time is 409.
* A closed (or occurred) risk is a record: it, and its actions, no longer change (409).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.audit.models import AuditEvent
from pmo.audit.schemas import AuditEventPublic
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import today
from pmo.core.permissions import Actor, Denied, Permission, Role
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.organisations.models import Organisation
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project
from pmo.raid.common import (
    ESCALATION_ORDER,
    EscalationLevel,
    RaidFilters,
    RowCheck,
    attach,
    can_edit_item,
    check_can_edit,
    check_people,
    raid_filters,
)
from pmo.raid.models import Issue, Risk, RiskAction
from pmo.raid.risks_schemas import (
    NULLABLE_ACTION_FIELDS,
    NULLABLE_RISK_FIELDS,
    RESPONSES,
    ActionStatus,
    Closure,
    Escalation,
    HeatMap,
    HeatMapCell,
    LinkedIssue,
    Nature,
    ResponseType,
    RiskActionAllowedAction,
    RiskActionCreate,
    RiskActionPublic,
    RiskActionUpdate,
    RiskAllowedAction,
    RiskCreate,
    RiskDetail,
    RiskHistory,
    RiskOccurred,
    RiskOccurredResult,
    RiskPublic,
    RiskStatus,
    RiskUpdate,
    ScoreBasis,
)
from pmo.raid.scoring import Band, Scale, scale_of
from pmo.webhooks import emitters
from pmo.work import notifications_service as notifications
from pmo.work.notifications_schemas import NotificationKind

RISK_PREFIX = "R"
ISSUE_PREFIX = "I"
FINISHED_ACTIONS = (ActionStatus.done.value, ActionStatus.cancelled.value)


# Presenting ------------------------------------------------------------------------------


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class RiskContext:
    risk: Risk
    project: Project | None
    programme: Programme | None
    became_issue: bool


def _not_closed(risk: Risk) -> Verdict:
    if risk.status != RiskStatus.open:
        return Blocked(f"{risk.reference} is {risk.status}: a closed risk is a record and does not change.")
    return True


def _may_close_escalated(actor: Actor, risk: Risk) -> Verdict:
    if (
        risk.escalation_level != EscalationLevel.project.value
        and not actor.grants_for(Role.pmo)
        and scope.may(actor, Role.sponsor, risk) is not True
    ):
        return Denied(
            f"{risk.reference} is escalated to {risk.escalation_level} level: "
            "only the PMO or a sponsor whose scope covers it may close it."
        )
    return True


def _editable(actor: Actor, c: RiskContext) -> Verdict:
    return can_edit_item(actor, c.risk, c.project, c.programme)


def _open(_actor: Actor, c: RiskContext) -> Verdict:
    return _not_closed(c.risk)


def _below_top(_actor: Actor, c: RiskContext) -> Verdict:
    current = EscalationLevel(c.risk.escalation_level)
    if ESCALATION_ORDER[current] == max(ESCALATION_ORDER.values()):
        return Blocked(
            f"{c.risk.reference} is at {current.value} level: escalate it to a level above that "
            "(programme, then steering_group)."
        )
    return True


def _above_project(_actor: Actor, c: RiskContext) -> Verdict:
    current = EscalationLevel(c.risk.escalation_level)
    if ESCALATION_ORDER[current] == 0:
        return Blocked(
            f"{c.risk.reference} is at {current.value} level: de-escalate it to a level below that."
        )
    return True


def _closable(actor: Actor, c: RiskContext) -> Verdict:
    return _may_close_escalated(actor, c.risk)


def _not_yet_an_issue(_actor: Actor, c: RiskContext) -> Verdict:
    if c.risk.status == RiskStatus.occurred or c.became_issue:
        return Blocked(f"{c.risk.reference} has already become an issue.")
    return True


_EDIT = Permission.raid_edit
ACTIONS = ActionTable(
    RiskAllowedAction,
    {
        RiskAllowedAction.edit: Rule(_EDIT, steps(_editable, _open)),
        RiskAllowedAction.escalate: Rule(_EDIT, steps(_editable, _open, _below_top)),
        RiskAllowedAction.de_escalate: Rule(_EDIT, steps(_editable, _open, _above_project)),
        RiskAllowedAction.close: Rule(_EDIT, steps(_editable, _open, _closable)),
        RiskAllowedAction.occurred: Rule(_EDIT, steps(_editable, _not_yet_an_issue, _open, _closable)),
    },
)


# A response action changes while its risk is open, by those who may change the risk.
RESPONSE_ACTIONS = ActionTable(
    RiskActionAllowedAction,
    {
        RiskActionAllowedAction.edit: Rule(_EDIT, steps(_editable, _open)),
        RiskActionAllowedAction.delete: Rule(_EDIT, steps(_editable, _open)),
    },
)


def action_contexts(session: Session, risks: Sequence[Risk]) -> list[RiskContext]:
    """The contexts of `risks` in three queries, however many there are."""
    if not risks:
        return []
    project_ids = {r.project_id for r in risks if r.project_id}
    programme_ids = {r.programme_id for r in risks if r.programme_id}
    projects = {
        p.id: p for p in session.execute(select(Project).where(col(Project.id).in_(project_ids))).scalars()
    }
    programmes = {
        p.id: p
        for p in session.execute(select(Programme).where(col(Programme.id).in_(programme_ids))).scalars()
    }
    became = set(
        session.execute(select(Issue.risk_id).where(col(Issue.risk_id).in_([r.id for r in risks]))).scalars()
    )
    return [
        RiskContext(
            r,
            projects.get(r.project_id) if r.project_id else None,
            programmes.get(r.programme_id) if r.programme_id else None,
            r.id in became,
        )
        for r in risks
    ]


def action_context(session: Session, risk: Risk) -> RiskContext:
    return action_contexts(session, [risk])[0]


def risk_public(actor: Actor, context: RiskContext) -> RiskPublic:
    risk = context.risk
    scale = scale_of(risk.scale)
    target = (
        scale.score(risk.target_likelihood, risk.target_impact)
        if risk.target_likelihood is not None and risk.target_impact is not None
        else None
    )
    return RiskPublic.model_validate(
        {
            **risk.model_dump(),
            "inherent_band": scale.band(risk.inherent_score),
            "residual_band": scale.band(risk.residual_score),
            "target_score": target,
            "target_band": scale.band(target) if target is not None else None,
            "due_for_review": risk.status == RiskStatus.open
            and risk.review_date is not None
            and risk.review_date <= today(),
            "allowed_actions": ACTIONS.allowed(actor, context),
        }
    )


def action_public(actor: Actor, context: RiskContext, action: RiskAction) -> RiskActionPublic:
    """A response action of `context.risk`, with what `actor` may do to it."""
    return RiskActionPublic.model_validate(
        {
            **action.model_dump(),
            "overdue": action.status not in FINISHED_ACTIONS
            and action.due_date is not None
            and action.due_date < today(),
            "allowed_actions": RESPONSE_ACTIONS.allowed(actor, context),
        }
    )


def response_action_public(session: Session, actor: Actor, action: RiskAction) -> RiskActionPublic:
    context = action_context(session, session.get_one(Risk, action.risk_id))
    return action_public(actor, context, action)


def _linked_issue(session: Session, risk: Risk) -> Issue | None:
    return session.execute(select(Issue).where(Issue.risk_id == risk.id)).scalar_one_or_none()


def risk_detail(session: Session, actor: Actor, risk: Risk) -> RiskDetail:
    actions = session.execute(
        select(RiskAction)
        .where(RiskAction.risk_id == risk.id)
        .order_by(col(RiskAction.created_at), col(RiskAction.id))
    ).scalars()
    issue = _linked_issue(session, risk)
    context = action_context(session, risk)
    return RiskDetail.model_validate(
        {
            **risk_public(actor, context).model_dump(),
            "actions": [action_public(actor, context, a) for a in actions],
            "issue": LinkedIssue.model_validate(issue) if issue else None,
        }
    )


# Checks ----------------------------------------------------------------------------------


def organisation_scale(session: Session, organisation_id: uuid.UUID) -> Scale:
    return scale_of(session.get_one(Organisation, organisation_id).risk_scale)


POINT_FIELDS = tuple(
    f"{basis}_{axis}" for basis in ("inherent", "residual", "target") for axis in ("likelihood", "impact")
)


def _check_points(scale: Scale, values: dict[str, Any]) -> None:
    problems = [
        FieldProblem(
            location=["body", name],
            message=f"must be 1 to {scale.points} on the organisation's {scale.name} scale",
            type="value_error",
        )
        for name in POINT_FIELDS
        if (value := values.get(name)) is not None and not scale.contains(value)
    ]
    if problems:
        raise Unprocessable(
            f"Likelihood and impact are 1 to {scale.points} on the {scale.name} scale.", errors=problems
        )


def _check_response(nature: str, response_type: str | None) -> None:
    if response_type is None:
        return
    allowed = RESPONSES[Nature(nature)]
    if ResponseType(response_type) not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise Unprocessable(
            f"A response to {'an' if nature == 'opportunity' else 'a'} {nature} is one of: {names}.",
            errors=[
                FieldProblem(
                    location=["body", "response_type"], message=f"does not fit a {nature}", type="value_error"
                )
            ],
        )


def _check_target_pair(likelihood: int | None, impact: int | None) -> None:
    if (likelihood is None) != (impact is None):
        raise Unprocessable(
            "Give both target_likelihood and target_impact, or neither.",
            errors=[
                FieldProblem(
                    location=["body", "target_likelihood"], message="give both or neither", type="value_error"
                )
            ],
        )


# Risks -----------------------------------------------------------------------------------

RISK_SORTS = {
    "reference": Risk.reference,
    "title": Risk.title,
    "inherent_score": Risk.inherent_score,
    "residual_score": Risk.residual_score,
    "review_date": func.coalesce(Risk.review_date, date.max),
    "raised_on": Risk.raised_on,
    "updated_at": Risk.updated_at,
}


def _risk_statement(
    session: Session,
    actor: Actor,
    filters: RaidFilters,
    *,
    nature: str | None = None,
    band: Band | None = None,
    basis: ScoreBasis = ScoreBasis.residual,
    due_for_review: bool | None = None,
    overdue_actions: bool | None = None,
) -> Any:
    statement = raid_filters(select(Risk).where(Risk.organisation_id == actor.organisation_id), Risk, filters)
    if nature is not None:
        statement = statement.where(Risk.nature == nature)
    if band is not None:
        low, high = organisation_scale(session, actor.organisation_id).score_range(band)
        score = Risk.inherent_score if basis == ScoreBasis.inherent else Risk.residual_score
        statement = statement.where(score >= low, score <= high)
    if due_for_review is not None:
        due = and_(
            col(Risk.status) == RiskStatus.open.value,
            col(Risk.review_date).is_not(None),
            col(Risk.review_date) <= today(),
        )
        statement = statement.where(due if due_for_review else not_(due))
    if overdue_actions is not None:
        overdue = exists(
            select(RiskAction.id).where(
                RiskAction.risk_id == Risk.id,
                col(RiskAction.status).not_in(FINISHED_ACTIONS),
                col(RiskAction.due_date).is_not(None),
                col(RiskAction.due_date) < today(),
            )
        )
        statement = statement.where(overdue if overdue_actions else not_(overdue))
    return statement


def list_risks(
    session: Session,
    actor: Actor,
    page: PageParams,
    filters: RaidFilters,
    *,
    sort: str = "reference",
    **extra: Any,
) -> Page[Any]:
    statement = _risk_statement(session, actor, filters, **extra)
    statement = statement.order_by(*order_by(sort, RISK_SORTS, Risk.id))
    found = paginate(session, statement, page)
    found.items = [risk_public(actor, c) for c in action_contexts(session, found.items)]
    return found


def heat_map(
    session: Session, actor: Actor, filters: RaidFilters, *, basis: ScoreBasis, **extra: Any
) -> HeatMap:
    scale = organisation_scale(session, actor.organisation_id)
    likelihood, impact = (
        (Risk.inherent_likelihood, Risk.inherent_impact)
        if basis == ScoreBasis.inherent
        else (Risk.residual_likelihood, Risk.residual_impact)
    )
    risks = _risk_statement(session, actor, filters, basis=basis, **extra).subquery()
    lk, im = risks.c[likelihood.key], risks.c[impact.key]  # type: ignore[attr-defined]
    rows = session.execute(select(lk, im, func.count()).group_by(lk, im)).all()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for li, ii, n in rows:
        counts[(li, ii)] += n
    cells = [
        HeatMapCell(
            likelihood=li,
            impact=ii,
            score=scale.score(li, ii),
            band=scale.band(scale.score(li, ii)),
            count=counts.get((li, ii), 0),
        )
        for li in range(1, scale.points + 1)
        for ii in range(1, scale.points + 1)
    ]
    return HeatMap(
        scale=scale.name, basis=basis, points=scale.points, total=sum(c.count for c in cells), cells=cells
    )


def get_risk(session: Session, actor: Actor, risk_id: uuid.UUID) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None or risk.organisation_id != actor.organisation_id:
        raise NotFound("No risk with that id in your organisation.")
    return risk


def new_risk_values(actor: Actor, scale: Scale, data: RiskCreate) -> dict[str, Any]:
    """The columns of a new risk but its id and reference, checked without the database (the
    points on `scale`, the target pair, the response fitting the nature): `create_risk` and the
    bulk CSV import share it."""
    values = data.model_dump()
    if values["residual_likelihood"] is None:
        values["residual_likelihood"] = values["inherent_likelihood"]
    if values["residual_impact"] is None:
        values["residual_impact"] = values["inherent_impact"]
    _check_points(scale, values)
    _check_target_pair(values["target_likelihood"], values["target_impact"])
    _check_response(values["nature"], values["response_type"])
    return {
        **values,
        "organisation_id": actor.organisation_id,
        "raised_on": values["raised_on"] or today(),
        "status": RiskStatus.open.value,
        "scale": scale.name,
        "inherent_score": scale.score(values["inherent_likelihood"], values["inherent_impact"]),
        "residual_score": scale.score(values["residual_likelihood"], values["residual_impact"]),
    }


def risk_import_check(session: Session, actor: Actor, _projects: Collection[uuid.UUID]) -> RowCheck:
    """The bulk import's check of a risk row: the organisation's scale, read once."""
    scale = organisation_scale(session, actor.organisation_id)
    return lambda data, _row: new_risk_values(actor, scale, data)


def create_risk(session: Session, actor: Actor, data: RiskCreate) -> Risk:
    attach(
        session,
        actor,
        project_id=data.project_id,
        programme_id=data.programme_id,
        portfolio_id=data.portfolio_id,
    )
    check_people(session, actor, owner_id=data.owner_id)
    scale = organisation_scale(session, actor.organisation_id)
    risk = Risk(
        reference=next_reference(session, actor.organisation_id, RISK_PREFIX),
        **new_risk_values(actor, scale, data),
    )
    # The item is checked as it will be: the actor must be able to edit it once made.
    check_can_edit(session, actor, risk)
    audit.created(session, actor, risk, "risk")
    return risk


def update_risk(session: Session, actor: Actor, risk: Risk, data: RiskUpdate) -> Risk:
    ACTIONS.guard(actor, RiskAllowedAction.edit, action_context(session, risk))
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_RISK_FIELDS
    }
    check_people(session, actor, owner_id=changes.get("owner_id"))
    merged = {**risk.model_dump(), **changes}
    _check_points(scale_of(risk.scale), changes)
    _check_target_pair(merged["target_likelihood"], merged["target_impact"])
    _check_response(merged["nature"], merged["response_type"])
    scale = scale_of(risk.scale)
    changes["inherent_score"] = scale.score(merged["inherent_likelihood"], merged["inherent_impact"])
    changes["residual_score"] = scale.score(merged["residual_likelihood"], merged["residual_impact"])
    audit.changed(session, actor, risk, "risk", changes)
    return risk


def _changed_with_reason(
    session: Session, actor: Actor, risk: Risk, changes: dict[str, Any], action: str, reason: str
) -> None:
    """Like `audit.changed`, with the reason kept in the event (the risk has no column for it)."""
    before = audit.snapshot(risk)
    for name, value in changes.items():
        setattr(risk, name, value)
    risk.updated_at = utcnow()
    session.add(risk)
    session.flush()
    audit.record(
        session,
        actor,
        organisation_id=risk.organisation_id,
        action=action,
        record_type="risk",
        record_id=risk.id,
        before=before,
        after={**audit.snapshot(risk), "reason": reason},
    )


def escalate(session: Session, actor: Actor, risk: Risk, data: Escalation) -> Risk:
    ACTIONS.guard(actor, RiskAllowedAction.escalate, action_context(session, risk))
    current = EscalationLevel(risk.escalation_level)
    if ESCALATION_ORDER[data.level] <= ESCALATION_ORDER[current]:
        raise Conflict(
            f"{risk.reference} is at {current.value} level: escalate it to a level above that "
            "(programme, then steering_group)."
        )
    _changed_with_reason(
        session,
        actor,
        risk,
        {"escalation_level": data.level.value, "escalation_reason": data.reason},
        "escalate",
        data.reason,
    )
    emitters.risk_escalated(session, risk)
    return risk


def de_escalate(session: Session, actor: Actor, risk: Risk, data: Escalation) -> Risk:
    ACTIONS.guard(actor, RiskAllowedAction.de_escalate, action_context(session, risk))
    current = EscalationLevel(risk.escalation_level)
    if ESCALATION_ORDER[data.level] >= ESCALATION_ORDER[current]:
        raise Conflict(f"{risk.reference} is at {current.value} level: de-escalate it to a level below that.")
    changes = {
        "escalation_level": data.level.value,
        "escalation_reason": data.reason if data.level != EscalationLevel.project else None,
    }
    _changed_with_reason(session, actor, risk, changes, "de-escalate", data.reason)
    return risk


def close_risk(session: Session, actor: Actor, risk: Risk, data: Closure) -> Risk:
    ACTIONS.guard(actor, RiskAllowedAction.close, action_context(session, risk))
    _changed_with_reason(
        session, actor, risk, {"status": RiskStatus.closed.value, "closed_at": utcnow()}, "close", data.reason
    )
    return risk


def risk_occurred(session: Session, actor: Actor, risk: Risk, data: RiskOccurred) -> tuple[Risk, Issue]:
    """The risk happened: raise the issue it became and close the risk as "occurred"."""
    ACTIONS.guard(actor, RiskAllowedAction.occurred, action_context(session, risk))
    check_people(session, actor, owner_id=data.owner_id)
    issue = Issue(
        organisation_id=actor.organisation_id,
        reference=next_reference(session, actor.organisation_id, ISSUE_PREFIX),
        project_id=risk.project_id,
        programme_id=risk.programme_id,
        portfolio_id=risk.portfolio_id,
        owner_id=data.owner_id or risk.owner_id,
        status="open",
        raised_on=today(),
        title=data.title or risk.title,
        description=data.description,
        issue_type="problem_concern",
        category=risk.category,
        priority=data.priority.value,
        severity=data.severity.value,
        raised_by_id=actor.id if actor.kind == "user" else None,
        due_date=data.due_date,
        escalation_level=risk.escalation_level,
        escalation_reason=risk.escalation_reason,
        risk_id=risk.id,
    )
    audit.created(session, actor, issue, "issue")
    audit.changed(
        session,
        actor,
        risk,
        "risk",
        {"status": RiskStatus.occurred.value, "closed_at": utcnow()},
        action="occurred",
    )
    return risk, issue


def occurred_result(session: Session, actor: Actor, risk: Risk, issue: Issue) -> RiskOccurredResult:
    risk_now = risk_public(actor, action_context(session, risk))
    return RiskOccurredResult(risk=risk_now, issue=LinkedIssue.model_validate(issue))


def history(session: Session, actor: Actor, risk: Risk) -> RiskHistory:
    """The risk's audit events and its actions' (deleted ones too), oldest first."""
    risk_id = str(risk.id)
    of_action = and_(
        col(AuditEvent.record_type) == "risk_action",
        or_(
            col(AuditEvent.after)["risk_id"].as_string() == risk_id,
            col(AuditEvent.before)["risk_id"].as_string() == risk_id,
        ),
    )
    events = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.organisation_id == actor.organisation_id,
            or_(and_(col(AuditEvent.record_type) == "risk", col(AuditEvent.record_id) == risk.id), of_action),
        )
        .order_by(col(AuditEvent.seq))
    ).scalars()
    return RiskHistory(items=[AuditEventPublic.model_validate(e) for e in events])


# Response actions ---------------------------------------------------------------------------

ACTION_SORTS = {
    "due_date": func.coalesce(RiskAction.due_date, date.max),
    "created_at": RiskAction.created_at,
    "status": RiskAction.status,
}


def list_actions(
    session: Session, actor: Actor, risk: Risk, page: PageParams, *, status: str | None, sort: str
) -> Page[Any]:
    statement = select(RiskAction).where(
        RiskAction.organisation_id == actor.organisation_id, RiskAction.risk_id == risk.id
    )
    if status is not None:
        statement = statement.where(RiskAction.status == status)
    statement = statement.order_by(*order_by(sort, ACTION_SORTS, RiskAction.id))
    context = action_context(session, risk)
    return paginate(session, statement, page, lambda action: action_public(actor, context, action))


def get_action(session: Session, actor: Actor, action_id: uuid.UUID) -> RiskAction:
    action = session.get(RiskAction, action_id)
    if action is None or action.organisation_id != actor.organisation_id:
        raise NotFound("No risk action with that id in your organisation.")
    return action


def create_action(session: Session, actor: Actor, risk: Risk, data: RiskActionCreate) -> RiskAction:
    # Adding an action changes the risk: who may edit the risk now may add one.
    ACTIONS.guard(actor, RiskAllowedAction.edit, action_context(session, risk))
    check_people(session, actor, actionee_id=data.actionee_id)
    action = RiskAction(organisation_id=actor.organisation_id, risk_id=risk.id, **data.model_dump())
    audit.created(session, actor, action, "risk_action")
    _tell_actionee(session, actor, risk, action)
    return action


def _tell_actionee(session: Session, actor: Actor, risk: Risk, action: RiskAction) -> None:
    if action.actionee_id is not None and action.actionee_id != actor.id:
        notifications.notify(
            session,
            risk.organisation_id,
            [action.actionee_id],
            NotificationKind.assigned,
            f"{risk.reference} {risk.title}: an action was given to you",
            f"/risks/{risk.id}/edit",
        )


def update_action(session: Session, actor: Actor, action: RiskAction, data: RiskActionUpdate) -> RiskAction:
    risk = session.get_one(Risk, action.risk_id)
    RESPONSE_ACTIONS.guard(actor, RiskActionAllowedAction.edit, action_context(session, risk))
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_ACTION_FIELDS
    }
    check_people(session, actor, actionee_id=changes.get("actionee_id"))
    reassigned = "actionee_id" in changes and changes["actionee_id"] != action.actionee_id
    audit.changed(session, actor, action, "risk_action", changes)
    if reassigned:
        _tell_actionee(session, actor, risk, action)
    return action


def delete_action(session: Session, actor: Actor, action: RiskAction) -> None:
    risk = session.get_one(Risk, action.risk_id)
    RESPONSE_ACTIONS.guard(actor, RiskActionAllowedAction.delete, action_context(session, risk))
    audit.deleted(session, actor, action, "risk_action")


def organisation_has_risks(session: Session, organisation_id: uuid.UUID) -> bool:
    return (
        session.execute(select(Risk.id).where(Risk.organisation_id == organisation_id).limit(1)).first()
        is not None
    )
