from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import Depends, HTTPException, Path, Request, Response
from sqlmodel import Session

from pmo.auth import service
from pmo.auth.dependencies import PUBLIC, Authenticated, require
from pmo.auth.oauth import (
    FORM_MEDIA_TYPE,
    GRANT_TYPES,
    MAX_PARAMETER_LENGTH,
    TOKEN_HEADERS,
    TOKEN_PATH,
    TOKEN_REQUEST_BODY,
    TOKEN_RESPONSES,
    TokenError,
    TokenErrorCode,
)
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
from pmo.core.errors import BadRequest, ProblemError, TooManyRequests, declare, declare_public
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.core.security import NO_STORE, NO_STORE_DOC

router = ApiRouter()


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """HTTP Basic client authentication (RFC 6749 section 2.3.1): id and secret form-encoded."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, colon, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise TokenError(
            "invalid_client", "The Basic credentials are not base64 of 'client_id:client_secret'."
        ) from exc
    if not colon:
        raise TokenError("invalid_client", "The Basic credentials are not 'client_id:client_secret'.")
    return unquote_plus(client_id), unquote_plus(secret)


async def token_request(request: Request) -> dict[str, str]:
    """The token request's form parameters, read here rather than by the framework so that
    every refusal has the RFC 6749 shape (a JSON body or a missing field is `invalid_request`,
    not a 422 problem)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise TokenError(
            "invalid_request", f"Send the parameters as {FORM_MEDIA_TYPE}, not {media_type or 'no body'}."
        )
    try:
        form = await request.form(max_files=0, max_fields=20)
    except (HTTPException, ValueError, UnicodeDecodeError) as exc:
        raise TokenError("invalid_request", "The form cannot be read.") from exc
    parameters: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            raise TokenError("invalid_request", f"`{name}` must be text, not a file.")
        if name in parameters:
            raise TokenError("invalid_request", f"`{name}` is sent more than once.")
        if len(value) > MAX_PARAMETER_LENGTH:
            raise TokenError("invalid_request", f"`{name}` is longer than {MAX_PARAMETER_LENGTH} characters.")
        if value:  # RFC 6749 section 3.1: a parameter sent without a value is as if omitted
            parameters[name] = value
    return parameters


def _needs(parameters: dict[str, str], *names: str) -> list[str]:
    missing = [name for name in names if name not in parameters]
    if missing:
        raise TokenError("invalid_request", f"Send {' and '.join(f'`{n}`' for n in missing)}.")
    return [parameters[name] for name in names]


def _refusal(outcome: ProblemError) -> TokenError:
    """A sign-in refusal of the auth service, in the token endpoint's words."""
    if isinstance(outcome, TooManyRequests):
        return TokenError("too_many_requests", outcome.detail or "", status=429, headers=outcome.headers)
    error: TokenErrorCode = outcome.extra.get("error", "invalid_grant")
    return TokenError(error, outcome.detail or "")


@router.post(
    TOKEN_PATH,
    tags=["auth"],
    summary="Get an access token (OAuth 2.0)",
    response_model=TokenResponse,
    responses=TOKEN_RESPONSES,
    dependencies=[PUBLIC],
    openapi_extra={"requestBody": TOKEN_REQUEST_BODY},
)
def issue_token(
    request: Request, response: Response, parameters: Annotated[dict[str, str], Depends(token_request)]
) -> TokenResponse:
    """The OAuth 2.0 token endpoint (RFC 6749). People sign in with `grant_type=password`
    (email as `username`) and keep their session with `grant_type=refresh_token`; other
    council systems use `grant_type=client_credentials` with their client id and secret, in
    HTTP Basic or as form fields. Refusals are RFC 6749 section 5.2 JSON (`error`,
    `error_description`), not problem documents. Server metadata (RFC 8414):
    `/.well-known/oauth-authorization-server`."""
    settings = get_settings()
    address = request.client.host if request.client else "unknown"
    (grant_type,) = _needs(parameters, "grant_type")
    if grant_type not in GRANT_TYPES:
        raise TokenError("unsupported_grant_type", f"`grant_type` must be one of: {', '.join(GRANT_TYPES)}.")
    basic = _basic_credentials(request)
    if basic is not None and ("client_id" in parameters or "client_secret" in parameters):
        raise TokenError("invalid_request", "Authenticate the client one way: HTTP Basic or form fields.")
    # Its own transaction, committed even when sign-in fails: a failure must be counted.
    with Session(get_engine(), expire_on_commit=False) as session:
        outcome: TokenResponse | ProblemError
        if grant_type == "password":
            username, password = _needs(parameters, "username", "password")
            outcome = service.password_grant(session, settings, username, password, address)
        elif grant_type == "refresh_token":
            (refresh_token,) = _needs(parameters, "refresh_token")
            outcome = service.rotate_refresh_token(session, settings, refresh_token)
        else:
            client_id, client_secret = basic or _needs(parameters, "client_id", "client_secret")
            outcome = service.client_credentials_grant(
                session, settings, client_id, client_secret, parameters.get("scope"), address
            )
        session.commit()
    if isinstance(outcome, ProblemError):
        raise _refusal(outcome)
    response.headers.update(TOKEN_HEADERS)
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
    return json_with_etag(service.api_client_public(session, actor, client), if_none_match)


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
    check_if_match(if_match, service.api_client_public(session, actor, client))
    service.update_api_client(session, actor, client, body)
    return json_with_etag(service.api_client_public(session, actor, client), None)


@router.post(
    "/api-clients/{api_client_id}/revoke",
    tags=["api-clients"],
    response_model=ApiClientPublic,
    responses=declare(404),
)
def revoke_api_client(api_client_id: uuid.UUID, session: SessionDep, actor: ManageClients) -> ApiClientPublic:
    """Revoke at once: the client's tokens stop working and it cannot get new ones."""
    client = service.get_api_client(session, actor, api_client_id)
    return service.api_client_public(session, actor, service.revoke_api_client(session, actor, client))


@router.post(
    "/api-clients/{api_client_id}/rotate-secret",
    tags=["api-clients"],
    response_model=ApiClientWithSecret,
    responses={**declare(404, 409), 200: NO_STORE_DOC},
)
def rotate_api_client_secret(
    api_client_id: uuid.UUID, response: Response, session: SessionDep, actor: ManageClients
) -> ApiClientWithSecret:
    """A new secret, shown once; every other secret and the tokens issued with them stop working
    at once (a leaked secret). To rotate without downtime, add a secret and retire the old one
    later."""
    client = service.get_api_client(session, actor, api_client_id)
    rotated = service.rotate_api_client_secret(session, actor, client)
    response.headers.update(NO_STORE)
    return rotated


@router.post(
    "/api-clients/{api_client_id}/secrets",
    tags=["api-clients"],
    summary="Add a second secret (rotation without downtime)",
    status_code=201,
    response_model=ApiClientWithSecret,
    responses={**declare(404, 409), 201: NO_STORE_DOC},
)
def add_api_client_secret(
    api_client_id: uuid.UUID, response: Response, session: SessionDep, actor: ManageClients
) -> ApiClientWithSecret:
    """A new secret, shown once, beside the active one, which keeps working (and its tokens)
    until it is retired: reconfigure the client system, then retire the old secret. At most
    two secrets are active at once (409 beyond)."""
    client = service.get_api_client(session, actor, api_client_id)
    added = service.add_api_client_secret(session, actor, client)
    response.headers.update(NO_STORE)
    return added


@router.post(
    # The path names a secret by its id as `credential_id`: Spectral's OWASP rule reads any
    # parameter called `*secret*` as a secret sent in the URL.
    "/api-clients/{api_client_id}/secrets/{credential_id}/retire",
    tags=["api-clients"],
    summary="Retire one of a client's secrets",
    response_model=ApiClientPublic,
    responses=declare(404, 409),
)
def retire_api_client_secret(
    api_client_id: uuid.UUID,
    credential_id: Annotated[uuid.UUID, Path(description="The `id` of one of the client's `secrets`.")],
    session: SessionDep,
    actor: ManageClients,
) -> ApiClientPublic:
    """The secret stops working, and the access tokens issued with it end at once. The
    client's only active secret cannot be retired (409): revoke the client instead."""
    client = service.get_api_client(session, actor, api_client_id)
    return service.api_client_public(
        session, actor, service.retire_api_client_secret(session, actor, client, credential_id)
    )
