"""OAuth 2.0 as integrators' libraries expect it: the token endpoint's error responses
(RFC 6749 section 5.2), the bearer challenges (RFC 6750 section 3) and the authorisation
server's metadata (RFC 8414)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from pmo.auth.dependencies import PUBLIC
from pmo.core.config import get_settings
from pmo.core.errors import declare_public
from pmo.core.middleware import API_PREFIX
from pmo.core.permissions import CLIENT_SCOPE_DESCRIPTIONS

TOKEN_PATH = "/auth/token"  # noqa: S105 - a path
METADATA_PATH = "/.well-known/oauth-authorization-server"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
GRANT_TYPES = ("password", "refresh_token", "client_credentials")
MAX_PARAMETER_LENGTH = 1000
# Every token endpoint response, success or refusal (RFC 6749 sections 5.1 and 5.2).
TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}

TokenErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "too_many_requests",
]


class OAuthTokenError(BaseModel):
    """A refusal of the token endpoint (RFC 6749 section 5.2)."""

    model_config = ConfigDict(title="OAuthTokenError")

    error: TokenErrorCode = Field(
        description="RFC 6749 section 5.2; `too_many_requests` (429, with `Retry-After`) after too "
        "many failed sign-ins."
    )
    error_description: str = Field(description="What is wrong, for the developer.")


class TokenError(Exception):
    """Raised by the token endpoint; answered as RFC 6749 JSON, not as a problem document."""

    def __init__(
        self,
        error: TokenErrorCode,
        description: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        # invalid_client is 401 with a challenge for the scheme clients authenticate with.
        self.status = status or (401 if error == "invalid_client" else 400)
        self.headers = {**TOKEN_HEADERS, **(headers or {})}
        if error == "invalid_client":
            self.headers["WWW-Authenticate"] = 'Basic realm="pmo"'


async def token_error_response(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
    assert isinstance(exc, TokenError)  # noqa: S101 - registered for this class only
    body = OAuthTokenError(error=exc.error, error_description=exc.description)
    return JSONResponse(body.model_dump(), status_code=exc.status, headers=exc.headers)


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


_NO_CACHE_HEADERS = {
    "Cache-Control": _header("`no-store`: the response holds a token (or refuses one)."),
    "Pragma": _header("`no-cache`, for HTTP/1.0 caches."),
}


def _token_error(
    description: str, *codes: str, extra_headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {**_NO_CACHE_HEADERS, **(extra_headers or {})},
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/OAuthTokenError"},
                "example": {"error": codes[0], "error_description": "..."},
            }
        },
    }


# The token endpoint's responses: its refusals are RFC 6749 JSON; what the middleware refuses
# before the endpoint runs (a body too large, a busy database) stays a problem document.
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{status: doc for status, doc in declare_public().items() if status not in (400, 422, 429)},
    200: {"description": "An access token (and, for people, a refresh token).", "headers": _NO_CACHE_HEADERS},
    400: _token_error(
        "`invalid_request` (a JSON body, a missing or repeated parameter), `invalid_grant` (a wrong "
        "email or password, an unusable refresh token), `unsupported_grant_type` or `invalid_scope`.",
        "invalid_grant",
        "invalid_request",
        "unsupported_grant_type",
        "invalid_scope",
    ),
    401: _token_error(
        "`invalid_client`: the client id or secret is not right, or the client is revoked.",
        "invalid_client",
        extra_headers={"WWW-Authenticate": _header('`Basic realm="pmo"`.')},
    ),
    429: _token_error(
        "`too_many_requests`: too many failed sign-ins; wait for `Retry-After` seconds.",
        "too_many_requests",
        extra_headers={"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    ),
}

TOKEN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        FORM_MEDIA_TYPE: {
            "schema": {
                "title": "OAuthTokenRequest",
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": list(GRANT_TYPES)},
                    "username": {
                        "type": "string",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`password` grant: the person's email.",
                    },
                    "password": {
                        "type": "string",
                        "format": "password",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`password` grant.",
                    },
                    "refresh_token": {
                        "type": "string",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`refresh_token` grant: single use.",
                    },
                    "client_id": {
                        "type": "string",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`client_credentials` grant, when not sent as HTTP Basic.",
                    },
                    "client_secret": {
                        "type": "string",
                        "format": "password",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`client_credentials` grant, when not sent as HTTP Basic.",
                    },
                    "scope": {
                        "type": "string",
                        "maxLength": MAX_PARAMETER_LENGTH,
                        "description": "`client_credentials` grant: space-separated scopes, a subset of "
                        "the client's (all of them when left out).",
                    },
                },
            },
            "example": {"grant_type": "client_credentials", "scope": "kpis:read"},
        }
    },
}


# RFC 8414 metadata --------------------------------------------------------------------------


class AuthorizationServerMetadata(BaseModel):
    """What an OAuth 2.0 client library needs to know about this server (RFC 8414)."""

    model_config = ConfigDict(title="OAuthAuthorizationServerMetadata")

    issuer: str = Field(description="The public base URL: the `iss` of every access token.")
    token_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    scopes_supported: list[str]
    response_types_supported: list[str] = Field(
        description="Empty: there is no authorisation endpoint (no browser redirect flows)."
    )
    service_documentation: str


# At the host's root, as RFC 8414 places it; outside the API's document (like /healthz),
# since it describes the server rather than being an operation of the API.
metadata_router = APIRouter(dependencies=[PUBLIC], include_in_schema=False)


@metadata_router.get(METADATA_PATH, response_model=AuthorizationServerMetadata)
def authorization_server_metadata() -> AuthorizationServerMetadata:
    """Where to get tokens, how clients authenticate, and which scopes exist: OAuth client
    libraries read this instead of being configured by hand."""
    base = get_settings().public_url
    return AuthorizationServerMetadata(
        issuer=base,
        token_endpoint=base + API_PREFIX + TOKEN_PATH,
        grant_types_supported=list(GRANT_TYPES),
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        scopes_supported=list(CLIENT_SCOPE_DESCRIPTIONS),
        response_types_supported=[],
        service_documentation=base + API_PREFIX + "/docs",
    )
