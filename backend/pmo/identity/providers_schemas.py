from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from pmo.core.permissions import ORGANISATION_WIDE_ROLES, Role
from pmo.core.schemas import InputModel, PublicModel

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _issuer(value: str) -> str:
    parts = urlsplit(value)
    # http only for a provider on this machine (tests, a local provider); never plain http
    # across a network, where the discovery document could be changed on the way.
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValueError("must be an https:// address (http:// only for 127.0.0.1 or localhost)")
    if not parts.hostname or parts.query or parts.fragment:
        raise ValueError("must be the issuer's address, with no query or fragment")
    # Kept exactly as typed: the discovery document's `issuer` must match it character for character.
    return value


def _domain(value: str) -> str:
    value = value.strip().lower()
    if not _DOMAIN.match(value):
        raise ValueError("must be an email domain like chesterfield.gov.uk")
    return value


Issuer = Annotated[str, StringConstraints(min_length=8, max_length=500), AfterValidator(_issuer)]
EmailDomain = Annotated[str, StringConstraints(max_length=253), AfterValidator(_domain)]
SignInSlug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=60, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
    Field(
        description="The organisation's sign-in address, `/sign-in/<slug>`: lower-case letters, "
        "digits and hyphens, e.g. `chesterfield`."
    ),
]
ClaimName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_:/.\-]+$")]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TenantId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]


class IdentityProviderGroupRole(PublicModel):
    """Members of `group` at the provider hold `role` (for one directorate, or the whole
    organisation when `directorate_id` is empty)."""

    model_config = ConfigDict(extra="forbid")

    group: GroupName = Field(
        description="The group's value in the groups claim (Entra ID: the group's object id)."
    )
    role: Role
    directorate_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _organisation_wide_roles(self) -> IdentityProviderGroupRole:
        if self.directorate_id is not None and self.role in ORGANISATION_WIDE_ROLES:
            raise ValueError(
                f"the role '{self.role.value}' is held for the whole organisation, not a directorate"
            )
        return self


class IdentityProviderSettings(InputModel):
    """The whole configuration; PUT replaces it. Leave `client_secret` out to keep the stored one."""

    slug: SignInSlug
    issuer: Issuer = Field(
        description="The provider's issuer; its `/.well-known/openid-configuration` is read. Entra ID: "
        "`https://login.microsoftonline.com/<tenant id>/v2.0`, or `.../organizations/v2.0` for a "
        "multi-tenant app (then list the tenants in `tenant_ids`)."
    )
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Write-only: never returned. Required the first time; leave out to keep the stored one.",
        json_schema_extra={"writeOnly": True},
    )
    groups_claim: ClaimName = Field(default="groups", description="The ID token claim that lists the groups.")
    group_roles: list[IdentityProviderGroupRole] = Field(default_factory=list, max_length=200)
    create_unknown_users: bool = Field(
        default=False, description="Create an account at first sign-in for a verified email with no account."
    )
    local_passwords_allowed: bool = Field(
        default=True, description="Whether the organisation's people may still sign in with a password."
    )
    email_domains: list[EmailDomain] = Field(default_factory=list, max_length=50)
    tenant_ids: list[TenantId] = Field(
        default_factory=list,
        max_length=50,
        description="Entra ID multi-tenant apps only: the directory tenants whose people may sign in.",
    )


class IdentityProviderPublic(PublicModel):
    slug: str
    sign_in_url: str = Field(description="Where the organisation's people start: `/sign-in/<slug>`.")
    redirect_uri: str = Field(description="Register this redirect URI with the provider.")
    issuer: str
    client_id: str
    client_secret_set: bool = Field(description="Whether a client secret is stored (it is never shown).")
    groups_claim: str
    group_roles: list[IdentityProviderGroupRole]
    create_unknown_users: bool
    local_passwords_allowed: bool
    email_domains: list[str]
    tenant_ids: list[str]
    created_at: datetime
    updated_at: datetime
