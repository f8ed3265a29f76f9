"""Issues, assumptions and dependencies: the business rules. Takes a session and the actor;
never commits.

Every record is looked up within the actor's organisation first: another organisation's
item, project (including the other end of a dependency) or person is "not found" (404).
Every write is audited, one event per changed record, in the same transaction; an invalid
assumption that raises a risk or an issue writes both or (on any error) neither.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.audit.models import AuditEvent
from pmo.audit.schemas import AuditEventPublic
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission, enforce
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.portfolio.models import Programme, Project
from pmo.raid import risks_service
from pmo.raid.common import (
    ESCALATION_ORDER,
    EscalationLevel,
    RaidFilters,
    RowCheck,
    attach,
    can_edit_item,
    check_people,
    raid_filters,
)
from pmo.raid.items_schemas import (
    AssumptionAction,
    AssumptionCreate,
    AssumptionPublic,
    AssumptionStatus,
    AssumptionUpdate,
    Deescalate,
    DependencyAction,
    DependencyCreate,
    DependencyDirection,
    DependencyPublic,
    DependencyStatus,
    DependencyUpdate,
    Escalate,
    Invalidate,
    InvalidationResult,
    IssueAction,
    IssueCreate,
    IssuePublic,
    IssueStatus,
    IssueUpdate,
    ItemHistory,
    ProjectDependency,
    RaisedIssue,
    RaisedRisk,
)
from pmo.raid.models import Assumption, Dependency, Issue, Risk
from pmo.raid.risks_schemas import RiskCreate

ISSUE_PREFIX, ASSUMPTION_PREFIX, DEPENDENCY_PREFIX = "I", "A", "D"
ISSUE_DONE = (IssueStatus.resolved.value, IssueStatus.closed.value)
DEPENDENCY_DONE = (DependencyStatus.met.value, DependencyStatus.closed.value)
RATING_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def _may_create(
    session: Session,
    actor: Actor,
    *,
    project_id: uuid.UUID | None,
    programme_id: uuid.UUID | None,
    portfolio_id: uuid.UUID | None,
) -> dict[str, uuid.UUID | None]:
    """Where a new item goes (404 if not ours, 422 unless exactly one), checked against policy."""
    project, programme, portfolio = attach(
        session, actor, project_id=project_id, programme_id=programme_id, portfolio_id=portfolio_id
    )
    enforce(can_edit_item(actor, None, project, programme))
    return {
        "project_id": project.id if project else None,
        "programme_id": programme.id if programme else None,
        "portfolio_id": portfolio.id if portfolio else None,
    }


def _changes(data: Any, nullable: frozenset[str]) -> dict[str, Any]:
    """The fields a PATCH sets; `null` only for those that may be empty (422 otherwise)."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    refused = [name for name, value in changes.items() if value is None and name not in nullable]
    if refused:
        raise Unprocessable(
            f"These cannot be null: {', '.join(refused)}.",
            errors=[
                FieldProblem(location=["body", n], message="may not be null", type="value_error")
                for n in refused
            ],
        )
    return changes


def _closed_at(old_status: str, new_status: str, done: tuple[str, ...], current: Any) -> Any:
    if new_status in done and old_status not in done:
        return utcnow()
    if new_status not in done:
        return None
    return current


# What the caller may do: the routes guard with the kind's table, `allowed_actions` lists
# what it allows.


@dataclasses.dataclass(frozen=True)
class ItemContext:
    item: Any  # an Issue, Assumption or Dependency
    project: Project | None
    programme: Programme | None
    other_project: Project | None = None  # a dependency's other end


def _editable(actor: Actor, c: ItemContext) -> Verdict:
    """The PMO, or who may change the item's project or programme; for a dependency, who may
    change either of its two projects."""
    if c.other_project is not None and can_edit_item(actor, c.item, c.other_project) is True:
        return True
    return can_edit_item(actor, c.item, c.project, c.programme)


def _not_done(*done: str) -> Any:
    def check(_actor: Actor, c: ItemContext) -> Verdict:
        if c.item.status in done:
            return Blocked(f"{c.item.reference} is {c.item.status}: reopen it before escalating it.")
        return True

    return check


def _below_top(_actor: Actor, c: ItemContext) -> Verdict:
    current = EscalationLevel(c.item.escalation_level)
    if ESCALATION_ORDER[current] == max(ESCALATION_ORDER.values()):
        return Blocked(f"{c.item.reference} is already at {current.value} level: there is no level above it.")
    return True


def _above_project(_actor: Actor, c: ItemContext) -> Verdict:
    current = EscalationLevel(c.item.escalation_level)
    if ESCALATION_ORDER[current] == 0:
        return Blocked(f"{c.item.reference} is at {current.value} level: de-escalate to a level below it.")
    return True


def _nothing_raised(_actor: Actor, c: ItemContext) -> Verdict:
    if c.item.raised_risk_id is not None or c.item.raised_issue_id is not None:
        return Blocked(f"{c.item.reference} has already raised a risk or issue.")
    return True


_EDIT = Permission.raid_edit
ISSUE_ACTIONS = ActionTable(
    IssueAction,
    {
        IssueAction.edit: Rule(_EDIT, _editable),
        IssueAction.escalate: Rule(_EDIT, steps(_editable, _not_done(*ISSUE_DONE), _below_top)),
        IssueAction.de_escalate: Rule(_EDIT, steps(_editable, _above_project)),
    },
)
ASSUMPTION_ACTIONS = ActionTable(
    AssumptionAction,
    {
        AssumptionAction.edit: Rule(_EDIT, _editable),
        AssumptionAction.invalidate: Rule(_EDIT, steps(_editable, _nothing_raised)),
    },
)
DEPENDENCY_ACTIONS = ActionTable(
    DependencyAction,
    {
        DependencyAction.edit: Rule(_EDIT, _editable),
        DependencyAction.escalate: Rule(_EDIT, steps(_editable, _not_done(*DEPENDENCY_DONE), _below_top)),
        DependencyAction.de_escalate: Rule(_EDIT, steps(_editable, _above_project)),
    },
)


def action_contexts(session: Session, items: Sequence[Any]) -> list[ItemContext]:
    """The contexts of `items` (of one kind) in two queries, however many there are."""
    if not items:
        return []
    project_ids = {i.project_id for i in items if i.project_id} | {
        other for i in items if (other := getattr(i, "other_project_id", None))
    }
    programme_ids = {i.programme_id for i in items if i.programme_id}
    projects = {
        p.id: p for p in session.execute(select(Project).where(col(Project.id).in_(project_ids))).scalars()
    }
    programmes = (
        {
            p.id: p
            for p in session.execute(select(Programme).where(col(Programme.id).in_(programme_ids))).scalars()
        }
        if programme_ids
        else {}
    )
    return [
        ItemContext(
            i,
            projects.get(i.project_id) if i.project_id else None,
            programmes.get(i.programme_id) if i.programme_id else None,
            projects.get(other) if (other := getattr(i, "other_project_id", None)) else None,
        )
        for i in items
    ]


def action_context(session: Session, item: Any) -> ItemContext:
    return action_contexts(session, [item])[0]


def _escalate(
    session: Session,
    actor: Actor,
    table: ActionTable[Any, ItemContext],
    item: Any,
    record_type: str,
    data: Escalate,
) -> None:
    table.guard(actor, table.actions("escalate"), action_context(session, item))
    current = EscalationLevel(item.escalation_level)
    target = EscalationLevel(data.level.value)
    if ESCALATION_ORDER[target] <= ESCALATION_ORDER[current]:
        raise Conflict(f"{item.reference} is already at {current.value} level: escalate to a level above it.")
    audit.changed(
        session,
        actor,
        item,
        record_type,
        {"escalation_level": target.value, "escalation_reason": data.reason},
        action="escalate",
    )


def _deescalate(
    session: Session,
    actor: Actor,
    table: ActionTable[Any, ItemContext],
    item: Any,
    record_type: str,
    data: Deescalate,
) -> None:
    table.guard(actor, table.actions("de_escalate"), action_context(session, item))
    current = EscalationLevel(item.escalation_level)
    if ESCALATION_ORDER[data.level] >= ESCALATION_ORDER[current]:
        raise Conflict(f"{item.reference} is at {current.value} level: de-escalate to a level below it.")
    reason = None if data.level == EscalationLevel.project else (data.reason or item.escalation_reason)
    audit.changed(
        session,
        actor,
        item,
        record_type,
        {"escalation_level": data.level.value, "escalation_reason": reason},
        action="de-escalate",
    )


def history(session: Session, actor: Actor, item: Any) -> ItemHistory:
    """The item's audit events, oldest first."""
    events = session.execute(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == actor.organisation_id, col(AuditEvent.record_id) == item.id)
        .order_by(col(AuditEvent.seq))
    ).scalars()
    return ItemHistory(items=[AuditEventPublic.model_validate(e) for e in events])


# Issues ----------------------------------------------------------------------------------

ISSUE_SORTS: dict[str, Any] = {
    "reference": Issue.reference,
    "title": Issue.title,
    "status": Issue.status,
    "priority": case(RATING_RANK, value=Issue.priority, else_=0),
    "severity": case(RATING_RANK, value=Issue.severity, else_=0),
    "due_date": Issue.due_date,
    "raised_on": Issue.raised_on,
    "updated_at": Issue.updated_at,
}
ISSUE_NULLABLE = frozenset({"raised_by_id", "owner_id", "due_date"})


_WORKED_OUT = frozenset({"overdue", "validation_due", "allowed_actions"})


def issues_public(session: Session, actor: Actor, issues: Sequence[Issue]) -> list[IssuePublic]:
    """Issues as the API shows them, each with what `actor` may do to it (two queries)."""
    on = today()
    return [
        IssuePublic.model_validate(
            {
                **{
                    name: getattr(c.item, name)
                    for name in IssuePublic.model_fields
                    if name not in _WORKED_OUT
                },
                "overdue": c.item.due_date is not None
                and c.item.due_date < on
                and c.item.status not in ISSUE_DONE,
                "allowed_actions": ISSUE_ACTIONS.allowed(actor, c),
            }
        )
        for c in action_contexts(session, issues)
    ]


def issue_public(session: Session, actor: Actor, issue: Issue) -> IssuePublic:
    return issues_public(session, actor, [issue])[0]


def list_issues(
    session: Session,
    actor: Actor,
    page: PageParams,
    filters: RaidFilters,
    *,
    overdue: bool | None = None,
    issue_type: str | None = None,
    priority: str | None = None,
    severity: str | None = None,
    raised_by_id: uuid.UUID | None = None,
    risk_id: uuid.UUID | None = None,
    sort: str = "reference",
) -> Page[Any]:
    statement = raid_filters(
        select(Issue).where(Issue.organisation_id == actor.organisation_id), Issue, filters
    )
    for column, value in (
        (Issue.issue_type, issue_type),
        (Issue.priority, priority),
        (Issue.severity, severity),
        (Issue.raised_by_id, raised_by_id),
        (Issue.risk_id, risk_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if overdue is not None:
        late = and_(
            col(Issue.due_date).is_not(None),
            col(Issue.due_date) < today(),
            col(Issue.status).not_in(ISSUE_DONE),
        )
        statement = statement.where(late if overdue else ~late)
    statement = statement.order_by(*order_by(sort, ISSUE_SORTS, Issue.id))
    found = paginate(session, statement, page)
    found.items = issues_public(session, actor, found.items)
    return found


def get_issue(session: Session, actor: Actor, issue_id: uuid.UUID) -> Issue:
    issue: Issue = _own(session, actor, Issue, issue_id, "issue")
    return issue


def new_issue_values(actor: Actor, data: IssueCreate) -> dict[str, Any]:
    """The columns of a new issue but its id and reference (no database): `create_issue` and
    the bulk CSV import share it."""
    values = data.model_dump()
    values["raised_by_id"] = data.raised_by_id or (actor.id if actor.kind == "user" else None)
    return {
        **values,
        "organisation_id": actor.organisation_id,
        "raised_on": today(),
        "closed_at": utcnow() if data.status.value in ISSUE_DONE else None,
    }


def create_issue(session: Session, actor: Actor, data: IssueCreate) -> Issue:
    _may_create(
        session,
        actor,
        project_id=data.project_id,
        programme_id=data.programme_id,
        portfolio_id=data.portfolio_id,
    )
    values = new_issue_values(actor, data)
    check_people(session, actor, owner_id=data.owner_id, raised_by_id=values["raised_by_id"])
    issue = Issue(reference=next_reference(session, actor.organisation_id, ISSUE_PREFIX), **values)
    audit.created(session, actor, issue, "issue")
    return issue


def issue_import_check(_session: Session, actor: Actor, _projects: Collection[uuid.UUID]) -> RowCheck:
    """The bulk import's check of an issue row (its placement, people and edit right are the
    import's own, shared by every log)."""
    return lambda data, _row: new_issue_values(actor, data)


def update_issue(session: Session, actor: Actor, issue: Issue, data: IssueUpdate) -> Issue:
    ISSUE_ACTIONS.guard(actor, IssueAction.edit, action_context(session, issue))
    changes = _changes(data, ISSUE_NULLABLE)
    check_people(session, actor, owner_id=changes.get("owner_id"), raised_by_id=changes.get("raised_by_id"))
    status = changes.get("status", issue.status)
    resolution = changes.get("resolution", issue.resolution)
    if status in ISSUE_DONE and not resolution.strip():
        raise Unprocessable(
            "A resolved or closed issue needs a resolution: say how it was resolved.",
            errors=[FieldProblem(location=["body", "resolution"], message="required", type="value_error")],
        )
    if "status" in changes:
        changes["closed_at"] = _closed_at(issue.status, status, ISSUE_DONE, issue.closed_at)
    audit.changed(session, actor, issue, "issue", changes)
    return issue


def escalate_issue(session: Session, actor: Actor, issue: Issue, data: Escalate) -> Issue:
    _escalate(session, actor, ISSUE_ACTIONS, issue, "issue", data)
    return issue


def deescalate_issue(session: Session, actor: Actor, issue: Issue, data: Deescalate) -> Issue:
    _deescalate(session, actor, ISSUE_ACTIONS, issue, "issue", data)
    return issue


# Assumptions -----------------------------------------------------------------------------

ASSUMPTION_SORTS: dict[str, Any] = {
    "reference": Assumption.reference,
    "status": Assumption.status,
    "validate_by": Assumption.validate_by,
    "raised_on": Assumption.raised_on,
    "updated_at": Assumption.updated_at,
}
ASSUMPTION_NULLABLE = frozenset({"owner_id", "validate_by"})


def assumptions_public(
    session: Session, actor: Actor, assumptions: Sequence[Assumption]
) -> list[AssumptionPublic]:
    """Assumptions as the API shows them, each with what `actor` may do to it (two queries)."""
    on = today()
    return [
        AssumptionPublic.model_validate(
            {
                **{
                    name: getattr(c.item, name)
                    for name in AssumptionPublic.model_fields
                    if name not in _WORKED_OUT
                },
                "validation_due": c.item.validate_by is not None
                and c.item.validate_by <= on
                and c.item.status == AssumptionStatus.unvalidated.value,
                "allowed_actions": ASSUMPTION_ACTIONS.allowed(actor, c),
            }
        )
        for c in action_contexts(session, assumptions)
    ]


def assumption_public(session: Session, actor: Actor, assumption: Assumption) -> AssumptionPublic:
    return assumptions_public(session, actor, [assumption])[0]


def list_assumptions(
    session: Session,
    actor: Actor,
    page: PageParams,
    filters: RaidFilters,
    *,
    validation_due: bool | None = None,
    sort: str = "reference",
) -> Page[Any]:
    statement = raid_filters(
        select(Assumption).where(Assumption.organisation_id == actor.organisation_id), Assumption, filters
    )
    if validation_due is not None:
        due = and_(
            col(Assumption.validate_by).is_not(None),
            col(Assumption.validate_by) <= today(),
            col(Assumption.status) == AssumptionStatus.unvalidated.value,
        )
        statement = statement.where(due if validation_due else ~due)
    statement = statement.order_by(*order_by(sort, ASSUMPTION_SORTS, Assumption.id))
    found = paginate(session, statement, page)
    found.items = assumptions_public(session, actor, found.items)
    return found


def get_assumption(session: Session, actor: Actor, assumption_id: uuid.UUID) -> Assumption:
    assumption: Assumption = _own(session, actor, Assumption, assumption_id, "assumption")
    return assumption


def new_assumption_values(actor: Actor, data: AssumptionCreate) -> dict[str, Any]:
    """The columns of a new assumption but its id and reference (no database): shared by
    `create_assumption` and the bulk CSV import."""
    return {
        **data.model_dump(),
        "organisation_id": actor.organisation_id,
        "raised_on": today(),
        "closed_at": None if data.status == AssumptionStatus.unvalidated else utcnow(),
    }


def create_assumption(session: Session, actor: Actor, data: AssumptionCreate) -> Assumption:
    _may_create(
        session,
        actor,
        project_id=data.project_id,
        programme_id=data.programme_id,
        portfolio_id=data.portfolio_id,
    )
    check_people(session, actor, owner_id=data.owner_id)
    assumption = Assumption(
        reference=next_reference(session, actor.organisation_id, ASSUMPTION_PREFIX),
        **new_assumption_values(actor, data),
    )
    audit.created(session, actor, assumption, "assumption")
    return assumption


def assumption_import_check(_session: Session, actor: Actor, _projects: Collection[uuid.UUID]) -> RowCheck:
    """The bulk import's check of an assumption row."""
    return lambda data, _row: new_assumption_values(actor, data)


def update_assumption(
    session: Session, actor: Actor, assumption: Assumption, data: AssumptionUpdate
) -> Assumption:
    ASSUMPTION_ACTIONS.guard(actor, AssumptionAction.edit, action_context(session, assumption))
    changes = _changes(data, ASSUMPTION_NULLABLE)
    check_people(session, actor, owner_id=changes.get("owner_id"))
    if "status" in changes:
        done = (AssumptionStatus.valid.value, AssumptionStatus.invalid.value)
        changes["closed_at"] = _closed_at(assumption.status, changes["status"], done, assumption.closed_at)
    audit.changed(session, actor, assumption, "assumption", changes)
    return assumption


def invalidate_assumption(
    session: Session, actor: Actor, assumption: Assumption, data: Invalidate
) -> InvalidationResult:
    """Mark the assumption invalid and raise a risk or an issue where it belongs, linked to it.
    All in the caller's transaction: any error (a bad score, another organisation's owner)
    leaves nothing written."""
    ASSUMPTION_ACTIONS.guard(actor, AssumptionAction.invalidate, action_context(session, assumption))
    where = {
        "project_id": assumption.project_id,
        "programme_id": assumption.programme_id,
        "portfolio_id": assumption.portfolio_id,
    }
    changes: dict[str, Any] = {"status": AssumptionStatus.invalid.value}
    if assumption.status != AssumptionStatus.invalid.value:
        changes["closed_at"] = utcnow()
    raised: Issue | Risk
    if data.issue is not None:
        raised = _raise_issue(session, actor, assumption, where, data.issue)
        changes["raised_issue_id"] = raised.id
    elif data.risk is not None:  # the schema makes sure one of the two is given
        raised = _raise_risk(session, actor, assumption, where, data.risk)
        changes["raised_risk_id"] = raised.id
    else:  # pragma: no cover
        raise Unprocessable('Give the new risk or issue as "risk" or "issue".')
    audit.changed(session, actor, assumption, "assumption", changes, action="invalidate")
    return InvalidationResult(
        assumption=assumption_public(session, actor, assumption),
        raised=data.raise_,
        raised_id=raised.id,
        raised_reference=raised.reference,
    )


def _because(assumption: Assumption) -> str:
    return f"Raised because assumption {assumption.reference} was found invalid: {assumption.statement}"


def _raise_issue(
    session: Session, actor: Actor, assumption: Assumption, where: dict[str, Any], data: RaisedIssue
) -> Issue:
    fields = data.model_dump()
    fields["owner_id"] = data.owner_id or assumption.owner_id
    fields["description"] = data.description or _because(assumption)
    return create_issue(session, actor, IssueCreate(**where, **fields))


def _raise_risk(
    session: Session, actor: Actor, assumption: Assumption, where: dict[str, Any], data: RaisedRisk
) -> Risk:
    fields = data.model_dump()
    fields["owner_id"] = data.owner_id or assumption.owner_id
    fields["cause"] = data.cause or _because(assumption)
    return risks_service.create_risk(session, actor, RiskCreate(**where, **fields))


# Dependencies ----------------------------------------------------------------------------

DEPENDENCY_SORTS: dict[str, Any] = {
    "reference": Dependency.reference,
    "title": Dependency.title,
    "status": Dependency.status,
    "needed_by": Dependency.needed_by,
    "raised_on": Dependency.raised_on,
    "updated_at": Dependency.updated_at,
}
DEPENDENCY_NULLABLE = frozenset({"owner_id", "needed_by", "other_project_id", "external_party"})
OPPOSITE = {
    DependencyDirection.inbound.value: DependencyDirection.outbound.value,
    DependencyDirection.outbound.value: DependencyDirection.inbound.value,
}


def dependencies_public(
    session: Session, actor: Actor, dependencies: Sequence[Dependency]
) -> list[DependencyPublic]:
    """Dependencies as the API shows them, each with what `actor` may do to it (one query)."""
    return [
        DependencyPublic.model_validate(
            {
                **{
                    name: getattr(c.item, name)
                    for name in DependencyPublic.model_fields
                    if name not in _WORKED_OUT
                },
                "allowed_actions": DEPENDENCY_ACTIONS.allowed(actor, c),
            }
        )
        for c in action_contexts(session, dependencies)
    ]


def dependency_public(session: Session, actor: Actor, dependency: Dependency) -> DependencyPublic:
    return dependencies_public(session, actor, [dependency])[0]


def dependency_seen_from(public: DependencyPublic, project_id: uuid.UUID) -> ProjectDependency:
    ours = public.project_id == project_id
    return ProjectDependency.model_validate(
        {
            **public.model_dump(),
            "seen_from_project_id": project_id,
            "direction_seen": public.direction if ours else OPPOSITE[public.direction],
            "counterpart_project_id": public.other_project_id if ours else public.project_id,
            "counterpart_external_party": public.external_party if ours else None,
        }
    )


def _either_end(project_ids: Any) -> Any:
    """Dependencies whose project or other project is one of `project_ids` (a value or a subquery)."""
    if isinstance(project_ids, uuid.UUID):
        return or_(col(Dependency.project_id) == project_ids, col(Dependency.other_project_id) == project_ids)
    return or_(col(Dependency.project_id).in_(project_ids), col(Dependency.other_project_id).in_(project_ids))


def list_dependencies(
    session: Session,
    actor: Actor,
    page: PageParams,
    filters: RaidFilters,
    *,
    direction: str | None = None,
    other_project_id: uuid.UUID | None = None,
    external: bool | None = None,
    overdue: bool | None = None,
    sort: str = "reference",
) -> Page[Any]:
    """`project_id`, `programme_id` and `portfolio_id` match either end of a dependency."""
    statement = select(Dependency).where(Dependency.organisation_id == actor.organisation_id)
    statement = raid_filters(
        statement,
        Dependency,
        dataclasses.replace(filters, project_id=None, programme_id=None, portfolio_id=None),
    )
    if filters.project_id is not None:
        statement = statement.where(_either_end(filters.project_id))
    if filters.programme_id is not None:
        statement = statement.where(
            _either_end(select(Project.id).where(Project.programme_id == filters.programme_id))
        )
    if filters.portfolio_id is not None:
        programmes = select(Programme.id).where(Programme.portfolio_id == filters.portfolio_id)
        statement = statement.where(
            _either_end(select(Project.id).where(col(Project.programme_id).in_(programmes)))
        )
    statement = _dependency_filters(statement, direction, other_project_id, external, overdue)
    statement = statement.order_by(*order_by(sort, DEPENDENCY_SORTS, Dependency.id))
    found = paginate(session, statement, page)
    found.items = dependencies_public(session, actor, found.items)
    return found


def _dependency_filters(
    statement: Any,
    direction: str | None,
    other_project_id: uuid.UUID | None,
    external: bool | None,
    overdue: bool | None,
) -> Any:
    if direction is not None:
        statement = statement.where(Dependency.direction == direction)
    if other_project_id is not None:
        statement = statement.where(Dependency.other_project_id == other_project_id)
    if external is not None:
        outside = col(Dependency.external_party).is_not(None)
        statement = statement.where(outside if external else ~outside)
    if overdue is not None:
        late = and_(
            col(Dependency.needed_by).is_not(None),
            col(Dependency.needed_by) < today(),
            col(Dependency.status).not_in(DEPENDENCY_DONE),
        )
        statement = statement.where(late if overdue else ~late)
    return statement


def project_dependencies(
    session: Session,
    actor: Actor,
    project: Project,
    page: PageParams,
    *,
    direction: str | None = None,
    status: str | None = None,
    sort: str = "reference",
) -> Page[Any]:
    """Dependencies where `project` is either end, each with the direction seen from it."""
    statement = select(Dependency).where(
        Dependency.organisation_id == actor.organisation_id, _either_end(project.id)
    )
    if direction is not None:
        statement = statement.where(
            or_(
                and_(col(Dependency.project_id) == project.id, col(Dependency.direction) == direction),
                and_(
                    col(Dependency.other_project_id) == project.id,
                    col(Dependency.direction) == OPPOSITE[direction],
                ),
            )
        )
    if status is not None:
        statement = statement.where(Dependency.status == status)
    statement = statement.order_by(*order_by(sort, DEPENDENCY_SORTS, Dependency.id))
    found = paginate(session, statement, page)
    found.items = [
        dependency_seen_from(d, project.id) for d in dependencies_public(session, actor, found.items)
    ]
    return found


def get_dependency(session: Session, actor: Actor, dependency_id: uuid.UUID) -> Dependency:
    dependency: Dependency = _own(session, actor, Dependency, dependency_id, "dependency")
    return dependency


def _check_other_end(
    session: Session, actor: Actor, project_id: uuid.UUID | None, other_project_id: uuid.UUID | None
) -> None:
    if other_project_id is None:
        return
    _own(session, actor, Project, other_project_id, "project (other_project_id)")
    if other_project_id == project_id:
        raise Unprocessable(
            "A project cannot depend on itself.",
            errors=[
                FieldProblem(
                    location=["body", "other_project_id"], message="the same project", type="value_error"
                )
            ],
        )


def _no_duplicate(
    session: Session,
    dependency_id: uuid.UUID | None,
    project_id: uuid.UUID | None,
    other_project_id: uuid.UUID | None,
    direction: str,
    status: str,
) -> None:
    """One open dependency per pair of projects and direction: the same one recorded from the
    other side (B inbound from A is A outbound to B) counts as the same."""
    if other_project_id is None or status == DependencyStatus.closed.value:
        return
    statement = select(Dependency.reference).where(
        Dependency.status != DependencyStatus.closed.value,
        or_(
            and_(
                col(Dependency.project_id) == project_id,
                col(Dependency.other_project_id) == other_project_id,
                col(Dependency.direction) == direction,
            ),
            and_(
                col(Dependency.project_id) == other_project_id,
                col(Dependency.other_project_id) == project_id,
                col(Dependency.direction) == OPPOSITE[direction],
            ),
        ),
    )
    if dependency_id is not None:
        statement = statement.where(Dependency.id != dependency_id)
    existing = session.execute(statement).scalars().first()
    if existing is not None:
        raise _duplicate(existing)


def _duplicate(existing: str) -> Conflict:
    return Conflict(
        f"{existing} already records this dependency between the two projects; update it instead."
    )


def _needs(project_id: uuid.UUID, other_project_id: uuid.UUID, direction: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(the project that needs, the project that gives): B inbound from A and A outbound to B
    are the same dependency, as `_no_duplicate` counts them."""
    if direction == DependencyDirection.outbound.value:
        return project_id, other_project_id
    return other_project_id, project_id


def new_dependency_values(actor: Actor, data: DependencyCreate) -> dict[str, Any]:
    """The columns of a new dependency but its id and reference (no database): shared by
    `create_dependency` and the bulk CSV import."""
    return {
        **data.model_dump(),
        "organisation_id": actor.organisation_id,
        "raised_on": today(),
        "closed_at": utcnow() if data.status.value in DEPENDENCY_DONE else None,
    }


def create_dependency(session: Session, actor: Actor, data: DependencyCreate) -> Dependency:
    _may_create(session, actor, project_id=data.project_id, programme_id=None, portfolio_id=None)
    _check_other_end(session, actor, data.project_id, data.other_project_id)
    check_people(session, actor, owner_id=data.owner_id)
    _no_duplicate(
        session, None, data.project_id, data.other_project_id, data.direction.value, data.status.value
    )
    dependency = Dependency(
        reference=next_reference(session, actor.organisation_id, DEPENDENCY_PREFIX),
        **new_dependency_values(actor, data),
    )
    audit.created(session, actor, dependency, "dependency")
    return dependency


def dependency_import_check(session: Session, actor: Actor, projects: Collection[uuid.UUID]) -> RowCheck:
    """The bulk import's check of a dependency row: `_no_duplicate`'s rule against the open
    dependencies of the file's projects (read once) and the rows before it in the file."""
    open_pairs: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    if projects:
        found = session.execute(
            select(
                Dependency.project_id, Dependency.other_project_id, Dependency.direction, Dependency.reference
            )
            .where(
                Dependency.organisation_id == actor.organisation_id,
                Dependency.status != DependencyStatus.closed.value,
                col(Dependency.other_project_id).is_not(None),
                or_(col(Dependency.project_id).in_(projects), col(Dependency.other_project_id).in_(projects)),
            )
            .order_by(col(Dependency.reference))
        ).all()
        for project_id, other_project_id, direction, reference in found:
            open_pairs.setdefault(_needs(project_id, other_project_id, direction), reference)

    def check(data: DependencyCreate, row: int) -> dict[str, Any]:
        values = new_dependency_values(actor, data)
        if data.other_project_id is not None and data.status != DependencyStatus.closed:
            pair = _needs(data.project_id, data.other_project_id, data.direction.value)
            if pair in open_pairs:
                raise _duplicate(open_pairs[pair])
            open_pairs[pair] = f"Row {row} of the file"
        return values

    return check


def update_dependency(
    session: Session, actor: Actor, dependency: Dependency, data: DependencyUpdate
) -> Dependency:
    DEPENDENCY_ACTIONS.guard(actor, DependencyAction.edit, action_context(session, dependency))
    changes = _changes(data, DEPENDENCY_NULLABLE)
    if changes.get("other_project_id") is not None:
        changes["external_party"] = None
    elif changes.get("external_party") is not None:
        changes["other_project_id"] = None
    other = changes.get("other_project_id", dependency.other_project_id)
    party = changes.get("external_party", dependency.external_party)
    if (other is None) == (party is None):
        raise Unprocessable(
            "A dependency has exactly one other end: other_project_id or external_party.",
            errors=[
                FieldProblem(
                    location=["body", "other_project_id"], message="give exactly one", type="value_error"
                )
            ],
        )
    if "other_project_id" in changes:
        _check_other_end(session, actor, dependency.project_id, other)
    check_people(session, actor, owner_id=changes.get("owner_id"))
    status = changes.get("status", dependency.status)
    _no_duplicate(
        session,
        dependency.id,
        dependency.project_id,
        other,
        changes.get("direction", dependency.direction),
        status,
    )
    if "status" in changes:
        changes["closed_at"] = _closed_at(dependency.status, status, DEPENDENCY_DONE, dependency.closed_at)
    audit.changed(session, actor, dependency, "dependency", changes)
    return dependency


def escalate_dependency(session: Session, actor: Actor, dependency: Dependency, data: Escalate) -> Dependency:
    _escalate(session, actor, DEPENDENCY_ACTIONS, dependency, "dependency", data)
    return dependency


def deescalate_dependency(
    session: Session, actor: Actor, dependency: Dependency, data: Deescalate
) -> Dependency:
    _deescalate(session, actor, DEPENDENCY_ACTIONS, dependency, "dependency", data)
    return dependency
