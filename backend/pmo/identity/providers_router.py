from __future__ import annotations

from typing import Annotated

from fastapi import Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatchToReplace, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.identity import providers_service as service
from pmo.identity.providers_schemas import IdentityProviderPublic, IdentityProviderSettings

router = ApiRouter(tags=["identity-provider"])

PATH = "/organisation/identity-provider"
Manage = Annotated[Actor, require(Permission.organisation_manage)]


@router.get(
    PATH,
    response_model=IdentityProviderPublic,
    responses=declare(304, 404),
    summary="Read your organisation's identity provider",
)
def get_identity_provider(session: SessionDep, actor: Manage, if_none_match: IfNoneMatch = None) -> Response:
    """The OpenID Connect provider your people sign in with (admin only). The client secret is
    never shown: `client_secret_set` says whether one is stored."""
    provider = service.get_provider(session, actor)
    return json_with_etag(service.provider_view(provider), if_none_match)


@router.put(
    PATH,
    response_model=IdentityProviderPublic,
    responses=declare(409, 412, 428),
    summary="Set up or replace your organisation's identity provider",
)
def put_identity_provider(
    body: IdentityProviderSettings,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatchToReplace = None,
) -> Response:
    """Admin only. The issuer's discovery document is read first: an issuer that cannot be
    reached, or names another issuer, is refused (422) and nothing is saved. Replacing needs
    `If-Match` with the ETag of your last read; leave `client_secret` out to keep the stored one."""
    existing = service.find_provider(session, actor.organisation_id)
    if existing is not None:
        check_if_match(if_match, service.provider_view(existing))
    provider = service.put_provider(session, actor, body)
    return json_with_etag(service.provider_view(provider), None)


@router.delete(
    PATH,
    status_code=204,
    responses=declare(404),
    summary="Stop signing in with your organisation's identity provider",
)
def delete_identity_provider(session: SessionDep, actor: Manage) -> Response:
    """Admin only. Directory sign-in stops at once and passwords work again; people keep their
    accounts and their directory bindings (a provider set up again matches them)."""
    service.delete_provider(session, actor)
    return Response(status_code=204)
