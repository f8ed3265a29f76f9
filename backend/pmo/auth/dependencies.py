"""Who is asking: the bearer token turned into an `Actor`, and the permission a route needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2

from pmo.auth.service import actor_from_token
from pmo.core.config import get_settings
from pmo.core.db import SessionDep
from pmo.core.errors import Forbidden, Unauthorized
from pmo.core.permissions import Actor, Permission, roles_granting

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path

# Declares both OAuth2 flows in the OpenAPI document; `current_actor` reads the token itself.
oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        password=OAuthFlowPassword(tokenUrl=TOKEN_URL, refreshUrl=TOKEN_URL),
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl=TOKEN_URL,
            scopes={
                "kpis:read": "Read KPIs",
                "portfolio:read": "Read the portfolio",
                "finance:read": "Read money: funding sources, draw-downs, costs and benefits",
                "webhooks:manage": "Manage this client's webhook subscriptions",
            },
        ),
    ),
    scheme_name="OAuth2",
    auto_error=False,
)


def current_actor(
    request: Request,
    session: SessionDep,
    _declared: Annotated[str | None, Depends(oauth2_scheme)],
) -> Actor:
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an access token: `Authorization: Bearer <token>`.")
    actor = actor_from_token(session, get_settings(), token.strip())
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require(*permissions: Permission) -> Any:
    """The dependency a route uses to state the permission it needs.

    Passing means the actor holds every permission for at least some scope; policies then
    check the record itself. Routes with no permission use `authenticated` or `public`.
    """

    def check(actor: CurrentActor) -> Actor:
        for permission in permissions:
            if permission not in actor.permissions():
                roles = ", ".join(roles_granting(permission))
                raise Forbidden(
                    f"This needs the permission '{permission}'"
                    + (f", which comes with the role(s): {roles}." if actor.kind == "user" else ".")
                )
        return actor

    check.required_permissions = permissions  # type: ignore[attr-defined]
    return Depends(check)


def _authenticated(actor: CurrentActor) -> Actor:
    return actor


_authenticated.required_permissions = ()  # type: ignore[attr-defined]


def _public() -> None:
    return None


_public.public = True  # type: ignore[attr-defined]

# Any signed-in user or client, whatever their roles (e.g. `GET /me`).
Authenticated = Annotated[Actor, Depends(_authenticated)]
# No token needed (token endpoint, health): stated explicitly, `dependencies=[PUBLIC]`, so
# the route walk in the tests can tell a public route from one that forgot its permission.
PUBLIC = Depends(_public)
