"""Signing in with the council's OpenID provider: the browser's round trip, and sign-out.

Start: `GET /api/v1/auth/oidc/organisations/<slug>/start` redirects to the provider. Back at
`GET /api/v1/auth/oidc/callback`, the sign-in ends as a password sign-in does: the web app's
refresh cookie is set (pmo.auth.session_router) and the browser goes back to the app.
A refusal is a problem document, or for a browser, a page saying what went wrong.
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from pmo.auth import service as auth_service
from pmo.auth.dependencies import PUBLIC
from pmo.auth.session_router import REFRESH_COOKIE, check_csrf, clear_session_cookies, set_session_cookies
from pmo.core.config import get_settings
from pmo.core.db import WRITES_ON_READ, SessionDep, get_engine
from pmo.core.errors import ProblemError, declare_public, problem_response
from pmo.core.middleware import API_PREFIX
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Email
from pmo.core.security import NO_STORE
from pmo.identity import sign_in_service as service
from pmo.identity.models import IdentityProvider
from pmo.identity.sign_in_schemas import BackChannelLogoutResult, DirectorySignInOptions, DirectorySignOut
from pmo.web import CONTENT_SECURITY_POLICY

router = ApiRouter(tags=["directory-sign-in"], dependencies=[PUBLIC])

BASE = "/auth/oidc"
# Binds a sign-in to the browser that started it. Lax, not Strict: it must come back on the
# provider's redirect, a top-level navigation from another site.
BROWSER_COOKIE = "pmo_oidc"
BROWSER_COOKIE_PATH = f"{API_PREFIX}{BASE}"
REDIRECT: dict[int | str, dict[str, Any]] = {
    302: {"description": "To the identity provider, or back to the web app."}
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in did not work</title></head>
<body><main><h1>Sign-in did not work</h1><p>{detail}</p>
<p><a href="{again}">Try signing in again</a></p></main></body></html>
"""


def _refusal(request: Request, exc: ProblemError, slug: str | None) -> Response:
    """A browser gets a page it can show; anything else the problem document."""
    if "text/html" in request.headers.get("accept", ""):
        again = f"/sign-in/{slug}" if slug else "/"
        page = _PAGE.format(detail=html.escape(exc.detail or exc.title), again=html.escape(again))
        response: Response = HTMLResponse(
            page,
            status_code=exc.status,
            headers={**NO_STORE, "Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )
    else:
        response = problem_response(
            request,
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            extra=exc.extra,
            headers=NO_STORE,
        )
    response.delete_cookie(
        BROWSER_COOKIE, path=BROWSER_COOKIE_PATH, secure=True, httponly=True, samesite="lax"
    )
    return response


@router.get(
    f"{BASE}/sign-in-options",
    response_model=DirectorySignInOptions,
    responses=declare_public(404),
    summary="Find where an email address's organisation signs in",
)
def sign_in_options_for_email(
    session: SessionDep, email: Annotated[Email, Query(description="The address typed on the sign-in page.")]
) -> DirectorySignInOptions:
    """By the address's domain, as the organisation registered it with its identity provider.
    404 when no organisation registered the domain: sign in with a password."""
    return service.sign_in_options(session, service.provider_for_email(session, email))


@router.get(
    f"{BASE}/organisations/{{slug}}",
    response_model=DirectorySignInOptions,
    responses=declare_public(404),
    summary="How an organisation signs in",
)
def sign_in_options(session: SessionDep, slug: str) -> DirectorySignInOptions:
    """What the sign-in page `/sign-in/<slug>` offers: the council account, and whether passwords too."""
    return service.sign_in_options(session, service.provider_by_slug(session, slug))


@router.get(
    f"{BASE}/organisations/{{slug}}/start",
    status_code=302,
    responses={**REDIRECT, **declare_public(404, 409, 502)},
    dependencies=[WRITES_ON_READ],
    summary="Start signing in with the council account",
)
def start_sign_in(
    request: Request,
    session: SessionDep,
    slug: str,
    return_to: Annotated[
        str | None, Query(max_length=500, description="A path of the web app to go back to.")
    ] = None,
) -> Response:
    """Redirects the browser to the organisation's identity provider (authorization code flow
    with PKCE, `state` and `nonce`), and sets a short-lived cookie binding the sign-in to it."""
    settings = get_settings()
    try:
        provider = service.provider_by_slug(session, slug)
        url, browser = service.start(session, settings, provider, get_settings().public_url, return_to)
    except ProblemError as exc:
        return _refusal(request, exc, slug)
    response = RedirectResponse(url, status_code=302, headers=NO_STORE)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=settings.oidc_sign_in_minutes * 60,
        path=BROWSER_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    f"{BASE}/callback",
    status_code=302,
    responses={**REDIRECT, **declare_public(400, 401, 403, 502)},
    summary="Finish signing in with the council account",
)
def finish_sign_in(
    request: Request,
    state: Annotated[str | None, Query(max_length=200)] = None,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """The provider sends the browser here. The code is exchanged for an ID token, which is
    checked in full; the person is matched by the provider's subject (bound once, by verified
    email, at their first sign-in), their roles follow their groups, and the web app's session
    starts. Register this address as the redirect URI."""
    settings = get_settings()
    engine = get_engine()
    # Its own transaction, committed even when refused: a `state` is used up by one try.
    with Session(engine, expire_on_commit=False) as session:
        try:
            attempt = service.take_attempt(session, state, request.cookies.get(BROWSER_COOKIE))
        except ProblemError as exc:
            session.commit()
            return _refusal(request, exc, None)
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        try:
            signed_in = service.finish(
                session, settings, attempt, code, error, error_description, get_settings().public_url
            )
        except ProblemError as exc:
            session.rollback()
            provider = session.get(IdentityProvider, attempt.provider_id)
            return _refusal(request, exc, provider.slug if provider else None)
        session.commit()
    response = RedirectResponse(signed_in.return_to, status_code=302, headers=NO_STORE)
    set_session_cookies(response, signed_in.tokens.refresh_token or "")
    response.delete_cookie(
        BROWSER_COOKIE, path=BROWSER_COOKIE_PATH, secure=True, httponly=True, samesite="lax"
    )
    return response


@router.post(
    f"{BASE}/organisations/{{slug}}/backchannel-logout",
    response_model=BackChannelLogoutResult,
    responses={200: {"description": "The sessions named are ended."}, **declare_public(400, 404)},
    summary="Back-channel logout from the identity provider",
)
def back_channel_logout(
    session: SessionDep, slug: str, logout_token: Annotated[str, Form(max_length=10_000)]
) -> Response:
    """OpenID Connect Back-Channel Logout 1.0: the provider posts a signed logout token when
    someone signs out there (or leaves); the product sessions it names end at once. Register
    this address as the client's back-channel logout URI."""
    provider = service.provider_by_slug(session, slug)
    ended = service.back_channel_logout(session, provider, logout_token)
    return Response(
        BackChannelLogoutResult(sessions_ended=ended).model_dump_json(),
        media_type="application/json",
        headers=NO_STORE,
    )


@router.post(
    f"{BASE}/sign-out",
    response_model=DirectorySignOut,
    responses=declare_public(403),
    summary="Sign out of the web app, and of the identity provider",
)
def sign_out(request: Request, session: SessionDep) -> Response:
    """Ends the session in the cookie as `DELETE /auth/session` does, and for a session that a
    directory sign-in started, answers the provider's sign-out page (RP-initiated logout) to
    send the browser to. Needs the `X-CSRF-Token` header."""
    check_csrf(request)
    presented = request.cookies.get(REFRESH_COOKIE)
    redirect_to = None
    if presented:
        directory_session = service.directory_session_of(session, presented)
        if directory_session is not None:
            redirect_to = service.end_session_url(session, directory_session, get_settings().public_url)
        auth_service.logout(session, presented)
    response = Response(
        DirectorySignOut(redirect_to=redirect_to).model_dump_json(),
        media_type="application/json",
        headers=NO_STORE,
    )
    clear_session_cookies(response)
    return response
