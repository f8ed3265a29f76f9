"""Roles, the one map from role to permissions, and who is asking.

Routes state the permission they need (`pmo.auth.dependencies.require`); domain policy
functions then look at the record (its organisation, and where it sits: directorate,
programme, project) and ask `holds(actor, role, place)` - the one rule for scoped roles -
and answer `True` or a `Denied` with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from pmo.core.errors import Forbidden


class Role(StrEnum):
    admin = "admin"
    pmo = "pmo"
    sponsor = "sponsor"
    project_manager = "project_manager"
    finance = "finance"
    member = "member"
    democratic_services = "democratic_services"
    viewer = "viewer"


# Roles that only make sense for the whole organisation.
ORGANISATION_WIDE_ROLES = frozenset({Role.admin, Role.pmo, Role.democratic_services})


class ClientScope(StrEnum):
    kpis_read = "kpis:read"
    portfolio_read = "portfolio:read"
    finance_read = "finance:read"  # funding sources, draw-downs, costs and benefits
    webhooks_manage = "webhooks:manage"  # the client's own webhook subscriptions


# Shown to integrators: the OpenAPI document's OAuth flow and the server metadata.
CLIENT_SCOPE_DESCRIPTIONS: dict[ClientScope, str] = {
    ClientScope.kpis_read: "Read KPI definitions and published values (the KPI feed).",
    ClientScope.portfolio_read: "Read the portfolio: programmes, projects, RAID logs.",
    ClientScope.finance_read: "Read money: funding sources, draw-downs, costs and benefits.",
    ClientScope.webhooks_manage: "Manage this client's own webhook subscriptions.",
}


class Permission(StrEnum):
    organisation_read = "organisation:read"
    organisation_manage = "organisation:manage"
    directorates_read = "directorates:read"
    directorates_manage = "directorates:manage"
    users_read = "users:read"
    users_manage = "users:manage"
    roles_read = "roles:read"
    roles_manage = "roles:manage"
    api_clients_manage = "api_clients:manage"
    # Webhook subscriptions: a client manages its own (scope webhooks:manage), an
    # administrator every one of the organisation.
    webhooks_manage = "webhooks:manage"
    audit_read = "audit:read"
    # The portfolio register and stage gates.
    portfolio_read = "portfolio:read"
    portfolio_manage = "portfolio:manage"  # portfolios, programmes, governance bodies, any project
    projects_edit = "projects:edit"  # projects within the holder's scope (policies decide which)
    gate_reviews_request = "gate_reviews:request"
    gate_reviews_decide = "gate_reviews:decide"  # only reviews the holder is named a decider of
    lifecycles_manage = "lifecycles:manage"
    meetings_manage = "meetings:manage"  # meetings of governance bodies (everyone reads them)
    # RAID logs: everyone reads; editing is for items of projects in the holder's scope.
    raid_read = "raid:read"
    raid_edit = "raid:edit"
    # KPIs: everyone reads published values; owners and project managers enter and submit
    # values of KPIs in their scope; the PMO manages definitions and targets, verifies and
    # publishes, and (with admin) sees every draft.
    kpis_read = "kpis:read"
    kpis_manage = "kpis:manage"
    kpi_values_submit = "kpi_values:submit"
    kpi_values_verify = "kpi_values:verify"
    kpi_drafts_read = "kpi_drafts:read"
    # Money: staff read it; finance manages funding sources and (with admin) delegation rules;
    # draw-downs are requested for projects in scope, consulted on and decided by the roles the
    # rule names, and Cabinet or Council decisions are recorded by democratic services.
    finance_read = "finance:read"
    funding_sources_manage = "funding_sources:manage"
    delegation_rules_manage = "delegation_rules:manage"
    drawdowns_request = "drawdowns:request"
    drawdowns_consult = "drawdowns:consult"
    drawdowns_decide = "drawdowns:decide"
    committee_decisions_record = "committee_decisions:record"
    costs_benefits_edit = "costs_benefits:edit"  # cost lines and benefits of projects in scope
    # Highlight reports: everyone reads submitted ones; project managers write their projects'
    # reports, sponsors review them; the PMO and admins see drafts and the late list.
    highlight_reports_read = "highlight_reports:read"
    highlight_reports_write = "highlight_reports:write"
    highlight_reports_review = "highlight_reports:review"
    highlight_reports_oversee = "highlight_reports:oversee"


P = Permission
_STAFF = {
    P.organisation_read,
    P.directorates_read,
    P.users_read,
    P.portfolio_read,
    P.gate_reviews_decide,
    P.raid_read,
    P.kpis_read,
    P.finance_read,
    P.highlight_reports_read,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(
        {
            *_STAFF,
            P.organisation_manage,
            P.directorates_manage,
            P.users_manage,
            P.roles_read,
            P.roles_manage,
            P.api_clients_manage,
            P.webhooks_manage,
            P.audit_read,
            P.kpi_drafts_read,
            P.delegation_rules_manage,
            P.highlight_reports_oversee,
            P.meetings_manage,
            # The lifecycle new projects follow is one of the organisation's settings.
            P.lifecycles_manage,
        }
    ),
    Role.pmo: frozenset(
        {
            *_STAFF,
            P.meetings_manage,
            P.roles_read,
            P.audit_read,
            P.portfolio_manage,
            P.projects_edit,
            P.gate_reviews_request,
            P.lifecycles_manage,
            P.raid_edit,
            P.kpis_manage,
            P.kpi_values_submit,
            P.kpi_values_verify,
            P.kpi_drafts_read,
            P.drawdowns_request,
            P.costs_benefits_edit,
            P.highlight_reports_oversee,
        }
    ),
    Role.sponsor: frozenset(
        {
            *_STAFF,
            P.projects_edit,
            P.gate_reviews_request,
            P.raid_edit,
            P.kpi_values_submit,
            P.drawdowns_request,
            P.drawdowns_consult,
            P.drawdowns_decide,
            P.costs_benefits_edit,
            P.highlight_reports_review,
        }
    ),
    Role.project_manager: frozenset(
        {
            *_STAFF,
            P.projects_edit,
            P.gate_reviews_request,
            P.raid_edit,
            P.kpi_values_submit,
            P.drawdowns_request,
            P.costs_benefits_edit,
            P.highlight_reports_write,
        }
    ),
    Role.finance: frozenset(
        {
            *_STAFF,
            P.kpi_values_submit,
            P.funding_sources_manage,
            P.delegation_rules_manage,
            P.drawdowns_consult,
            P.drawdowns_decide,
            P.costs_benefits_edit,
        }
    ),
    Role.member: frozenset({*_STAFF, P.drawdowns_consult}),
    Role.democratic_services: frozenset({*_STAFF, P.committee_decisions_record}),
    Role.viewer: frozenset({*_STAFF, P.audit_read}),
}

CLIENT_SCOPE_PERMISSIONS: dict[ClientScope, frozenset[Permission]] = {
    ClientScope.portfolio_read: frozenset(
        {P.organisation_read, P.directorates_read, P.portfolio_read, P.raid_read}
    ),
    ClientScope.kpis_read: frozenset({P.organisation_read, P.kpis_read}),
    ClientScope.finance_read: frozenset({P.organisation_read, P.finance_read}),
    ClientScope.webhooks_manage: frozenset({P.webhooks_manage}),
}


# Roles that may also be held for a directorate, a programme or a project.
SCOPABLE_ROLES = frozenset({Role.project_manager, Role.sponsor, Role.finance})


@dataclass(frozen=True)
class Place:
    """Where a record sits: its directorate, programme and project (a project is in its
    programme and its lead directorate; a programme in its lead directorate). `description`
    says so in words for a refusal ("this project is in programme Customer Experience")."""

    directorate_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    description: str = field(default="", compare=False)


ORGANISATION = Place(description="this record belongs to the whole organisation")


@dataclass(frozen=True)
class Grant:
    """A role held for the whole organisation (no scope id set) or for one directorate,
    programme or project (exactly one scope id set). `scope_label` names the scope in words
    and `scope_directorate_id` is the lead directorate of a programme or project scope: both
    are only for messages and rules that name a directorate, never part of equality."""

    role: Role
    directorate_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    scope_label: str = field(default="", compare=False)
    scope_directorate_id: uuid.UUID | None = field(default=None, compare=False)

    @property
    def organisation_wide(self) -> bool:
        return self.directorate_id is None and self.programme_id is None and self.project_id is None

    def covers(self, place: Place) -> bool:
        """Is a record at `place` within this grant's scope?"""
        if self.organisation_wide:
            return True
        if self.project_id is not None:
            return place.project_id == self.project_id
        if self.programme_id is not None:
            return place.programme_id == self.programme_id
        return place.directorate_id == self.directorate_id

    def names_directorate(self, directorate_id: uuid.UUID) -> bool:
        """Does this grant's scope lie in `directorate_id` (organisation-wide ones do)?"""
        return self.organisation_wide or directorate_id in (self.directorate_id, self.scope_directorate_id)

    def scope_words(self) -> str:
        return "the whole organisation" if self.organisation_wide else self.scope_label or "one scope"


ROLE_WORDS: dict[Role, str] = {
    Role.admin: "administrator",
    Role.pmo: "PMO officer",
    Role.sponsor: "sponsor",
    Role.project_manager: "project manager",
    Role.finance: "finance officer",
    Role.member: "Cabinet member",
    Role.democratic_services: "democratic services officer",
    Role.viewer: "viewer",
}


@dataclass(frozen=True)
class Denied:
    reason: str

    def __bool__(self) -> bool:
        return False


def enforce(decision: bool | Denied) -> None:
    """Raise the policy's refusal as a 403, with its reason."""
    if isinstance(decision, Denied):
        raise Forbidden(decision.reason)


@dataclass(frozen=True)
class Actor:
    """The authenticated user or API client making a request."""

    kind: str  # "user" or "client"
    id: uuid.UUID
    organisation_id: uuid.UUID
    label: str
    grants: tuple[Grant, ...] = ()
    scopes: frozenset[ClientScope] = field(default_factory=frozenset)
    # What `GET /me` shows, held with the principal (`pmo.auth.principal_cache`): the person's
    # display name (a client's label) and the organisation's name.
    display_name: str = ""
    organisation_name: str = ""

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def permissions(self) -> frozenset[Permission]:
        if self.kind == "client":
            return frozenset(p for s in self.scopes for p in CLIENT_SCOPE_PERMISSIONS[s])
        return frozenset(p for g in self.grants for p in ROLE_PERMISSIONS[g.role])

    def has(self, permission: Permission) -> bool:
        """Holds `permission` for the whole organisation (a scoped role's permissions count
        only for records in its scope: see `holds` and `pmo.portfolio.scope`)."""
        if self.kind == "client":
            return permission in self.permissions()
        return any(permission in ROLE_PERMISSIONS[g.role] and g.organisation_wide for g in self.grants)

    def grants_for(self, role: Role) -> list[Grant]:
        return [g for g in self.grants if g.role == role] if self.kind == "user" else []


def holds(actor: Actor, role: Role, place: Place) -> bool:
    """THE rule: does `actor` hold `role` for a record at `place`? Every policy asks this
    (through `pmo.portfolio.scope`, which finds a record's place)."""
    return any(g.covers(place) for g in actor.grants_for(role))


def out_of_scope(actor: Actor, role: Role, place: Place) -> Denied:
    """The refusal when `actor` holds `role` only for scopes `place` is outside of:
    "You are project manager for programme ICT Improvement only; this project is in programme
    Customer Experience." (or, without the role at all, that they do not hold it)."""
    grants = actor.grants_for(role)
    words = ROLE_WORDS[role]
    if not grants:
        return Denied(f"You do not hold the {words} role.")
    scopes = " and ".join(g.scope_words() for g in grants)
    where = f"; {place.description}" if place.description else ""
    if where and (place.programme_id or place.project_id) and any(g.directorate_id for g in grants):
        # A directorate's role misses a record by its lead directorate, which the description
        # (reference and programme) does not show.
        where += ", led by another directorate" if place.directorate_id else ", which has no lead directorate"
    return Denied(f"You are {words} for {scopes} only{where}.")


def for_whole_organisation(actor: Actor, permission: Permission, what: str) -> bool | Denied:
    """Records of the whole organisation (`what`: "funding sources") are changed only through a
    role held organisation-wide: a finance officer for one programme manages none of them."""
    if actor.has(permission):
        return True
    scoped = [g for g in actor.grants if permission in ROLE_PERMISSIONS[g.role]]
    if scoped:
        g = scoped[0]
        held = f"You are {ROLE_WORDS[g.role]} for {g.scope_words()} only"
        return Denied(f"{held}; {what} belong to the whole organisation.")
    return Denied(f"You may not change {what}.")


def scopes_granting(permission: Permission) -> list[ClientScope]:
    """The API client scopes that carry `permission` (any one of them will do)."""
    return [scope for scope, perms in CLIENT_SCOPE_PERMISSIONS.items() if permission in perms]


def roles_granting(permission: Permission) -> list[Role]:
    """The roles that carry `permission`: named in a 403 so people know whom to ask."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
