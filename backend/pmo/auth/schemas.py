from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from pmo.core.permissions import ClientScope
from pmo.core.schemas import Email, GivenPassword, InputModel, Name, OpaqueToken, PublicModel
from pmo.core.security import HoldsSecret


class TokenResponse(PublicModel):
    """An OAuth2 token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds the access token is valid for.")
    refresh_token: str | None = Field(
        default=None, description="Single use: exchange it with grant_type=refresh_token for a new pair."
    )
    scope: str = ""


class BrowserSignIn(InputModel):
    email: Email
    password: GivenPassword


class BrowserSession(PublicModel):
    """The web app's session: the refresh token is never here, only in the httpOnly cookie."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds the access token is valid for.")
    csrf_token: str = Field(
        description="Also in the `__Host-pmo_csrf` cookie: echo it as `X-CSRF-Token` to refresh or sign out."
    )


class LogoutRequest(InputModel):
    refresh_token: OpaqueToken


class ApiClientCreate(InputModel):
    name: Name
    scopes: list[ClientScope] = Field(min_length=1, max_length=len(ClientScope))


class ApiClientUpdate(InputModel):
    name: Name | None = None
    scopes: list[ClientScope] | None = Field(default=None, min_length=1, max_length=len(ClientScope))


class ApiClientSecretPublic(PublicModel):
    """One of an API client's secrets (never the secret itself)."""

    id: uuid.UUID
    created_at: datetime
    retired_at: datetime | None
    is_active: bool


class ApiClientAction(StrEnum):
    """What an administrator can do to an API client (`allowed_actions`)."""

    # Action names, not secrets (S105).
    edit = "edit"  # PATCH: rename it, change its scopes
    revoke = "revoke"  # POST .../revoke: while it is not revoked
    rotate_secret = "rotate_secret"  # noqa: S105  POST .../rotate-secret: while not revoked
    add_secret = "add_secret"  # noqa: S105  POST .../secrets: not revoked, under two active secrets
    retire_secret = "retire_secret"  # noqa: S105  POST .../secrets/{id}/retire: one of two active


class ApiClientPublic(PublicModel):
    id: uuid.UUID
    name: str
    client_id: str
    scopes: list[ClientScope]
    is_active: bool
    revoked_at: datetime | None
    secrets: list[ApiClientSecretPublic] = Field(
        description="Its secrets, oldest first: at most two active at once (rotation without downtime)."
    )
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[ApiClientAction] = Field(
        description="What you may do to the client now: the checks its routes make, run for you."
    )


class ApiClientWithSecret(ApiClientPublic, HoldsSecret):
    client_secret: str = Field(description="Shown once: store it now. Only its hash is kept.")
