"""Browser sessions for the web app: the refresh token lives only in an httpOnly cookie.

The web app keeps its access token in memory. The refresh token is set as a cookie that script
cannot read (httpOnly, Secure, SameSite=Strict, sent only to `/api/v1/auth`). Routes that use
the cookie need a CSRF token (double submit): the `__Host-pmo_csrf` cookie, readable by the
app's own script, echoed in the `X-CSRF-Token` header. The `__Host-` prefix makes browsers
accept it only Secure, with Path=/ and no Domain, so a sibling subdomain cannot plant one.
Another site can neither read the cookie nor set the header, and SameSite=Strict keeps the
cookies off its requests in the first place.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from sqlmodel import Session

from pmo.auth import service
from pmo.auth.dependencies import PUBLIC
from pmo.auth.schemas import BrowserSession, BrowserSignIn, TokenResponse
from pmo.core.config import get_settings
from pmo.core.db import SessionDep, get_engine
from pmo.core.errors import Forbidden, ProblemError, Unauthorized, declare_public
from pmo.core.middleware import API_PREFIX
from pmo.core.routing import ApiRouter
from pmo.core.security import NO_STORE, NO_STORE_DOC, new_secret

router = ApiRouter()

REFRESH_COOKIE = "pmo_refresh"
CSRF_COOKIE = "__Host-pmo_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_COOKIE_PATH = f"{API_PREFIX}/auth"


def set_session_cookies(response: Response, refresh_token: str) -> str:
    settings = get_settings()
    max_age = settings.refresh_token_days * 86400
    csrf = new_secret(24)
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age,
        path=REFRESH_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    # Readable by the app's script (not httpOnly): it must echo it after a page reload.
    # No Domain, Path=/ and Secure, as its `__Host-` name requires.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, path="/", secure=True, httponly=False, samesite="strict"
    )
    return csrf


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="strict"
    )
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, httponly=False, samesite="strict")


def check_csrf(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not secrets.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden(
            f"The {CSRF_HEADER} header must match the {CSRF_COOKIE} cookie set when you signed in.",
            extra={"error": "csrf"},
        )


def _browser_session(tokens: TokenResponse, response: Response) -> BrowserSession:
    # People's grants always carry a refresh token.
    csrf = set_session_cookies(response, tokens.refresh_token or "")
    response.headers.update(NO_STORE)
    return BrowserSession(access_token=tokens.access_token, expires_in=tokens.expires_in, csrf_token=csrf)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/auth/session",
    tags=["auth"],
    summary="Sign in from the web app",
    response_model=BrowserSession,
    responses={**declare_public(401), 200: NO_STORE_DOC},
    dependencies=[PUBLIC],
)
def start_session(request: Request, body: BrowserSignIn, response: Response) -> BrowserSession:
    """Email and password, with the same limits on failed sign-ins as the token endpoint. The
    access token is in the answer; the refresh token only in the `pmo_refresh` cookie."""
    settings = get_settings()
    # Its own transaction, committed even when sign-in fails: a failure must be counted.
    with Session(get_engine(), expire_on_commit=False) as session:
        outcome = service.password_grant(session, settings, body.email, body.password, _address(request))
        session.commit()
    if isinstance(outcome, ProblemError):
        raise outcome
    return _browser_session(outcome, response)


@router.post(
    "/auth/session/refresh",
    tags=["auth"],
    summary="Renew the web app's access token",
    response_model=BrowserSession,
    responses={**declare_public(401, 403), 200: NO_STORE_DOC},
    dependencies=[PUBLIC],
)
def refresh_session(request: Request, response: Response) -> Response | BrowserSession:
    """Rotates the refresh token in the cookie (single use: a reused one ends the whole
    session family). Needs the `X-CSRF-Token` header (403 without a match)."""
    check_csrf(request)
    presented = request.cookies.get(REFRESH_COOKIE)
    if not presented:
        raise Unauthorized("There is no session cookie; sign in again.")
    settings = get_settings()
    # Its own transaction, committed even when refused: a reused token's family must end.
    # A renewal is not a sign-in, so no sign-in limit applies (the token is 256 random bits).
    with Session(get_engine(), expire_on_commit=False) as session:
        outcome = service.rotate_refresh_token(session, settings, presented)
        session.commit()
    if isinstance(outcome, ProblemError):
        raise outcome
    return _browser_session(outcome, response)


@router.delete(
    "/auth/session",
    tags=["auth"],
    summary="Sign out of the web app",
    status_code=204,
    responses={**declare_public(403), 204: NO_STORE_DOC},
    dependencies=[PUBLIC],
)
def end_session(request: Request, session: SessionDep) -> Response:
    """Revokes the session in the cookie (and every token rotated from it) and clears the
    cookies. Needs the `X-CSRF-Token` header."""
    check_csrf(request)
    presented = request.cookies.get(REFRESH_COOKIE)
    if presented:
        service.logout(session, presented)
    response = Response(status_code=204, headers=NO_STORE)
    clear_session_cookies(response)
    return response
