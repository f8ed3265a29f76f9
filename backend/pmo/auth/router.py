from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from sqlmodel import Session

from pmo.auth import service
from pmo.auth.dependencies import PUBLIC, Authenticated, require
from pmo.auth.schemas import (
    ApiClientCreate,
    ApiClientPublic,
    ApiClientUpdate,
    ApiClientWithSecret,
    LogoutRequest,
    TokenResponse,
)
from pmo.core.config import get_settings
from pmo.core.db import SessionDep, get_engine
from pmo.core.errors import BadRequest, ProblemError, declare, declare_public
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.core.security import NO_STORE, NO_STORE_DOC

router = APIRouter()

FormText = Annotated[str | None, Form(max_length=1000)]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("The Basic credentials are not valid base64 of 'client_id:client_secret'.") from exc
    return client_id, secret


@router.post(
    "/auth/token",
    tags=["auth"],
    summary="Get an access token (OAuth2)",
    response_model=TokenResponse,
    responses={**declare_public(400, 401), 200: NO_STORE_DOC},
    dependencies=[PUBLIC],
)
def issue_token(
    request: Request,
    response: Response,
    grant_type: Annotated[Literal["password", "client_credentials", "refresh_token"], Form()],
    username: FormText = None,
    password: FormText = None,
    refresh_token: FormText = None,
    client_id: FormText = None,
    client_secret: FormText = None,
    scope: FormText = None,
) -> TokenResponse:
    """People sign in with `grant_type=password` (email as `username`) and keep their session
    with `grant_type=refresh_token`; other council systems use `grant_type=client_credentials`
    with their client id and secret (form fields or HTTP Basic)."""
    settings = get_settings()
    address = request.client.host if request.client else "unknown"
    # Its own transaction, committed even when sign-in fails: a failure must be counted.
    with Session(get_engine(), expire_on_commit=False) as session:
        outcome: TokenResponse | ProblemError
        if grant_type == "password":
            if not username or not password:
                raise BadRequest(
                    "Send `username` (your email) and `password`.", extra={"error": "invalid_request"}
                )
            outcome = service.password_grant(session, settings, username, password, address)
        elif grant_type == "refresh_token":
            if not refresh_token:
                raise BadRequest("Send `refresh_token`.", extra={"error": "invalid_request"})
            outcome = service.rotate_refresh_token(session, settings, refresh_token)
        else:
            credentials = _basic_credentials(request) or (client_id, client_secret)
            if not credentials[0] or not credentials[1]:
                raise BadRequest("Send `client_id` and `client_secret`.", extra={"error": "invalid_request"})
            outcome = service.client_credentials_grant(
                session, settings, credentials[0], credentials[1], scope, address
            )
        session.commit()
    if isinstance(outcome, ProblemError):
        raise outcome
    response.headers.update(NO_STORE)
    return outcome


@router.post(
    "/auth/logout",
    tags=["auth"],
    summary="End a session",
    status_code=204,
    responses=declare_public(),
    dependencies=[PUBLIC],
)
def logout(body: LogoutRequest, session: SessionDep) -> Response:
    """Revoke the refresh token and every token rotated from it. The refresh token is the credential."""
    service.logout(session, body.refresh_token)
    return Response(status_code=204)


@router.post(
    "/auth/logout-all",
    tags=["auth"],
    summary="Sign out everywhere",
    status_code=204,
    responses=declare(),
)
def logout_everywhere(session: SessionDep, actor: Authenticated) -> Response:
    """End every session of the signed-in person: refresh tokens are revoked and access tokens
    already issued stop working."""
    if actor.kind != "user":
        raise BadRequest("API clients have no sessions; revoke the client instead.")
    service.logout_everywhere(session, actor)
    return Response(status_code=204)


# API clients -----------------------------------------------------------------------------

ManageClients = Annotated[Actor, require(Permission.api_clients_manage)]
ClientSort = Annotated[str, sort_query("name", "created_at")]


@router.get("/api-clients", tags=["api-clients"], response_model=Page[ApiClientPublic], responses=declare())
def list_api_clients(
    session: SessionDep,
    actor: ManageClients,
    page: PageDep,
    is_active: bool | None = None,
    sort: ClientSort = "name",
) -> Page[ApiClientPublic]:
    """The organisation's API clients (other council systems), without their secrets. Administrators only."""
    return service.list_api_clients(session, actor, page, is_active=is_active, sort=sort)


@router.post(
    "/api-clients",
    tags=["api-clients"],
    status_code=201,
    response_model=ApiClientWithSecret,
    responses={**declare(409), 201: NO_STORE_DOC},
)
def create_api_client(
    request: Request,
    body: ApiClientCreate,
    session: SessionDep,
    actor: ManageClients,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register another council system. The secret is in this response only: a retry with the
    same `Idempotency-Key` is a 409, because the secret is never stored to be sent again."""

    def create() -> tuple[ApiClientWithSecret, str]:
        created = service.create_api_client(session, actor, body)
        return created, f"/api/v1/api-clients/{created.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/api-clients/{api_client_id}",
    tags=["api-clients"],
    response_model=ApiClientPublic,
    responses=declare(304, 404),
)
def get_api_client(
    api_client_id: uuid.UUID, session: SessionDep, actor: ManageClients, if_none_match: IfNoneMatch = None
) -> Response:
    """One API client of your organisation: name, scopes, whether it is active; never its secret."""
    client = service.get_api_client(session, actor, api_client_id)
    return json_with_etag(service.api_client_public(client), if_none_match)


@router.patch(
    "/api-clients/{api_client_id}",
    tags=["api-clients"],
    response_model=ApiClientPublic,
    responses=declare(404, 412, 428),
)
def update_api_client(
    api_client_id: uuid.UUID,
    body: ApiClientUpdate,
    session: SessionDep,
    actor: ManageClients,
    if_match: IfMatch = None,
) -> Response:
    """Rename an API client, change its scopes or deactivate it. `If-Match` required."""
    client = service.get_api_client(session, actor, api_client_id)
    check_if_match(if_match, service.api_client_public(client))
    service.update_api_client(session, actor, client, body)
    return json_with_etag(service.api_client_public(client), None)


@router.post(
    "/api-clients/{api_client_id}/revoke",
    tags=["api-clients"],
    response_model=ApiClientPublic,
    responses=declare(404),
)
def revoke_api_client(api_client_id: uuid.UUID, session: SessionDep, actor: ManageClients) -> ApiClientPublic:
    """Revoke at once: the client's tokens stop working and it cannot get new ones."""
    client = service.get_api_client(session, actor, api_client_id)
    return service.api_client_public(service.revoke_api_client(session, actor, client))


@router.post(
    "/api-clients/{api_client_id}/rotate-secret",
    tags=["api-clients"],
    response_model=ApiClientWithSecret,
    responses={**declare(404, 409), 200: NO_STORE_DOC},
)
def rotate_api_client_secret(
    api_client_id: uuid.UUID, response: Response, session: SessionDep, actor: ManageClients
) -> ApiClientWithSecret:
    """A new secret, shown once; the old one and tokens issued with it stop working."""
    client = service.get_api_client(session, actor, api_client_id)
    rotated = service.rotate_api_client_secret(session, actor, client)
    response.headers.update(NO_STORE)
    return rotated
