"""Every route states what it needs: a permission (`require`, `Authenticated`) or `PUBLIC`.

A route that forgot would otherwise be open to anyone with any token (or none), and no
other test would notice. The walk looks through each route's whole dependency tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from pmo.auth.dependencies import PUBLIC, Authenticated, current_actor, require
from pmo.core.db import SessionDep
from pmo.core.permissions import Permission
from pmo.main import DOMAIN_ROUTERS

PUBLIC_ROUTES = {
    ("POST", "/auth/token"),
    ("POST", "/auth/logout"),
    # The web app's session: credentials, or the session cookie with its CSRF header.
    ("POST", "/auth/session"),
    ("POST", "/auth/session/refresh"),
    ("DELETE", "/auth/session"),
    # Signing in with the council's identity provider (pmo.identity.sign_in_router): before
    # sign-in, the provider's own calls (a signed logout token), and sign-out by the cookie.
    ("GET", "/auth/oidc/sign-in-options"),
    ("GET", "/auth/oidc/organisations/{slug}"),
    ("GET", "/auth/oidc/organisations/{slug}/start"),
    ("GET", "/auth/oidc/callback"),
    ("POST", "/auth/oidc/organisations/{slug}/backchannel-logout"),
    ("POST", "/auth/oidc/sign-out"),
    # An invitee setting a first password: the one-time token in the body is the credential.
    ("POST", "/invitations/lookup"),
    ("POST", "/invitations/accept"),
    # The public record, where an organisation publishes it (tests/finance/test_public_record.py).
    ("GET", "/public/organisations/{organisation_id}/officer-decisions"),
    ("GET", "/public/organisations/{organisation_id}/officer-decisions/{record_id}"),
    ("GET", "/public/organisations/{organisation_id}/forward-plan"),
    ("GET", "/public/organisations/{organisation_id}/forward-plan/export.csv"),
    ("GET", "/public/organisations/{organisation_id}/forward-plan/export.pdf"),
    ("GET", "/public/organisations/{organisation_id}/officer-decisions/{record_id}/document.pdf"),
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def declared_access(route: APIRoute) -> str | None:
    """'public', 'permission', or None when the route states neither."""
    for call in _calls(route.dependant):
        if getattr(call, "public", False) is True:
            return "public"
        if hasattr(call, "required_permissions"):
            return "permission"
    return None


def _routes() -> list[tuple[APIRouter, APIRoute]]:
    return [
        (router, route) for router in DOMAIN_ROUTERS for route in router.routes if isinstance(route, APIRoute)
    ]


def _key(route: APIRoute) -> set[tuple[str, str]]:
    return {(method, route.path) for method in route.methods}


def test_every_route_states_its_permission():
    unprotected = [
        f"{sorted(route.methods)} {route.path}" for _, route in _routes() if declared_access(route) is None
    ]
    assert unprotected == []


def test_the_walk_sees_every_route():
    routes = _routes()
    assert len(routes) > 20
    assert all(isinstance(r, APIRouter) for r in DOMAIN_ROUTERS)
    paths = {route.path for _, route in routes}
    for expected in (
        "/users",
        "/users/{user_id}",
        "/directorates",
        "/role-assignments",
        "/api-clients",
        "/me",
    ):
        assert expected in paths


def test_only_the_token_and_logout_routes_are_public():
    public = set().union(*(_key(route) for _, route in _routes() if declared_access(route) == "public"))
    assert public == PUBLIC_ROUTES


def test_routes_that_need_a_permission_name_it():
    # Every non-public route needs a signed-in actor, and all but a few a named permission.
    needs: dict[tuple[str, str], tuple[Permission, ...]] = {}
    for _, route in _routes():
        for call in _calls(route.dependant):
            if hasattr(call, "required_permissions"):
                for key in _key(route):
                    needs[key] = (*needs.get(key, ()), *call.required_permissions)
        if declared_access(route) == "permission":
            assert current_actor in list(_calls(route.dependant)), route.path
    assert needs[("POST", "/users")] == (Permission.users_manage,)
    assert needs[("DELETE", "/users/{user_id}")] == (Permission.users_manage,)
    assert needs[("POST", "/role-assignments")] == (Permission.roles_manage,)
    assert needs[("POST", "/directorates")] == (Permission.directorates_manage,)
    assert needs[("PATCH", "/organisation")] == (Permission.organisation_manage,)
    assert needs[("POST", "/api-clients")] == (Permission.api_clients_manage,)
    assert needs[("GET", "/me")] == ()


def _route(endpoint: Callable[..., Any], **kwargs: Any) -> APIRoute:
    return APIRoute("/dummy", endpoint, methods=["GET"], **kwargs)


def test_the_walk_flags_an_unprotected_route():
    def open_door(session: SessionDep) -> dict[str, str]:
        return {}

    assert declared_access(_route(open_door)) is None


def test_the_walk_finds_permissions_however_they_are_declared():
    def with_require(actor: Any = require(Permission.users_read)) -> None:
        return None

    def with_authenticated(actor: Authenticated) -> None:
        return None

    def nothing() -> None:
        return None

    assert declared_access(_route(with_require)) == "permission"
    assert declared_access(_route(with_authenticated)) == "permission"
    assert declared_access(_route(nothing, dependencies=[PUBLIC])) == "public"
    assert declared_access(_route(nothing, dependencies=[require(Permission.audit_read)])) == "permission"


def test_being_signed_in_is_not_stating_a_permission():
    def signed_in_only(actor: Any = Depends(current_actor)) -> None:
        return None

    assert declared_access(_route(signed_in_only)) is None
