"""Lifecycles, gate reviews and decisions. Takes a session; never commits.

A project's stage changes only here, when a gate review is approved (`decide`).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, exists, func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor, Permission, Role
from pmo.core.schemas import Page
from pmo.gates import policies
from pmo.gates.models import GateDecision, GateReview, Lifecycle
from pmo.gates.schemas import (
    APPROVALS,
    Approval,
    DeciderType,
    GateDecisionChoice,
    GateDecisionCreate,
    GateDecisionPublic,
    GatePublic,
    GateReviewAction,
    GateReviewCreate,
    GateReviewDetail,
    GateReviewPublic,
    LifecycleCreate,
    LifecyclePublic,
    ReviewStatus,
)
from pmo.gates.templates import BUILTIN_LIFECYCLES, DEFAULT_BUILTIN
from pmo.organisations.models import Organisation, User
from pmo.portfolio import policies as portfolio_policies
from pmo.portfolio import scope
from pmo.portfolio.models import GovernanceBody, GovernanceBodyMember, Programme, Project
from pmo.portfolio.projects_schemas import ProjectAction
from pmo.webhooks import emitters
from pmo.work import notifications_service as notifications
from pmo.work.notifications_schemas import NotificationKind

# Lifecycles ----------------------------------------------------------------------------


def install_builtin_lifecycles(
    session: Session, organisation_id: uuid.UUID, *, audit_organisation: bool = True
) -> None:
    """Give an organisation the built-in lifecycles; Chesterfield's becomes its default.

    Idempotent: a built-in the organisation already has is left alone. `audit_organisation`
    False is for a new organisation, whose "create" event (written next) carries the default.
    """
    rows = session.execute(
        select(Lifecycle.builtin_key, Lifecycle.id).where(
            Lifecycle.organisation_id == organisation_id,
            Lifecycle.builtin_key.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    existing: dict[str, uuid.UUID] = {row[0]: row[1] for row in rows}
    for template in BUILTIN_LIFECYCLES:
        if template["builtin_key"] in existing:
            continue
        lifecycle = Lifecycle(
            organisation_id=organisation_id,
            name=template["name"],
            description=template["description"],
            builtin_key=template["builtin_key"],
            stages=copy.deepcopy(template["stages"]),
            gates=copy.deepcopy(template["gates"]),
        )
        audit.created(session, None, lifecycle, "lifecycle")
        existing[template["builtin_key"]] = lifecycle.id
    organisation = session.get_one(Organisation, organisation_id)
    if organisation.default_lifecycle_id is None:
        if audit_organisation:
            changes = {"default_lifecycle_id": existing[DEFAULT_BUILTIN]}
            audit.changed(session, None, organisation, "organisation", changes)
        else:
            organisation.default_lifecycle_id = existing[DEFAULT_BUILTIN]
            session.add(organisation)
            session.flush()


def default_lifecycle(session: Session, organisation_id: uuid.UUID) -> Lifecycle:
    """The lifecycle new projects of the organisation follow."""
    organisation = session.get_one(Organisation, organisation_id)
    lifecycle = (
        session.get(Lifecycle, organisation.default_lifecycle_id)
        if organisation.default_lifecycle_id
        else None
    )
    if lifecycle is None or lifecycle.organisation_id != organisation_id:
        # Not expected (every organisation gets the built-ins); repair rather than fail.
        install_builtin_lifecycles(session, organisation_id)
        lifecycle = session.execute(
            select(Lifecycle).where(
                Lifecycle.organisation_id == organisation_id, Lifecycle.builtin_key == DEFAULT_BUILTIN
            )
        ).scalar_one()
    return lifecycle


def get_lifecycle(session: Session, actor: Actor, lifecycle_id: uuid.UUID) -> Lifecycle:
    lifecycle = session.get(Lifecycle, lifecycle_id)
    if lifecycle is None or lifecycle.organisation_id != actor.organisation_id:
        raise NotFound("No lifecycle with that id in your organisation.")
    return lifecycle


def first_stage(lifecycle: Lifecycle) -> str:
    """The key of the stage a new project starts in."""
    key: str = lifecycle.stages[0]["key"]
    return key


def stage_names(lifecycle: Lifecycle) -> dict[str, str]:
    return {stage["key"]: stage["name"] for stage in lifecycle.stages}


def _gate_from(lifecycle: Lifecycle, stage: str) -> dict[str, Any] | None:
    return next((gate for gate in lifecycle.gates if gate["from_stage"] == stage), None)


def gate_of(lifecycle: Lifecycle, gate_key: str) -> dict[str, Any] | None:
    return next((gate for gate in lifecycle.gates if gate["key"] == gate_key), None)


def lifecycle_public(lifecycle: Lifecycle, default_id: uuid.UUID | None) -> LifecyclePublic:
    return LifecyclePublic.model_validate(
        {**lifecycle.model_dump(), "is_default": lifecycle.id == default_id}
    )


def _default_id(session: Session, organisation_id: uuid.UUID) -> uuid.UUID | None:
    return session.get_one(Organisation, organisation_id).default_lifecycle_id


def lifecycle_view(session: Session, lifecycle: Lifecycle) -> LifecyclePublic:
    return lifecycle_public(lifecycle, _default_id(session, lifecycle.organisation_id))


LIFECYCLE_SORTS = {"name": Lifecycle.name, "created_at": Lifecycle.created_at}


def list_lifecycles(session: Session, actor: Actor, page: PageParams, sort: str) -> Page[LifecyclePublic]:
    default_id = _default_id(session, actor.organisation_id)
    statement = (
        select(Lifecycle)
        .where(Lifecycle.organisation_id == actor.organisation_id)
        .order_by(*order_by(sort, LIFECYCLE_SORTS, Lifecycle.id))
    )
    return paginate(session, statement, page, lambda row: lifecycle_public(row, default_id))


def create_lifecycle(session: Session, actor: Actor, data: LifecycleCreate) -> Lifecycle:
    taken = session.execute(
        select(Lifecycle.id).where(
            Lifecycle.organisation_id == actor.organisation_id,
            func.lower(Lifecycle.name) == data.name.lower(),
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a lifecycle called '{data.name}'.")
    stage_order = [stage.key for stage in data.stages]
    gates = sorted(data.gates, key=lambda gate: stage_order.index(gate.from_stage))
    lifecycle = Lifecycle(
        organisation_id=actor.organisation_id,
        name=data.name,
        description=data.description,
        stages=[stage.model_dump(mode="json") for stage in data.stages],
        gates=[gate.model_dump(mode="json") for gate in gates],
    )
    audit.created(session, actor, lifecycle, "lifecycle")
    return lifecycle


def make_default(session: Session, actor: Actor, lifecycle: Lifecycle) -> Lifecycle:
    """New projects follow `lifecycle`; existing projects keep theirs."""
    organisation = session.get_one(Organisation, actor.organisation_id)
    if organisation.default_lifecycle_id != lifecycle.id:
        audit.changed(session, actor, organisation, "organisation", {"default_lifecycle_id": lifecycle.id})
    return lifecycle


# Gate reviews ----------------------------------------------------------------------------


def get_project(session: Session, actor: Actor, project_id: uuid.UUID) -> Project:
    project = session.get(Project, project_id)
    if project is None or project.organisation_id != actor.organisation_id:
        raise NotFound("No project with that id in your organisation.")
    return project


def get_review(session: Session, actor: Actor, review_id: uuid.UUID) -> GateReview:
    review = session.get(GateReview, review_id)
    if review is None or review.organisation_id != actor.organisation_id:
        raise NotFound("No gate review with that id in your organisation.")
    return review


def unanswered(review: GateReview, gate: dict[str, Any]) -> list[str]:
    """The gate's criteria with no answer, or a blank one, in the gate's order."""
    answered = {a["criterion"] for a in review.answers if str(a.get("answer", "")).strip()}
    return [c["key"] for c in gate["criteria"] if c["key"] not in answered]


def _review_gate(session: Session, review: GateReview) -> dict[str, Any]:
    lifecycle = session.get_one(Lifecycle, review.lifecycle_id)
    gate = gate_of(lifecycle, review.gate_key)
    if gate is None:  # lifecycles never change, so this is a damaged record
        raise Conflict("The gate of this review is no longer in its lifecycle.")
    return gate


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class ReviewContext:
    review: GateReview
    gate: dict[str, Any] | None  # None only for a damaged record (see `_review_gate`)
    decided_by: frozenset[uuid.UUID]  # the deciders who have recorded their decision


def _may_decide(choice: GateDecisionChoice) -> Any:
    def check(actor: Actor, c: ReviewContext) -> Verdict:
        if not (allowed := policies.can_decide(actor, c.review)):
            return allowed
        if c.review.status != ReviewStatus.pending.value:
            return Blocked(f"The review is {c.review.status}; only a pending review can be decided.")
        if actor.id in c.decided_by:
            return Blocked("You have already decided this review.")
        missing = unanswered(c.review, c.gate) if c.gate is not None and choice in APPROVALS else []
        if missing:
            return Blocked(
                "A review with a criterion unanswered cannot be approved: "
                + ", ".join(missing)
                + ". Defer or reject it, or ask for a new request with every answer.",
                status=422,
                errors=tuple(
                    FieldProblem(
                        location=["body", "decision"],
                        message=f"criterion '{key}' is unanswered",
                        type="value_error",
                    )
                    for key in missing
                ),
            )
        return True

    return check


def _may_withdraw(actor: Actor, c: ReviewContext) -> Verdict:
    if not (allowed := policies.can_withdraw(actor, c.review)):
        return allowed
    if c.review.status != ReviewStatus.pending.value:
        return Blocked(f"The review is {c.review.status}; only a pending review can be withdrawn.")
    return True


ACTIONS = ActionTable(
    GateReviewAction,
    {
        **{
            GateReviewAction(choice.value): Rule(Permission.gate_reviews_decide, _may_decide(choice))
            for choice in GateDecisionChoice
        },
        GateReviewAction.withdraw: Rule(Permission.gate_reviews_request, _may_withdraw),
    },
)


def action_contexts(session: Session, reviews: Sequence[GateReview]) -> list[ReviewContext]:
    """The contexts of `reviews` in two queries, however many there are."""
    if not reviews:
        return []
    lifecycles = {
        lc.id: lc
        for lc in session.execute(
            select(Lifecycle).where(col(Lifecycle.id).in_({r.lifecycle_id for r in reviews}))
        ).scalars()
    }
    decided_by: dict[uuid.UUID, set[uuid.UUID]] = {}
    for review_id, decider_id in session.execute(
        select(GateDecision.review_id, GateDecision.decider_id).where(
            col(GateDecision.review_id).in_([r.id for r in reviews])
        )
    ):
        decided_by.setdefault(review_id, set()).add(decider_id)
    return [
        ReviewContext(r, gate_of(lifecycles[r.lifecycle_id], r.gate_key), frozenset(decided_by.get(r.id, ())))
        for r in reviews
    ]


def action_context(session: Session, review: GateReview) -> ReviewContext:
    return action_contexts(session, [review])[0]


def review_public(actor: Actor, context: ReviewContext) -> GateReviewPublic:
    return GateReviewPublic.model_validate(
        {**context.review.model_dump(), "allowed_actions": ACTIONS.allowed(actor, context)}
    )


def review_detail(session: Session, actor: Actor, review: GateReview) -> GateReviewDetail:
    gate = _review_gate(session, review)
    decisions = session.execute(
        select(GateDecision)
        .where(GateDecision.review_id == review.id)
        .order_by(col(GateDecision.decided_at), col(GateDecision.id))
    ).scalars()
    return GateReviewDetail.model_validate(
        {
            **review_public(actor, action_context(session, review)).model_dump(),
            "gate": GatePublic.model_validate(gate),
            "unanswered": unanswered(review, gate),
            "decisions": [GateDecisionPublic.model_validate(d) for d in decisions],
        }
    )


def _active_role_holders(
    session: Session, project: Project, role: Role, *, any_directorate: bool
) -> set[uuid.UUID]:
    """Active holders of `role` whose scope covers the project (`any_directorate`: any scope)."""
    place = scope.project_place(project)
    return scope.people_holding(
        session, project.organisation_id, [role.value], lambda g: any_directorate or g.covers(place)
    )


def resolve_deciders(
    session: Session, project: Project, gate: dict[str, Any], requester_id: uuid.UUID
) -> list[uuid.UUID]:
    """The people who decide `gate` for `project` now, never the requester (four-eyes).

    A 409 naming what must be set up when nobody can decide.
    """
    deciders: set[uuid.UUID] = set()
    wanted: list[str] = []
    for spec in gate["deciders"]:
        kind = DeciderType(spec["type"])
        if kind == DeciderType.governance_body:
            body_id = project.governance_body_id
            if body_id is None:
                programme = session.get_one(Programme, project.programme_id)
                body_id = programme.governance_body_id
            if body_id is None:
                wanted.append("a governance body overseeing the project or its programme")
                continue
            body = session.get_one(GovernanceBody, body_id)
            deciders |= set(
                session.execute(
                    select(GovernanceBodyMember.user_id)
                    .join(User, col(User.id) == col(GovernanceBodyMember.user_id))
                    .where(GovernanceBodyMember.body_id == body_id, col(User.is_active).is_(True))
                ).scalars()
            )
            wanted.append(f"active members of {body.name}")
        elif kind == DeciderType.role:
            role = Role(spec["role"])
            deciders |= _active_role_holders(session, project, role, any_directorate=False)
            wanted.append(f"active people with the {role.value} role for the project (its scope covers it)")
        else:
            deciders |= _active_role_holders(session, project, Role.member, any_directorate=True)
            wanted.append("elected members (active people with the member role)")
    deciders.discard(requester_id)
    if not deciders:
        raise Conflict(
            f"Nobody but you can decide the gate '{gate['name']}'. It needs "
            + "; or ".join(wanted)
            + ". Set them up, then ask again."
        )
    return sorted(deciders, key=str)


def request_review(session: Session, actor: Actor, project: Project, data: GateReviewCreate) -> GateReview:
    portfolio_policies.ACTIONS.guard(
        actor, ProjectAction.request_gate_review, portfolio_policies.action_context(session, project)
    )
    # Lock the project: two requests at once for one gate supersede each other in turn.
    session.refresh(project, with_for_update=True)
    lifecycle = session.get_one(Lifecycle, project.lifecycle_id)
    names = stage_names(lifecycle)
    if data.gate_key is not None:
        gate = gate_of(lifecycle, data.gate_key)
        if gate is None:
            raise Unprocessable(
                f"The project's lifecycle has no gate '{data.gate_key}'.",
                errors=[
                    FieldProblem(location=["body", "gate_key"], message="no such gate", type="value_error")
                ],
            )
        if gate["from_stage"] != project.stage:
            raise Conflict(
                f"The gate '{gate['name']}' leads from {names[gate['from_stage']]}, but the project is at "
                f"{names.get(project.stage, project.stage)}: a project moves one stage at a time."
            )
    else:
        found = _gate_from(lifecycle, project.stage)
        if found is None:
            raise Conflict(f"The project is at {names.get(project.stage, project.stage)}, its last stage.")
        gate = found
    criteria = {c["key"] for c in gate["criteria"]}
    problems = [
        FieldProblem(
            location=["body", "answers", i, "criterion"],
            message="not a criterion of this gate",
            type="value_error",
        )
        for i, answer in enumerate(data.answers)
        if answer.criterion not in criteria
    ]
    sections: list[str] = gate.get("business_case_sections", [])
    given = data.business_case or {}
    problems += [
        FieldProblem(
            location=["body", "business_case", key],
            message="not a section this gate asks for",
            type="value_error",
        )
        for key in given
        if key not in sections
    ]
    problems += [
        FieldProblem(
            location=["body", "business_case", key], message="this section is required", type="missing"
        )
        for key in sections
        if not given.get(key, "").strip()
    ]
    if problems:
        raise Unprocessable(
            f"The request does not fit the gate '{gate['name']}': answer only its criteria "
            f"({', '.join(sorted(criteria))})"
            + (f" and give every business case section ({', '.join(sections)})." if sections else "."),
            errors=problems,
        )
    decider_ids = resolve_deciders(session, project, gate, actor.id)
    earlier = session.execute(
        select(GateReview)
        .where(
            GateReview.project_id == project.id,
            GateReview.gate_key == gate["key"],
            GateReview.status == ReviewStatus.pending.value,
        )
        .order_by(col(GateReview.requested_at))
    ).scalars()
    for old in earlier:
        audit.changed(session, actor, old, "gate_review", {"status": ReviewStatus.superseded.value})
    now = utcnow()
    review = GateReview(
        organisation_id=project.organisation_id,
        project_id=project.id,
        lifecycle_id=lifecycle.id,
        gate_key=gate["key"],
        from_stage=gate["from_stage"],
        to_stage=gate["to_stage"],
        status=ReviewStatus.pending.value,
        requested_by_id=actor.id,
        requested_at=now,
        summary=data.summary,
        answers=[a.model_dump(mode="json") for a in data.answers],
        business_case=dict(data.business_case) if data.business_case is not None else None,
        decider_ids=[str(d) for d in decider_ids],
        approval=gate.get("approval", Approval.any.value),
    )
    audit.created(session, actor, review, "gate_review")
    notifications.notify(
        session,
        project.organisation_id,
        [d for d in decider_ids if d != actor.id],  # the requester never decides (four-eyes)
        NotificationKind.decision_waiting,
        f"{project.reference} {project.name}: a gate review waits for your decision",
        f"/gate-reviews/{review.id}",
    )
    return review


def withdraw(session: Session, actor: Actor, review: GateReview) -> GateReview:
    session.refresh(review, with_for_update=True)
    ACTIONS.guard(actor, GateReviewAction.withdraw, action_context(session, review))
    audit.changed(session, actor, review, "gate_review", {"status": ReviewStatus.withdrawn.value})
    return review


OUTCOMES = {
    GateDecisionChoice.approve: ReviewStatus.approved,
    GateDecisionChoice.approve_with_conditions: ReviewStatus.approved_with_conditions,
    GateDecisionChoice.defer: ReviewStatus.deferred,
    GateDecisionChoice.reject: ReviewStatus.rejected,
}


def decide(session: Session, actor: Actor, review: GateReview, data: GateDecisionCreate) -> GateReview:
    """Record one decider's decision; settle the review when its approval rule is met.

    `any`: the first decision settles it. `all`: a defer or reject settles it at once; it is
    approved when every decider has approved (with conditions, if any of them set some).
    An approved review moves the project to the next stage, in this transaction.
    """
    # Lock the review: deciders deciding at once settle it one after another.
    session.refresh(review, with_for_update=True)
    ACTIONS.guard(actor, GateReviewAction(data.decision.value), action_context(session, review))
    decisions = list(
        session.execute(
            select(GateDecision)
            .where(GateDecision.review_id == review.id)
            .order_by(col(GateDecision.decided_at), col(GateDecision.id))
        ).scalars()
    )
    _review_gate(session, review)  # a damaged record is a 409
    now = utcnow()
    decision = GateDecision(
        organisation_id=review.organisation_id,
        review_id=review.id,
        decider_id=actor.id,
        decision=data.decision.value,
        reason=data.reason,
        conditions=data.conditions,
        decided_at=now,
    )
    audit.created(session, actor, decision, "gate_decision")
    decisions.append(decision)

    outcome: ReviewStatus | None = None
    if review.approval == Approval.all.value and data.decision in APPROVALS:
        approvers = {d.decider_id for d in decisions if GateDecisionChoice(d.decision) in APPROVALS}
        if {str(a) for a in approvers} >= set(review.decider_ids):
            with_conditions = any(d.conditions for d in decisions)
            outcome = ReviewStatus.approved_with_conditions if with_conditions else ReviewStatus.approved
    else:
        outcome = OUTCOMES[data.decision]
    if outcome is None:
        return review

    settling = (
        decisions if outcome in (ReviewStatus.approved, ReviewStatus.approved_with_conditions) else [decision]
    )
    conditions = "\n".join(d.conditions for d in settling if d.conditions) or None
    audit.changed(
        session,
        actor,
        review,
        "gate_review",
        {
            "status": outcome.value,
            "decided_at": now,
            "outcome_reason": "\n".join(d.reason for d in settling),
            "conditions": conditions,
        },
    )
    emitters.gate_review_decided(session, review)
    if outcome in (ReviewStatus.approved, ReviewStatus.approved_with_conditions):
        _move_project(session, actor, review)
    project = session.get_one(Project, review.project_id)
    notifications.notify(
        session,
        review.organisation_id,
        [review.requested_by_id],
        NotificationKind.request_decided,
        f"{project.reference} {project.name}: your gate review was {outcome.value.replace('_', ' ')}",
        f"/gate-reviews/{review.id}",
    )
    return review


def _move_project(session: Session, actor: Actor, review: GateReview) -> None:
    """The one place a project's stage changes."""
    project = session.get_one(Project, review.project_id)
    session.refresh(project, with_for_update=True)
    if project.stage != review.from_stage or project.lifecycle_id != review.lifecycle_id:
        raise Conflict("The project is no longer at the stage this review leads from.")
    audit.changed(session, actor, project, "project", {"stage": review.to_stage}, action="stage_change")
    emitters.project_stage_changed(session, project, review)


REVIEW_SORTS = {
    "requested_at": GateReview.requested_at,
    "decided_at": GateReview.decided_at,
    "status": GateReview.status,
}


def list_reviews(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    status: ReviewStatus | None = None,
    project_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    awaiting_me: bool = False,
    sort: str = "-requested_at",
) -> Page[GateReviewPublic]:
    statement = select(GateReview).where(GateReview.organisation_id == actor.organisation_id)
    if status is not None:
        statement = statement.where(GateReview.status == status.value)
    if project_id is not None:
        statement = statement.where(GateReview.project_id == project_id)
    if programme_id is not None:
        statement = statement.where(
            col(GateReview.project_id).in_(select(Project.id).where(Project.programme_id == programme_id))
        )
    if awaiting_me:
        statement = statement.where(*awaiting_decision_by(actor.id))
    statement = statement.order_by(*order_by(sort, REVIEW_SORTS, GateReview.id))
    found = paginate(session, statement, page)
    found.items = [review_public(actor, c) for c in action_contexts(session, found.items)]
    return found


def awaiting_decision_by(user_id: uuid.UUID) -> list[Any]:
    """WHERE conditions on GateReview: pending, `user_id` a decider, and not yet decided by them."""
    # decider_ids is a JSON list of UUID strings; its text holds the id in quotes on both
    # databases (UUIDs have no LIKE wildcards).
    return [
        GateReview.status == ReviewStatus.pending.value,
        cast(GateReview.decider_ids, String).like(f'%"{user_id}"%'),
        ~exists().where(
            col(GateDecision.review_id) == col(GateReview.id), col(GateDecision.decider_id) == user_id
        ),
    ]
