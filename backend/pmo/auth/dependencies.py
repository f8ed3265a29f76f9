"""Who is asking: the bearer token turned into an `Actor`, and the permission a route needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2
from starlette.concurrency import run_in_threadpool

from pmo.auth.service import actor_from_token, actor_in_memory
from pmo.core.actions import lacks
from pmo.core.config import get_settings
from pmo.core.db import SessionDep
from pmo.core.errors import Forbidden, Unauthorized
from pmo.core.permissions import (
    CLIENT_SCOPE_DESCRIPTIONS,
    Actor,
    Permission,
    scopes_granting,
)
from pmo.core.security import bearer_token

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path

# The two OAuth2 flows, declared in the OpenAPI document (`security_schemes`); `current_actor`
# reads the token itself. People (password flow) have roles, not scopes; API clients (client
# credentials) have scopes, and each operation names those it needs (`security_requirement`).
# Not dependencies of `current_actor`: FastAPI would run both on every request, for nothing.
oauth2_scheme = OAuth2(
    flows=OAuthFlows(password=OAuthFlowPassword(tokenUrl=TOKEN_URL, refreshUrl=TOKEN_URL)),
    scheme_name="OAuth2",
    description="People: email and password, then the refresh token.",
    auto_error=False,
)
client_credentials_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl=TOKEN_URL, scopes={str(scope): text for scope, text in CLIENT_SCOPE_DESCRIPTIONS.items()}
        )
    ),
    scheme_name="OAuth2ClientCredentials",
    description="Other council systems: client id and secret, scopes per operation.",
    auto_error=False,
)


async def current_actor(request: Request, session: SessionDep) -> Actor:
    """`async`: a principal held in memory is served on the event loop; one the process must
    read (or whose generation it must read again) is read in the thread pool."""
    token = bearer_token(request.headers.get("Authorization", ""))
    if token is None:
        raise Unauthorized("Send an access token: `Authorization: Bearer <token>`.")
    settings = get_settings()
    actor = actor_in_memory(session, settings, token)
    if actor is None:
        actor = await run_in_threadpool(actor_from_token, session, settings, token)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require(*permissions: Permission) -> Any:
    """The dependency a route uses to state the permission it needs.

    Passing means the actor holds every permission for at least some scope; policies then
    check the record itself. Routes with no permission use `authenticated` or `public`.
    """

    # `async`: a pure check, run on the event loop (a `def` would take a trip to the thread pool).
    async def check(actor: CurrentActor) -> Actor:
        for permission in permissions:
            if permission not in actor.permissions():
                raise _lacks(actor, permission)
        return actor

    check.required_permissions = permissions  # type: ignore[attr-defined]
    return Depends(check)


def _lacks(actor: Actor, permission: Permission) -> Forbidden:
    """The 403 of a token without the privilege, with its RFC 6750 challenge: for an API
    client, a scope that would grant it."""
    challenge = 'Bearer realm="pmo", error="insufficient_scope"'
    reason = lacks(actor, permission).reason  # the same words `allowed_actions` checks with
    scopes = scopes_granting(permission)
    if actor.kind == "user" or not scopes:
        return Forbidden(reason, headers={"WWW-Authenticate": challenge})
    # `scope=` lists scopes all needed (RFC 6750 3): name one that suffices.
    return Forbidden(reason, headers={"WWW-Authenticate": challenge + f', scope="{scopes[0]}"'})


async def _authenticated(actor: CurrentActor) -> Actor:
    return actor


_authenticated.required_permissions = ()  # type: ignore[attr-defined]


async def _public() -> None:
    return None


_public.public = True  # type: ignore[attr-defined]

# Any signed-in user or client, whatever their roles (e.g. `GET /me`).
Authenticated = Annotated[Actor, Depends(_authenticated)]
# No token needed (token endpoint, health): stated explicitly, `dependencies=[PUBLIC]`, so
# the route walk in the tests can tell a public route from one that forgot its permission.
PUBLIC = Depends(_public)


# The security requirement of each operation in the OpenAPI document -------------------------


def security_schemes() -> dict[str, Any]:
    """The document's `components.securitySchemes`, as FastAPI writes a scheme's model."""
    return {
        scheme.scheme_name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
        for scheme in (oauth2_scheme, client_credentials_scheme)
    }


def needs_token(dependant: Dependant) -> bool:
    """Whether a route reads the bearer token (depends on `current_actor`, at any depth)."""
    return any(d.call is current_actor or needs_token(d) for d in dependant.dependencies)


def _required_permissions(dependant: Dependant) -> tuple[Permission, ...]:
    found: list[Permission] = []
    for dependency in dependant.dependencies:
        found.extend(getattr(dependency.call, "required_permissions", ()))
        found.extend(_required_permissions(dependency))
    return tuple(dict.fromkeys(found))


def security_requirement(dependant: Dependant) -> list[dict[str, list[str]]]:
    """People's tokens (the password flow) or an API client's token with the scopes the route
    needs: one requirement per set of scopes that would do. A route no scope opens to clients
    lists people only; a route that needs a token but no permission, any client."""
    options: list[frozenset[str]] = [frozenset()]
    for permission in _required_permissions(dependant):
        granting = scopes_granting(permission)
        options = [option | {str(scope)} for option in options for scope in granting]
    unique = sorted(set(options), key=sorted)
    return [
        {oauth2_scheme.scheme_name: []},
        *({client_credentials_scheme.scheme_name: sorted(option)} for option in unique),
    ]
