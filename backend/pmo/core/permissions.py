"""Roles, the one map from role to permissions, and who is asking.

Routes state the permission they need (`pmo.auth.dependencies.require`); domain policy
functions then look at the record (its organisation, its directorate) and the actor's
scoped roles, and answer `True` or a `Denied` with the reason.
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


# Shown to integrators: the OpenAPI document's OAuth flow and the server metadata.
CLIENT_SCOPE_DESCRIPTIONS: dict[ClientScope, str] = {
    ClientScope.kpis_read: "Read KPI definitions and published values (the KPI feed).",
    ClientScope.portfolio_read: "Read the portfolio: programmes, projects, RAID logs.",
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
    audit_read = "audit:read"
    # The portfolio register and stage gates.
    portfolio_read = "portfolio:read"
    portfolio_manage = "portfolio:manage"  # portfolios, programmes, governance bodies, any project
    projects_edit = "projects:edit"  # projects within the holder's scope (policies decide which)
    gate_reviews_request = "gate_reviews:request"
    gate_reviews_decide = "gate_reviews:decide"  # only reviews the holder is named a decider of
    lifecycles_manage = "lifecycles:manage"
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
            P.audit_read,
            P.kpi_drafts_read,
            P.delegation_rules_manage,
        }
    ),
    Role.pmo: frozenset(
        {
            *_STAFF,
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
}


@dataclass(frozen=True)
class Grant:
    """A role held for the whole organisation (`directorate_id` None) or one directorate."""

    role: Role
    directorate_id: uuid.UUID | None = None


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

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def permissions(self) -> frozenset[Permission]:
        if self.kind == "client":
            return frozenset(p for s in self.scopes for p in CLIENT_SCOPE_PERMISSIONS[s])
        return frozenset(p for g in self.grants for p in ROLE_PERMISSIONS[g.role])

    def has(self, permission: Permission, *, directorate_id: uuid.UUID | None = None) -> bool:
        """Holds `permission` for the organisation, or for `directorate_id` through a scoped role."""
        if self.kind == "client":
            return permission in self.permissions()
        return any(
            permission in ROLE_PERMISSIONS[g.role]
            and (g.directorate_id is None or g.directorate_id == directorate_id)
            for g in self.grants
        )


def scopes_granting(permission: Permission) -> list[ClientScope]:
    """The API client scopes that carry `permission` (any one of them will do)."""
    return [scope for scope, perms in CLIENT_SCOPE_PERMISSIONS.items() if permission in perms]


def roles_granting(permission: Permission) -> list[Role]:
    """The roles that carry `permission`: named in a 403 so people know whom to ask."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
