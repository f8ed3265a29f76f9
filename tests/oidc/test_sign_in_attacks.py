"""Forged and replayed answers to a sign-in, each refused with a message that says what is wrong.

The provider here is ours (`ForgedProvider`): the product discovers it, fetches its keys and
calls its token endpoint (which checks PKCE), and it answers the ID token the test made."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel import Session, select

from pmo.auth import service as auth_service
from pmo.auth.models import RefreshToken
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.permissions import Role
from pmo.identity.models import DirectoryIdentity
from support.api import API, problem

from .conftest import configure

CLIENT_ID = "chesterfield-pmo"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
LOGOUT = f"{API}/auth/oidc/organisations/chesterfield/backchannel-logout"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SignIn:
    """One sign-in started at the product; `answer` plays the provider's redirect back."""

    def __init__(self, browser, forged) -> None:
        self.browser, self.forged = browser, forged
        started = browser.start("chesterfield")
        assert started.status_code == 302, started.text
        query = parse_qs(urlsplit(started.headers["location"]).query)
        self.state, self.nonce = query["state"][0], query["nonce"][0]
        self.code = "code-" + self.state[:8]
        forged.challenges[self.code] = query["code_challenge"][0]

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.forged.issuer,
            "aud": CLIENT_ID,
            "sub": "alice-at-provider",
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            "email": "alice@chesterfield.test",
            "email_verified": True,
            "groups": ["pmo-office"],
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def answer(self, id_token: str, **params: str):
        self.forged.id_token = id_token
        query = {"state": self.state, "code": self.code, **params}
        return self.browser.app("GET", f"{API}/auth/oidc/callback", params=query, headers={"Accept": "*/*"})


def signed(
    forged, claims: dict[str, Any], *, kty: str = "RSA", kid: str | None = None, key: Any = None
) -> str:
    alg = "RS256" if kty == "RSA" else "ES256"
    return jwt.encode(
        {"alg": alg, "kid": kid or f"forged-{kty.lower() if kty == 'EC' else 'rsa'}"},
        claims,
        key or forged.key(kty),
    )


@pytest.fixture
def setup(factory, org, forged):
    configure(factory, org, forged.issuer, "chesterfield")
    return factory.person(org, email="alice@chesterfield.test")


@pytest.fixture
def sign_in(browser, forged, setup) -> Callable[[], SignIn]:
    return lambda: SignIn(browser, forged)


def refused(response, reason: str, words: str, status: int = 401) -> None:
    body = problem(response, status)
    assert body["reason"] == reason, body
    assert words in body["detail"], body["detail"]


def test_the_forged_provider_can_sign_someone_in_when_everything_is_right(sign_in, forged, setup, engine):
    attempt = sign_in()
    for kty in ("RSA", "EC"):
        attempt = sign_in()
        response = attempt.answer(signed(forged, attempt.claims(), kty=kty))
        assert response.status_code == 302, response.text
    # PKCE: the verifier went to the token endpoint, and matched the challenge (else no token).
    assert all(r["code_verifier"][0] for r in forged.token_requests)
    assert attempt.browser.access_token().status_code == 200
    with Session(engine) as session:
        assert session.exec(select(DirectoryIdentity.user_id)).one() == setup.id


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aud": "someone-elses-app"}, "for another application (`aud`"),
        ({"aud": [CLIENT_ID, "another-app"], "azp": "another-app"}, "issued to another application (`azp`)"),
        ({"iss": "https://evil.example"}, "from another issuer (`iss`)"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "has expired"),
        ({"exp": None}, "no expiry"),
        ({"iat": int(time.time()) + 3600}, "issued in the future"),
        ({"nonce": "a-nonce-of-our-choosing"}, "`nonce` is not the one this sign-in sent"),
        ({"nonce": None}, "`nonce` is not the one this sign-in sent"),
    ],
)
def test_wrong_claims_are_refused(sign_in, forged, changes, words, engine):
    attempt = sign_in()
    refused(attempt.answer(signed(forged, attempt.claims(**changes))), "id_token_refused", words)
    assert "pmo_refresh" not in attempt.browser.app_cookies
    with Session(engine) as session:
        assert session.exec(select(RefreshToken)).all() == []


def test_a_bad_signature_is_refused(sign_in, forged):
    attempt = sign_in()
    impostor = RSAKey.generate_key(2048)
    token = signed(forged, attempt.claims(), kid="forged-rsa", key=impostor)
    refused(attempt.answer(token), "id_token_refused", "signature is not valid")


def test_alg_none_is_refused(sign_in, forged):
    attempt = sign_in()
    header = b64(json.dumps({"alg": "none", "kid": "forged-rsa"}).encode())
    token = f"{header}.{b64(json.dumps(attempt.claims()).encode())}."
    refused(attempt.answer(token), "id_token_refused", "signed with 'none'; only RS256 and ES256")


def test_hs256_signed_with_the_providers_public_key_is_refused(sign_in, forged):
    attempt = sign_in()
    public_pem = forged.key("RSA").as_pem(private=False)
    header = b64(json.dumps({"alg": "HS256", "kid": "forged-rsa"}).encode())
    signing_input = f"{header}.{b64(json.dumps(attempt.claims()).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    refused(attempt.answer(f"{signing_input}.{b64(signature)}"), "id_token_refused", "signed with 'HS256'")


def test_an_unknown_kid_is_looked_up_once_more_then_refused(sign_in, forged):
    warm = sign_in()
    assert warm.answer(signed(forged, warm.claims())).status_code == 302  # the keys are now cached
    attempt = sign_in()
    before = forged.jwks_fetches
    intruder = RSAKey.generate_key(2048)
    token = signed(forged, attempt.claims(), kid="intruder", key=intruder)
    refused(attempt.answer(token), "id_token_refused", "key ('intruder') that the provider does not publish")
    assert forged.jwks_fetches == before + 1  # the refetch, once


def test_a_replayed_id_token_carries_another_sign_ins_nonce(sign_in, forged):
    first = sign_in()
    token = signed(forged, first.claims())
    assert first.answer(token).status_code == 302
    second = sign_in()
    refused(second.answer(token), "id_token_refused", "`nonce` is not the one this sign-in sent")


def test_a_state_works_once(sign_in, forged):
    attempt = sign_in()
    token = signed(forged, attempt.claims())
    assert attempt.answer(token).status_code == 302
    forged.challenges[attempt.code] = "unused"
    refused(attempt.answer(token), "unknown_state", "already finished", status=400)


def test_a_missing_or_made_up_state_is_refused(sign_in, forged, browser):
    sign_in()
    missing = browser.app("GET", f"{API}/auth/oidc/callback", params={"code": "x"}, headers={"Accept": "*/*"})
    refused(missing, "missing_state", "no `state`", status=400)
    made_up = browser.app(
        "GET", f"{API}/auth/oidc/callback", params={"code": "x", "state": "guess"}, headers={"Accept": "*/*"}
    )
    refused(made_up, "unknown_state", "unknown `state`", status=400)


def test_a_sign_in_finishes_only_in_the_browser_that_started_it(sign_in, forged, browser):
    attempt = sign_in()
    browser.app_cookies.pop("pmo_oidc")  # another browser, sent the victim's callback link
    refused(
        attempt.answer(signed(forged, attempt.claims())),
        "other_browser",
        "started in another browser",
        status=400,
    )


def test_the_providers_own_refusal_is_passed_on(sign_in):
    attempt = sign_in()
    response = attempt.answer("", error="access_denied", error_description="The user cancelled")
    refused(response, "provider_error", "access_denied (The user cancelled)")


def test_a_browser_gets_a_page_not_json(sign_in, forged):
    attempt = sign_in()
    attempt.forged.id_token = signed(forged, attempt.claims(aud="other"))
    page = attempt.browser.app(
        "GET", f"{API}/auth/oidc/callback", params={"state": attempt.state, "code": attempt.code}
    )
    assert page.status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert "another application" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_entra_ids_multi_tenant_issuer_is_filled_with_the_tokens_tenant(
    factory, org, forged, browser, engine
):
    forged.metadata_issuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
    configure(factory, org, forged.issuer, "chesterfield", tenant_ids=[TENANT])
    factory.person(org, email="alice@chesterfield.test")
    entra = {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "tid": TENANT, "oid": "object-id-1"}

    other_tenant = "00000000-0000-0000-0000-000000000001"
    attempt = SignIn(browser, forged)
    foreign = {**entra, "tid": other_tenant, "iss": entra["iss"].replace(TENANT, other_tenant)}
    response = attempt.answer(signed(forged, attempt.claims(**foreign)))
    refused(
        response,
        "id_token_refused",
        f"directory tenant {other_tenant}, which this organisation does not list",
    )

    attempt = SignIn(browser, forged)
    wrong_iss = attempt.answer(
        signed(forged, attempt.claims(**{**entra, "iss": "https://login.microsoftonline.com/common/v2.0"}))
    )
    refused(wrong_iss, "id_token_refused", "from another issuer")

    attempt = SignIn(browser, forged)
    assert attempt.answer(signed(forged, attempt.claims(**entra))).status_code == 302
    with Session(engine) as session:
        identity = session.exec(select(DirectoryIdentity)).one()
    # Matched by the object id within the tenant's issuer, not the app-specific `sub`.
    assert (identity.issuer, identity.subject) == (entra["iss"], "object-id-1")


# After the sign-in: the session's limit, the provider's logout tokens, a person removed.


def test_a_directory_session_ends_after_its_hours_however_often_it_is_renewed(sign_in, forged, monkeypatch):
    attempt = sign_in()
    assert attempt.answer(signed(forged, attempt.claims())).status_code == 302
    assert attempt.browser.access_token().status_code == 200
    later = utcnow() + timedelta(hours=get_settings().directory_session_hours, minutes=1)
    monkeypatch.setattr(auth_service, "utcnow", lambda: later)
    expired = attempt.browser.access_token()
    assert "expired" in problem(expired, 401)["detail"]


def logout_token(forged, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": forged.issuer,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 120,
        "jti": f"jti-{now}",
        "sub": "alice-at-provider",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        **changes,
    }
    return signed(forged, {k: v for k, v in claims.items() if v is not None})


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aud": "another-app"}, "for another application"),
        ({"iss": "https://evil.example"}, "from another issuer"),
        ({"events": None}, "no back-channel logout event"),
        ({"nonce": "n"}, "must not carry a `nonce`"),
        ({"sub": None}, "neither a subject"),
    ],
)
def test_a_wrong_logout_token_is_refused_and_ends_nothing(sign_in, forged, browser, changes, words):
    attempt = sign_in()
    assert attempt.answer(signed(forged, attempt.claims())).status_code == 302
    refused(
        browser.app("POST", LOGOUT, data={"logout_token": logout_token(forged, **changes)}),
        "logout_token_refused",
        words,
        status=400,
    )
    assert browser.access_token().status_code == 200


def test_a_logout_token_for_the_subject_ends_their_sessions(sign_in, forged, browser):
    attempt = sign_in()
    assert attempt.answer(signed(forged, attempt.claims())).status_code == 302
    ended = browser.app("POST", LOGOUT, data={"logout_token": logout_token(forged)})
    assert ended.status_code == 200, ended.text
    assert ended.json() == {"sessions_ended": 1}
    assert problem(browser.access_token(), 401)


def test_a_person_signed_in_from_the_directory_can_still_be_deleted(
    sign_in, forged, client, setup, org, factory
):
    attempt = sign_in()
    assert attempt.answer(signed(forged, attempt.claims())).status_code == 302
    admin = factory.person(org, Role.admin)
    assert client.delete(f"{API}/users/{setup.id}", headers=admin.headers).status_code == 204
