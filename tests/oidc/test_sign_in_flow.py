"""The whole sign-in against a real, certified OpenID provider (oidc-provider on 127.0.0.1),
with the product served by uvicorn: browser round trip, the product's own session after it,
users following the directory, two organisations on different clients, key rotation,
back-channel logout and RP-initiated sign-out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel import Session, select

from conftest import PASSWORD
from pmo.auth.models import RefreshToken
from pmo.core.db import utcnow
from pmo.core.permissions import Role
from pmo.identity.models import DirectoryIdentity, DirectorySession, IdentityProvider
from pmo.organisations.models import RoleAssignment, User
from support.api import API, oauth_error, problem

from .conftest import configure

ALICE = {
    "email": "alice@chesterfield.test",
    "email_verified": True,
    "name": "Alice Officer",
    "groups": ["pmo-office"],
}


def me(browser) -> dict:
    refreshed = browser.access_token()
    assert refreshed.status_code == 200, refreshed.text
    token = refreshed.json()["access_token"]
    response = httpx.get(f"{browser.app_url}{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def invite(factory, organisation, email: str, *roles: Role):
    return factory.person(organisation, *roles, email=email)


def test_an_invited_officer_signs_in_with_the_directory_and_gets_the_products_own_session(
    provider, browser, factory, org, engine
):
    configure(factory, org, provider.issuer, "chesterfield")
    officer = invite(factory, org, "alice@chesterfield.test", Role.viewer)
    provider.set_people({"alice": ALICE})

    started = browser.start("chesterfield", return_to="/projects")
    assert started.status_code == 302
    authorize = urlsplit(started.headers["location"])
    query = parse_qs(authorize.query)
    assert f"{authorize.scheme}://{authorize.netloc}" == provider.issuer
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["chesterfield-pmo"]
    assert {"state", "nonce", "code_challenge"} <= query.keys()

    callback = browser.app("GET", browser.sign_in_at_provider(started.headers["location"], "alice"))
    assert callback.status_code == 302, callback.text
    assert callback.headers["location"] == "/projects"
    assert {"pmo_refresh", "__Host-pmo_csrf"} <= browser.app_cookies.keys()
    assert "pmo_oidc" not in browser.app_cookies  # the one-sign-in cookie is cleared

    who = me(browser)
    assert who["id"] == str(officer.id)
    # Roles follow the directory's groups: pmo-office maps to pmo; the invited viewer role goes.
    assert [r["role"] for r in who["roles"]] == ["pmo"]
    with Session(engine) as session:
        identity = session.exec(select(DirectoryIdentity)).one()
        assert (identity.user_id, identity.issuer, identity.subject) == (officer.id, provider.issuer, "alice")
        tokens = session.exec(select(RefreshToken).where(RefreshToken.user_id == officer.id)).all()
    # At most the configured 12 hours, however often it is renewed (the first and its renewal).
    assert len(tokens) == 2
    assert len({t.session_ends_at for t in tokens}) == 1
    for token in tokens:
        assert token.session_ends_at is not None
        assert token.session_ends_at <= utcnow() + timedelta(hours=12)
        assert token.expires_at <= token.session_ends_at


def test_an_ec_signed_id_token_and_a_second_organisation_on_its_own_client(
    provider, browser, factory, org, other_org
):
    configure(factory, org, provider.issuer, "chesterfield")
    configure(factory, other_org, provider.issuer, "dacorum")  # ES256-signed ID tokens
    bob = invite(factory, other_org, "bob@dacorum.test")
    provider.set_people(
        {"bob": {"email": "bob@dacorum.test", "email_verified": True, "groups": ["everyone"]}}
    )
    assert browser.sign_in("dacorum", "bob").status_code == 302
    assert me(browser)["id"] == str(bob.id)


def test_a_code_from_one_organisations_client_never_signs_anyone_into_another(
    provider, browser_factory, factory, org, other_org, engine
):
    configure(factory, org, provider.issuer, "chesterfield")
    configure(factory, other_org, provider.issuer, "dacorum")
    invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"alice": ALICE})
    # A sign-in started for Dacorum, answered with a code the provider issued to Chesterfield's client.
    victim = browser_factory()
    dacorum_state = parse_qs(urlsplit(victim.start("dacorum").headers["location"]).query)["state"][0]
    attacker = browser_factory()
    chesterfield_start = attacker.start("chesterfield")
    code = parse_qs(
        urlsplit(attacker.sign_in_at_provider(chesterfield_start.headers["location"], "alice")).query
    )["code"][0]
    refused = victim.app(
        "GET",
        f"{API}/auth/oidc/callback",
        params={"state": dacorum_state, "code": code},
        headers={"Accept": "*/*"},
    )
    body = problem(refused, 401)
    assert body["reason"] == "code_refused"
    assert "invalid_grant" in body["detail"]
    assert "pmo_refresh" not in victim.app_cookies
    with Session(engine) as session:
        assert session.exec(select(RefreshToken)).all() == []


def test_groups_that_map_to_no_role_are_refused(provider, browser, factory, org):
    configure(factory, org, provider.issuer, "chesterfield")
    invite(factory, org, "alice@chesterfield.test", Role.viewer)
    provider.set_people({"alice": {**ALICE, "groups": ["canteen-rota"]}})
    refused = browser.sign_in("chesterfield", "alice")
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    assert "give you no role" in refused.text
    assert 'href="/sign-in/chesterfield"' in refused.text
    assert "pmo_refresh" not in browser.app_cookies


def test_a_deactivated_user_is_refused_even_with_a_valid_id_token(provider, browser, factory, org, engine):
    configure(factory, org, provider.issuer, "chesterfield")
    officer = invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"alice": ALICE})
    assert browser.sign_in("chesterfield", "alice").status_code == 302
    with Session(engine) as session:
        user = session.get_one(User, officer.id)
        user.is_active = False
        session.add(user)
        session.commit()
    again = browser.sign_in("chesterfield", "alice")
    assert again.status_code == 403
    assert "deactivated" in again.text


def test_roles_follow_the_groups_at_every_sign_in_and_the_subject_alone_matches_later(
    provider, browser_factory, factory, org, engine
):
    configure(factory, org, provider.issuer, "chesterfield")
    officer = invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"alice": ALICE})
    first = browser_factory()
    assert first.sign_in("chesterfield", "alice").status_code == 302
    # Moved to another team, and her email changed in the directory: still her account.
    provider.set_people({"alice": {**ALICE, "email": "alice.new@chesterfield.test", "groups": ["everyone"]}})
    second = browser_factory()
    assert second.sign_in("chesterfield", "alice").status_code == 302
    who = me(second)
    assert who["id"] == str(officer.id)
    assert [r["role"] for r in who["roles"]] == ["viewer"]
    with Session(engine) as session:
        roles = session.exec(select(RoleAssignment.role).where(RoleAssignment.user_id == officer.id)).all()
    assert roles == ["viewer"]


def test_unknown_people_are_refused_unless_the_organisation_creates_them(
    provider, browser_factory, factory, org, engine
):
    configure(factory, org, provider.issuer, "chesterfield")
    provider.set_people(
        {"carol": {"email": "carol@chesterfield.test", "email_verified": True, "groups": ["everyone"]}}
    )
    refused = browser_factory().sign_in("chesterfield", "carol")
    assert refused.status_code == 403
    assert "ask your administrator to invite you" in refused.text

    with Session(engine) as session:
        settings = session.exec(select(IdentityProvider)).one()
        settings.create_unknown_users = True
        session.add(settings)
        session.commit()
    created = browser_factory()
    assert created.sign_in("chesterfield", "carol").status_code == 302
    who = me(created)
    assert who["email"] == "carol@chesterfield.test"
    assert [r["role"] for r in who["roles"]] == ["viewer"]


def test_an_unverified_email_binds_nobody(provider, browser, factory, org):
    configure(factory, org, provider.issuer, "chesterfield")
    invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"mallory": {**ALICE, "email_verified": False}})
    refused = browser.sign_in("chesterfield", "mallory")
    assert refused.status_code == 403
    assert "no verified email" in refused.text


def test_key_rotation_at_the_provider_is_picked_up_without_a_restart(provider, browser_factory, factory, org):
    configure(factory, org, provider.issuer, "chesterfield")
    invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"alice": ALICE})
    assert browser_factory().sign_in("chesterfield", "alice").status_code == 302  # keys now cached
    provider.rotate_keys("k2")
    try:
        rotated = browser_factory()
        assert rotated.sign_in("chesterfield", "alice").status_code == 302
        assert me(rotated)["email"] == "alice@chesterfield.test"
    finally:
        provider.set_people({})


def test_sign_out_ends_the_session_and_the_providers_back_channel_logout_ends_the_others(
    provider, browser_factory, factory, org, engine
):
    configure(factory, org, provider.issuer, "chesterfield")
    invite(factory, org, "alice@chesterfield.test")
    provider.set_people({"alice": ALICE})
    laptop, phone = browser_factory(), browser_factory()
    assert laptop.sign_in("chesterfield", "alice").status_code == 302
    # The phone signs in through the same provider session (no second login at the provider).
    started = phone.start("chesterfield")
    phone.provider.cookies = laptop.provider.cookies
    assert (
        phone.app("GET", phone.sign_in_at_provider(started.headers["location"], "alice")).status_code == 302
    )
    me(phone)

    kept = dict(laptop.app_cookies)  # as a thief who copied them would
    signed_out = laptop.app(
        "POST",
        f"{API}/auth/oidc/sign-out",
        headers={"X-CSRF-Token": laptop.app_cookies["__Host-pmo_csrf"], "Accept": "application/json"},
    )
    assert signed_out.status_code == 200, signed_out.text
    end_session = urlsplit(signed_out.json()["redirect_to"])
    assert (
        f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == provider.issuer + "/session/end"
    )
    assert parse_qs(end_session.query)["post_logout_redirect_uri"] == [
        f"{laptop.app_url}/sign-in/chesterfield"
    ]
    assert "pmo_refresh" not in laptop.app_cookies
    thief = browser_factory()
    thief.app_cookies = kept
    assert problem(thief.access_token(), 401)

    # RP-initiated logout at the provider: it confirms, then tells the product by back channel.
    page = laptop.provider.get(signed_out.json()["redirect_to"])
    assert page.status_code == 200, page.text
    xsrf = page.text.split('name="xsrf" value="')[1].split('"')[0]
    confirmed = laptop.provider.post(
        provider.issuer + "/session/end/confirm", data={"xsrf": xsrf, "logout": "yes"}
    )
    assert confirmed.status_code in (302, 303), confirmed.text
    assert confirmed.headers["location"].startswith(f"{laptop.app_url}/sign-in/chesterfield")
    # The phone's session, from the same provider session, has ended too.
    assert phone.access_token().status_code == 401, provider.output
    with Session(engine) as session:
        assert session.exec(select(DirectorySession)).all() == []


def test_password_sign_in_is_refused_when_the_organisation_allows_only_the_directory(
    client, provider, factory, org
):
    configure(factory, org, provider.issuer, "chesterfield", local_passwords_allowed=False)
    officer = invite(factory, org, "alice@chesterfield.test")
    refused = client.post(f"{API}/auth/session", json={"email": officer.user.email, "password": PASSWORD})
    assert "signs in with its directory" in problem(refused, 401)["detail"]
    token = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": officer.user.email, "password": PASSWORD},
    )
    assert "signs in with its directory" in oauth_error(token, 400, "invalid_grant")["error_description"]
    # An administrator keeps the password: the way back in should the provider fail.
    admin = factory.person(org, Role.admin, email="head-of-it@chesterfield.test")
    assert (
        client.post(f"{API}/auth/session", json={"email": admin.user.email, "password": PASSWORD}).status_code
        == 200
    )


def test_where_an_email_signs_in(client, provider, factory, org):
    configure(factory, org, provider.issuer, "chesterfield")
    found = client.get(f"{API}/auth/oidc/sign-in-options", params={"email": "Someone@Chesterfield.test"})
    assert found.status_code == 200, found.text
    assert found.json() == {
        "organisation_name": org.name,
        "slug": "chesterfield",
        "sign_in_url": "/sign-in/chesterfield",
        "start_url": "/api/v1/auth/oidc/organisations/chesterfield/start",
        "local_passwords_allowed": True,
    }
    assert client.get(f"{API}/auth/oidc/organisations/chesterfield").json() == found.json()
    assert problem(client.get(f"{API}/auth/oidc/sign-in-options", params={"email": "x@elsewhere.test"}), 404)
    assert problem(client.get(f"{API}/auth/oidc/sign-in-options", params={"email": "not-an-email"}), 422)
    assert problem(client.get(f"{API}/auth/oidc/organisations/nowhere"), 404)
