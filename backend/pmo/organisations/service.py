"""Organisations, directorates, users and their roles. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, union
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, col, select

from pmo.audit import service as audit
from pmo.auth.models import RefreshToken
from pmo.core import ratelimit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, Forbidden, NotFound, ProblemError, TooManyRequests, Unauthorized
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor, Grant, Permission, Role, enforce
from pmo.core.schemas import Page
from pmo.core.security import hash_password, verify_password
from pmo.finance import rules_service as delegation_rules
from pmo.gates import service as gates
from pmo.identity.models import DirectoryIdentity, DirectorySession
from pmo.invitations.models import Invitation
from pmo.kpis.feed_state import mark_values_changed
from pmo.organisations import policies
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User
from pmo.organisations.schemas import (
    DirectorateCreate,
    DirectoratePublic,
    DirectorateUpdate,
    GrantPublic,
    OrganisationUpdate,
    PasswordChange,
    RoleAssignmentCreate,
    RoleAssignmentPublic,
    UserAction,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from pmo.portfolio.models import Programme, Project
from pmo.raid.models import Risk

# Organisations -------------------------------------------------------------------------


def create_organisation(session: Session, name: str) -> Organisation:
    if session.execute(select(Organisation.id).where(Organisation.name == name)).first():
        raise Conflict(f"An organisation called '{name}' already exists.")
    organisation = Organisation(name=name)
    session.add(organisation)
    session.flush()
    audit.start_chain(session, organisation.id)
    session.flush()
    # Every organisation starts with the built-in lifecycles, Chesterfield's the default.
    gates.install_builtin_lifecycles(session, organisation.id, audit_organisation=False)
    # And the default delegation rule for draw-downs (DOMAIN.md section 7).
    delegation_rules.install_default_rule(session, organisation.id)
    audit.record(
        session,
        None,
        organisation_id=organisation.id,
        action="create",
        record_type="organisation",
        record_id=organisation.id,
        after=audit.snapshot(organisation),
    )
    return organisation


def get_organisation(session: Session, actor: Actor) -> Organisation:
    return session.get_one(Organisation, actor.organisation_id)


def update_organisation(session: Session, actor: Actor, data: OrganisationUpdate) -> Organisation:
    organisation = get_organisation(session, actor)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes and changes["name"] != organisation.name:
        taken = session.execute(select(Organisation.id).where(Organisation.name == changes["name"])).first()
        if taken:
            raise Conflict("Another organisation already has that name.")
    if "gss_code" in changes and changes["gss_code"] != organisation.gss_code:
        taken = session.execute(
            select(Organisation.id).where(Organisation.gss_code == changes["gss_code"])
        ).first()
        if taken:
            raise Conflict("Another organisation already has that GSS code.")
    if changes.get("risk_scale", organisation.risk_scale) != organisation.risk_scale:
        # Every risk is scored on the organisation's scale; rescaling scores by a rule
        # would invent judgements nobody made, so the scale changes only while there are none.
        has_risks = session.execute(
            select(Risk.id).where(Risk.organisation_id == organisation.id).limit(1)
        ).first()
        if has_risks:
            raise Conflict(
                "The risk scale cannot change while the organisation has risks: they were scored "
                f"on the {organisation.risk_scale} scale and would need rescoring by their owners."
            )
    if (
        changes.get("kpi_tolerance_percent", organisation.kpi_tolerance_percent)
        != organisation.kpi_tolerance_percent
        or changes.get("gss_code", organisation.gss_code) != organisation.gss_code
    ):
        # The RAG of KPI values may change with it, and the feed shows the GSS code with
        # every value: pull clients must see that.
        mark_values_changed(session, organisation.id)
    audit.changed(session, actor, organisation, "organisation", changes)
    return organisation


# Directorates --------------------------------------------------------------------------

DIRECTORATE_SORTS = {"name": Directorate.name, "created_at": Directorate.created_at}


def list_directorates(
    session: Session, actor: Actor, page: PageParams, q: str | None, sort: str
) -> Page[Any]:
    statement = select(Directorate).where(Directorate.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, Directorate.name))
    statement = statement.order_by(*order_by(sort, DIRECTORATE_SORTS, Directorate.id))
    return paginate(session, statement, page, DirectoratePublic.model_validate)


def get_directorate(session: Session, actor: Actor, directorate_id: uuid.UUID) -> Directorate:
    directorate = session.get(Directorate, directorate_id)
    if directorate is None or directorate.organisation_id != actor.organisation_id:
        raise NotFound("No directorate with that id in your organisation.")
    return directorate


def _check_directorate_name(session: Session, organisation_id: uuid.UUID, name: str) -> None:
    taken = session.execute(
        select(Directorate.id).where(
            Directorate.organisation_id == organisation_id,
            func.lower(Directorate.name) == name.lower(),  # "Housing" and "housing" are one directorate
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a directorate called '{name}'.")


def create_directorate(
    session: Session, actor: Actor | None, organisation_id: uuid.UUID, data: DirectorateCreate
) -> Directorate:
    _check_directorate_name(session, organisation_id, data.name)
    directorate = Directorate(organisation_id=organisation_id, **data.model_dump())
    audit.created(session, actor, directorate, "directorate")
    return directorate


def update_directorate(
    session: Session, actor: Actor, directorate: Directorate, data: DirectorateUpdate
) -> Directorate:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes and changes["name"].lower() != directorate.name.lower():
        _check_directorate_name(session, directorate.organisation_id, changes["name"])
    audit.changed(session, actor, directorate, "directorate", changes)
    return directorate


# The records that can name a directorate, in words (one, several): a refusal to delete it says
# which. A table not listed is named by its own name.
_NAMING_A_DIRECTORATE = {
    "role_assignments": ("role assignment", "role assignments"),
    "programmes": ("programme", "programmes"),
    "projects": ("project", "projects"),
    "governance_bodies": ("governance body", "governance bodies"),
    "delegation_rules": ("delegation rule", "delegation rules"),
    "drawdowns": ("draw-down", "draw-downs"),
}


def _columns_naming(model: type[SQLModel], skip: frozenset[str] = frozenset()) -> list[Any]:
    """Every column of the other tables (but `skip`) that refers to a row of `model`."""
    target = model.__table__  # type: ignore[attr-defined]
    return [
        fk.parent
        for table in SQLModel.metadata.sorted_tables
        if table.name not in skip
        for fk in table.foreign_keys
        if fk.column.table is target
    ]


def _naming_directorate(session: Session, directorate: Directorate) -> list[str]:
    """What names the directorate, counted per kind of record: ["2 role assignments", "1 project"]."""
    counts: dict[str, int] = defaultdict(int)
    for column in _columns_naming(Directorate):
        counts[column.table.name] += session.execute(
            sql_select(func.count()).select_from(column.table).where(column == directorate.id)
        ).scalar_one()
    named = []
    for name, count in counts.items():
        one, several = _NAMING_A_DIRECTORATE.get(name, (name.replace("_", " "),) * 2)
        if count:
            named.append(f"{count} {one if count == 1 else several}")
    return named


def delete_directorate(session: Session, actor: Actor, directorate: Directorate) -> None:
    named = _naming_directorate(session, directorate)
    if named:
        listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
        raise Conflict(
            f"'{directorate.name}' cannot be deleted while records name it: {listed}. "
            "Give them another directorate first (remove roles held for it), or keep it."
        )
    audit.deleted(session, actor, directorate, "directorate")


# Users ---------------------------------------------------------------------------------

USER_SORTS = {"email": User.email, "display_name": User.display_name, "created_at": User.created_at}


def grants_of(session: Session, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Grant]]:
    """Every user's roles in one query (no query per user), each with its scope in words."""
    grants: dict[uuid.UUID, list[Grant]] = defaultdict(list)
    if not user_ids:
        return grants
    rows = session.execute(
        select(RoleAssignment, Directorate.name, Programme, Project)
        .outerjoin(Directorate, col(Directorate.id) == col(RoleAssignment.directorate_id))
        .outerjoin(Programme, col(Programme.id) == col(RoleAssignment.programme_id))
        .outerjoin(Project, col(Project.id) == col(RoleAssignment.project_id))
        .where(col(RoleAssignment.user_id).in_(user_ids))
        .order_by(
            col(RoleAssignment.role),
            col(RoleAssignment.directorate_id),
            col(RoleAssignment.programme_id),
            col(RoleAssignment.project_id),
        )
    ).all()
    for assignment, directorate_name, programme, project in rows:
        grants[assignment.user_id].append(_grant(assignment, directorate_name, programme, project))
    return grants


def _grant(
    assignment: RoleAssignment,
    directorate_name: str | None,
    programme: Programme | None,
    project: Project | None,
) -> Grant:
    if project is not None:
        label, home = f"project {project.reference} {project.name}", project.lead_directorate_id
    elif programme is not None:
        label, home = f"programme {programme.name}", programme.lead_directorate_id
    elif directorate_name is not None:
        label, home = f"the {directorate_name} directorate", assignment.directorate_id
    else:
        label, home = "the whole organisation", None
    return Grant(
        Role(assignment.role),
        assignment.directorate_id,
        assignment.programme_id,
        assignment.project_id,
        scope_label=label,
        scope_directorate_id=home,
    )


def grant_public(grant: Grant) -> GrantPublic:
    return GrantPublic(
        role=grant.role,
        directorate_id=grant.directorate_id,
        programme_id=grant.programme_id,
        project_id=grant.project_id,
        scope=grant.scope_words(),
    )


def assignments_public(session: Session, assignments: Sequence[RoleAssignment]) -> list[RoleAssignmentPublic]:
    """Role assignments with their scope in words (one query for all of them)."""
    held = grants_of(session, list({a.user_id for a in assignments}))
    words = {(user_id, g): g.scope_words() for user_id, grants in held.items() for g in grants}
    return [
        RoleAssignmentPublic.model_validate(
            {
                **a.model_dump(),
                "scope": words.get(
                    (a.user_id, Grant(Role(a.role), a.directorate_id, a.programme_id, a.project_id)), ""
                ),
            }
        )
        for a in assignments
    ]


# What an administrator may do to an account: the routes guard with USER_ACTIONS,
# `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class UserContext:
    user: User
    last_admin: bool  # the organisation's only active admin
    invitation: str  # "none", "pending" (no password set from it yet) or "accepted"
    referred_to: bool  # named on a record (an owner, a decider...): the account cannot be deleted


def _not_yourself(actor: Actor, c: UserContext) -> Verdict:
    return policies.can_change_status(actor, c.user)


def _not_last_admin(_actor: Actor, c: UserContext) -> Verdict:
    if c.last_admin:
        return Blocked("This is the organisation's last active admin; make someone else admin first.")
    return True


# Deactivating a deactivated account (or reactivating an active one) is not listed; the route
# answers it as a repeat that changes nothing (200).
def _active(_actor: Actor, c: UserContext) -> Verdict:
    return True if c.user.is_active else Blocked(f"{c.user.email} is already deactivated.")


def _inactive(_actor: Actor, c: UserContext) -> Verdict:
    return Blocked(f"{c.user.email} is already active.") if c.user.is_active else True


def _invitation_pending(_actor: Actor, c: UserContext) -> Verdict:
    if c.invitation == "none":
        return Blocked(f"{c.user.email} was not invited: they already have a password.")
    if c.invitation == "accepted":
        return Blocked(f"{c.user.email} has already set a password from an invitation.")
    if not c.user.is_active:
        return Blocked(f"{c.user.email} is deactivated: reactivate them first.")
    return True


def _anyone(_actor: Actor, _c: UserContext) -> Verdict:
    return True


def _not_referred_to(_actor: Actor, c: UserContext) -> Verdict:
    if c.referred_to:
        return Blocked(f"{c.user.email} is named on records of the organisation: deactivate them instead.")
    return True


# What `delete_user` removes with the account; a row of any other table naming the user keeps it.
_DELETED_WITH_USER = frozenset(
    m.__tablename__ for m in (RoleAssignment, RefreshToken, DirectorySession, DirectoryIdentity, Invitation)
)


def _referred_to(session: Session, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `user_ids` a record names, in one query over every column referring to users."""
    naming = [
        sql_select(column.label("user_id")).where(column.in_(user_ids))
        for column in _columns_naming(User, skip=_DELETED_WITH_USER)
    ]
    return set(session.execute(union(*naming)).scalars()) if naming and user_ids else set()


_MANAGE = Permission.users_manage
USER_ACTIONS = ActionTable(
    UserAction,
    {
        UserAction.edit: Rule(_MANAGE, _anyone),
        UserAction.deactivate: Rule(_MANAGE, steps(_not_yourself, _active, _not_last_admin)),
        UserAction.reactivate: Rule(_MANAGE, steps(_not_yourself, _inactive)),
        UserAction.delete: Rule(_MANAGE, steps(_not_yourself, _not_last_admin, _not_referred_to)),
        UserAction.reissue_invitation: Rule(_MANAGE, _invitation_pending),
    },
)


def user_contexts(
    session: Session, users: Sequence[User], grants: dict[uuid.UUID, list[Grant]]
) -> list[UserContext]:
    """The contexts of `users` (their `grants` loaded) in three queries, however many there are."""
    if not users:
        return []
    admins = set(
        session.execute(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)  # type: ignore[arg-type]
            .where(
                RoleAssignment.organisation_id == users[0].organisation_id,
                RoleAssignment.role == Role.admin.value,
                User.is_active.is_(True),  # type: ignore[attr-defined]
            )
        ).scalars()
    )
    invitations: dict[uuid.UUID, str] = {}
    for user_id, accepted_at in session.execute(
        select(Invitation.user_id, Invitation.accepted_at).where(
            col(Invitation.user_id).in_([u.id for u in users])
        )
    ).all():
        if invitations.get(user_id) != "accepted":
            invitations[user_id] = "accepted" if accepted_at is not None else "pending"
    referred_to = _referred_to(session, [u.id for u in users])
    return [
        UserContext(
            u,
            admins == {u.id} and any(g.role == Role.admin for g in grants[u.id]),
            invitations.get(u.id, "none"),
            u.id in referred_to,
        )
        for u in users
    ]


def user_context(session: Session, user: User) -> UserContext:
    return user_contexts(session, [user], grants_of(session, [user.id]))[0]


def user_public(actor: Actor, user: User, grants: list[Grant], context: UserContext) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_active=user.is_active,
        roles=[grant_public(g) for g in grants],
        last_login_at=user.last_login_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
        allowed_actions=USER_ACTIONS.allowed(actor, context),
    )


def user_view(session: Session, actor: Actor, user: User) -> UserPublic:
    grants = grants_of(session, [user.id])
    return user_public(actor, user, grants[user.id], user_contexts(session, [user], grants)[0])


def list_users(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    q: str | None,
    is_active: bool | None,
    role: Role | None,
    directorate_id: uuid.UUID | None,
    sort: str,
) -> Page[UserPublic]:
    statement = select(User).where(User.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, User.email, User.display_name))
    if is_active is not None:
        statement = statement.where(User.is_active == is_active)
    if role is not None or directorate_id is not None:
        holders = select(RoleAssignment.user_id)
        if role is not None:
            holders = holders.where(RoleAssignment.role == role.value)
        if directorate_id is not None:
            holders = holders.where(RoleAssignment.directorate_id == directorate_id)
        statement = statement.where(User.id.in_(holders))  # type: ignore[attr-defined]
    statement = statement.order_by(*order_by(sort, USER_SORTS, User.id))
    result = paginate(session, statement, page)
    grants = grants_of(session, [u.id for u in result.items])
    contexts = user_contexts(session, result.items, grants)
    return Page[UserPublic](
        items=[user_public(actor, c.user, grants[c.user.id], c) for c in contexts],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def get_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        raise NotFound("No user with that id in your organisation.")
    return user


def _check_email_free(session: Session, email: str) -> None:
    # Emails are unique across the deployment; the message does not say where it is used.
    if session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("That email address is already in use.")


def create_user(
    session: Session,
    actor: Actor | None,
    organisation_id: uuid.UUID,
    data: UserCreate,
    *,
    password_hash: str | None = None,
) -> User:
    _check_email_free(session, data.email)
    user = User(
        organisation_id=organisation_id,
        email=data.email,
        display_name=data.display_name,
        password_hash=password_hash or hash_password(data.password),
    )
    audit.created(session, actor, user, "user")
    return user


def update_user(session: Session, actor: Actor, user: User, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "email" in changes and changes["email"] != user.email:
        _check_email_free(session, changes["email"])
    audit.changed(session, actor, user, "user", changes)
    return user


def end_sessions(session: Session, user: User) -> dict[str, Any]:
    """Refuse the user's current access tokens and revoke every refresh token."""
    session.execute(
        RefreshToken.__table__.update()  # type: ignore[attr-defined]
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )
    return {"token_generation": user.token_generation + 1}


def set_user_active(session: Session, actor: Actor, user: User, active: bool) -> User:
    enforce(policies.can_change_status(actor, user))
    if user.is_active == active:  # asked again: nothing to do, nothing audited (not listed as allowed)
        return user
    action = UserAction.reactivate if active else UserAction.deactivate
    USER_ACTIONS.guard(actor, action, user_context(session, user))
    if not active:
        _ensure_other_admin(session, user)
    changes: dict[str, Any] = {"is_active": active}
    if not active:
        changes |= end_sessions(session, user)
    audit.changed(session, actor, user, "user", changes, action="reactivate" if active else "deactivate")
    return user


def delete_user(session: Session, actor: Actor, user: User) -> None:
    USER_ACTIONS.guard(actor, UserAction.delete, user_context(session, user))
    _ensure_other_admin(session, user)
    before = audit.snapshot(user)
    before["roles"] = [
        {"role": g.role.value, "directorate_id": g.directorate_id}
        for g in grants_of(session, [user.id])[user.id]
    ]
    before = audit.jsonable(before)
    session.execute(RoleAssignment.__table__.delete().where(RoleAssignment.user_id == user.id))  # type: ignore[attr-defined]
    session.execute(RefreshToken.__table__.delete().where(RefreshToken.user_id == user.id))  # type: ignore[attr-defined]
    # Sign-in with the directory (pmo.identity).
    session.execute(delete(DirectorySession).where(col(DirectorySession.user_id) == user.id))
    session.execute(delete(DirectoryIdentity).where(col(DirectoryIdentity.user_id) == user.id))
    session.execute(delete(Invitation).where(col(Invitation.user_id) == user.id))
    audit.deleted(session, actor, user, "user", before=before)


def change_own_password(session: Session, actor: Actor, data: PasswordChange) -> ProblemError | None:
    """Returns (not raises) a wrong-password refusal: the caller must keep the counted guess."""
    user = session.get(User, actor.id)
    if user is None or actor.kind != "user":
        raise Forbidden("Only people have passwords.")
    # Guesses at the current password count with the account's failed sign-ins: one password,
    # one limit, whichever door the guesses come through.
    settings = get_settings()
    key = ratelimit.login_account_key(user.email)
    locked = ratelimit.peek(session, key, settings.login_window_seconds)
    if locked.hits >= settings.login_failures_per_account:
        return TooManyRequests(
            "Too many wrong passwords for this account. Try again later.",
            retry_after=locked.retry_after,
            rate_limit=ratelimit.account_policy(settings).headers(locked.hits, locked.retry_after),
        )
    if not verify_password(user.password_hash, data.current_password):
        ratelimit.hit(session, key, settings.login_window_seconds)
        return Unauthorized("The current password is not right.")
    # Other sessions end: a changed password is often a response to a leaked one.
    changes = {"password_hash": hash_password(data.new_password), **end_sessions(session, user)}
    audit.changed(session, actor, user, "user", changes, action="password_change")
    return None


def _ensure_other_admin(session: Session, user: User) -> None:
    """An organisation always keeps at least one active admin."""
    # Lock the organisation row first: two admins removing each other at once would otherwise
    # each count the other as still active and both succeed (PostgreSQL; SQLite serialises).
    session.execute(
        select(Organisation.id).where(Organisation.id == user.organisation_id).with_for_update()
    ).first()
    admins = session.execute(
        select(func.count(func.distinct(RoleAssignment.user_id)))
        .join(User, User.id == RoleAssignment.user_id)  # type: ignore[arg-type]
        .where(
            RoleAssignment.organisation_id == user.organisation_id,
            RoleAssignment.role == Role.admin.value,
            User.is_active.is_(True),  # type: ignore[attr-defined]
            User.id != user.id,
        )
    ).scalar_one()
    is_admin = session.execute(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user.id, RoleAssignment.role == Role.admin.value
        )
    ).first()
    if is_admin and user.is_active and admins == 0:
        raise Conflict("This is the organisation's last active admin; make someone else admin first.")


# Role assignments ----------------------------------------------------------------------

ROLE_ASSIGNMENT_SORTS = {"role": RoleAssignment.role, "created_at": RoleAssignment.created_at}


def list_role_assignments(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    user_id: uuid.UUID | None,
    role: Role | None,
    scopes: dict[str, uuid.UUID | None],
    sort: str,
) -> Page[Any]:
    statement = select(RoleAssignment).where(RoleAssignment.organisation_id == actor.organisation_id)
    if user_id is not None:
        statement = statement.where(RoleAssignment.user_id == user_id)
    if role is not None:
        statement = statement.where(RoleAssignment.role == role.value)
    for name, record_id in scopes.items():  # directorate_id, programme_id, project_id
        if record_id is not None:
            statement = statement.where(getattr(RoleAssignment, name) == record_id)
    statement = statement.order_by(*order_by(sort, ROLE_ASSIGNMENT_SORTS, RoleAssignment.id))
    return paginate(session, statement, page)


def get_role_assignment(session: Session, actor: Actor, assignment_id: uuid.UUID) -> RoleAssignment:
    assignment = session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.organisation_id != actor.organisation_id:
        raise NotFound("No role assignment with that id in your organisation.")
    return assignment


def _scope_of(session: Session, organisation_id: uuid.UUID, data: RoleAssignmentCreate) -> str:
    """The assignment's scope key; its directorate, programme or project must be the
    organisation's (another organisation's is a 404 naming the field)."""
    models: tuple[tuple[str, Any, str], ...] = (
        ("directorate_id", Directorate, "directorate"),
        ("programme_id", Programme, "programme"),
        ("project_id", Project, "project"),
    )
    for name, model, prefix in models:
        record_id = getattr(data, name)
        if record_id is not None:
            record = session.get(model, record_id)
            if record is None or getattr(record, "organisation_id", None) != organisation_id:
                raise NotFound(f"No {prefix} with that id ({name}) in your organisation.")
            return f"{prefix}:{record_id}"
    return "organisation"


def assign_role(
    session: Session, actor: Actor | None, organisation_id: uuid.UUID, data: RoleAssignmentCreate
) -> RoleAssignment:
    user = session.get(User, data.user_id)
    if user is None or user.organisation_id != organisation_id:
        raise NotFound("No user with that id in your organisation.")
    scope_key = _scope_of(session, organisation_id, data)
    exists = session.execute(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == data.role.value,
            RoleAssignment.scope_key == scope_key,
        )
    ).first()
    if exists:
        raise Conflict("The user already holds that role for that scope.")
    assignment = RoleAssignment(
        organisation_id=organisation_id,
        user_id=user.id,
        role=data.role.value,
        directorate_id=data.directorate_id,
        programme_id=data.programme_id,
        project_id=data.project_id,
        scope_key=scope_key,
        created_at=utcnow(),
    )
    audit.created(session, actor, assignment, "role_assignment")
    return assignment


def remove_role(session: Session, actor: Actor, assignment: RoleAssignment) -> None:
    enforce(policies.can_remove_role(actor, assignment))
    if assignment.role == Role.admin.value:
        user = session.get_one(User, assignment.user_id)
        _ensure_other_admin(session, user)
    audit.deleted(session, actor, assignment, "role_assignment")
