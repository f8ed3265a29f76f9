"""Access tokens that must be refused with 401 on GET /me, each for its own reason."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlmodel import Session

from pmo.core.permissions import Role
from pmo.organisations.models import User
from support.api import problem

from .helpers import (
    ME_URL,
    b64url,
    b64url_decode,
    b64url_json,
    bearer,
    claims_for,
    sign,
    sign_by_hand,
)

REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "typ", "org", "roles", "gen"]


def assert_refused(client, token: str) -> None:
    response = client.get(ME_URL, headers=bearer(token))
    body = problem(response, 401)
    assert "email" not in body
    # RFC 6750 3.1: a token was sent and cannot be used.
    assert response.headers["www-authenticate"] == 'Bearer realm="pmo", error="invalid_token"'


def assert_all_refused(client, tokens: dict[str, str]) -> None:
    """Every token is refused with 401; the dict of statuses names any that got through."""
    statuses = {
        name: client.get(ME_URL, headers={"Authorization": b"Bearer " + token.encode()}).status_code
        for name, token in tokens.items()
    }
    assert statuses == dict.fromkeys(tokens, 401)


@pytest.fixture
def viewer(factory, org):
    return factory.person(org, email="viewer@chesterfield.test")


def test_a_forged_token_with_the_right_key_and_claims_is_accepted(client, viewer, org):
    # The control for every attack below: the forging helpers make tokens the service accepts,
    # so each refusal is caused by the one thing the attack changes.
    token = sign(claims_for(viewer.id, org.id))
    response = client.get(ME_URL, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "viewer@chesterfield.test"
    hand_made = sign_by_hand({"alg": "HS256", "typ": "JWT"}, claims_for(viewer.id, org.id))
    assert client.get(ME_URL, headers=bearer(hand_made)).status_code == 200


def test_no_token_is_401(client, viewer):
    response = client.get(ME_URL)
    problem(response, 401)
    # RFC 6750 3.1: no credentials sent, so no error code in the challenge.
    assert response.headers["www-authenticate"] == 'Bearer realm="pmo"'


def test_malformed_authorization_header_is_401(client, viewer):
    headers = ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer   ", "bearer", viewer.token]
    statuses = {h: client.get(ME_URL, headers={"Authorization": h}).status_code for h in headers}
    assert statuses == dict.fromkeys(headers, 401)
    problem(client.get(ME_URL, headers={"Authorization": viewer.token}), 401)


def test_garbage_token_is_401(client, viewer):
    garbage = ["not-a-jwt", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9..", "é.é.é", "x" * 5000]
    assert_all_refused(client, {g[:30]: g for g in garbage})


def test_alg_none_token_is_refused(client, viewer, org):
    claims = claims_for(viewer.id, org.id, roles=["admin"])
    assert_refused(client, f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{b64url_json(claims)}.")
    assert_all_refused(
        client,
        {
            alg: f"{b64url_json({'alg': alg, 'typ': 'JWT'})}.{b64url_json(claims)}."
            for alg in ("None", "NONE", "nOnE")
        },
    )


def test_alg_none_token_keeping_a_real_signature_is_refused(client, viewer, org):
    real = sign(claims_for(viewer.id, org.id))
    _, payload, signature = real.split(".")
    assert_refused(client, f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{payload}.{signature}")


def test_token_signed_with_a_wrong_key_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(viewer.id, org.id), key="another-secret-" + "y" * 40))


def test_token_signed_with_an_empty_key_is_refused(client, viewer, org):
    header, payload, _ = sign(claims_for(viewer.id, org.id)).split(".")
    assert_refused(
        client, sign_by_hand(json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), key="")
    )


def test_token_without_signature_is_refused(client, viewer, org):
    header, payload, _ = sign(claims_for(viewer.id, org.id)).split(".")
    assert_refused(client, f"{header}.{payload}.")
    assert_refused(client, f"{header}.{payload}")


def test_expired_token_is_refused(client, viewer, org):
    now = int(time.time())
    assert_refused(client, sign(claims_for(viewer.id, org.id, iat=now - 3600, exp=now - 10)))


def test_token_without_exp_is_refused(client, viewer, org):
    claims = claims_for(viewer.id, org.id)
    del claims["exp"]
    assert_refused(client, sign(claims))


def test_token_with_wrong_audience_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(viewer.id, org.id, aud="some-other-api")))


def test_token_with_audience_list_not_naming_us_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(viewer.id, org.id, aud=["some-other-api", "another"])))


def test_token_with_wrong_issuer_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(viewer.id, org.id, iss="https://evil.example")))


def test_token_of_another_type_is_refused(client, viewer, org):
    types = ["refresh", "id", "", None]
    assert_all_refused(client, {repr(t): sign(claims_for(viewer.id, org.id, typ=t)) for t in types})


def test_token_of_unknown_subject_type_is_refused(client, viewer, org):
    kinds = ["admin", "", None]
    assert_all_refused(client, {repr(k): sign(claims_for(viewer.id, org.id, sty=k)) for k in kinds})


def test_refresh_token_used_as_an_access_token_is_refused(client, login, viewer):
    pair = login("viewer@chesterfield.test").json()
    assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200
    assert_refused(client, pair["refresh_token"])


def test_tampered_payload_keeping_the_signature_is_refused(client, login, factory, org, other_org):
    viewer = factory.person(org, email="viewer@chesterfield.test")
    boss = factory.person(org, Role.admin, email="boss@chesterfield.test")
    token = login("viewer@chesterfield.test").json()["access_token"]
    assert client.get(ME_URL, headers=bearer(token)).status_code == 200
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    assert claims["sub"] == str(viewer.id)
    changes = {
        "roles": {"roles": ["admin"]},
        "org": {"org": str(other_org.id)},
        "sub": {"sub": str(boss.id)},
        "exp": {"exp": claims["exp"] + 86400 * 365},
    }

    forged = {
        name: f"{header}.{b64url_json(claims | change)}.{signature}" for name, change in changes.items()
    }

    assert_refused(client, forged["roles"])
    assert_all_refused(client, forged)


def test_correctly_signed_token_claiming_another_organisation_is_refused(client, viewer, other_org):
    # Even with the key, a user's token must name the user's own organisation.
    assert_refused(client, sign(claims_for(viewer.id, other_org.id)))


def test_correctly_signed_token_for_unknown_subject_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(uuid.uuid4(), org.id)))


def test_token_with_malformed_subject_is_refused(client, viewer, org):
    subjects = ["not-a-uuid", "", 12345]
    assert_all_refused(client, {repr(s): sign(claims_for(viewer.id, org.id, sub=s)) for s in subjects})


def test_token_with_malformed_roles_is_refused(client, viewer, org):
    assert_refused(client, sign(claims_for(viewer.id, org.id, roles="admin")))


def test_token_of_a_deleted_user_is_refused(client, login, admin, viewer):
    token = login("viewer@chesterfield.test").json()["access_token"]
    assert client.get(ME_URL, headers=bearer(token)).status_code == 200

    deleted = client.delete(f"/api/v1/users/{viewer.id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text

    assert_refused(client, token)
    assert_refused(client, viewer.token)


def test_token_of_a_user_deactivated_through_the_api_is_refused(client, login, admin, viewer):
    token = login("viewer@chesterfield.test").json()["access_token"]
    assert client.get(ME_URL, headers=bearer(token)).status_code == 200

    deactivated = client.post(f"/api/v1/users/{viewer.id}/deactivate", headers=admin.headers)
    assert deactivated.status_code == 200, deactivated.text

    assert_refused(client, token)
    assert_refused(client, viewer.token)


def test_token_of_a_user_disabled_in_the_database_is_refused(client, viewer, session: Session):
    assert client.get(ME_URL, headers=viewer.headers).status_code == 200
    user = session.get_one(User, viewer.id)
    user.is_active = False
    session.add(user)
    session.commit()

    assert_refused(client, viewer.token)


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_token_missing_a_required_claim_is_refused(client, viewer, org, claim):
    claims = claims_for(viewer.id, org.id)
    del claims[claim]
    assert_refused(client, sign(claims))


def test_token_with_a_null_required_claim_is_refused(client, viewer, org):
    assert_all_refused(client, {c: sign(claims_for(viewer.id, org.id, **{c: None})) for c in REQUIRED_CLAIMS})


def test_token_signed_with_another_hmac_algorithm_is_refused(client, viewer, org):
    # The right key, but only HS256 is accepted.
    assert_refused(client, sign(claims_for(viewer.id, org.id), algorithm="HS512"))
    assert_refused(client, sign(claims_for(viewer.id, org.id), algorithm="HS384"))


def test_token_with_a_header_naming_another_algorithm_is_refused(client, viewer, org):
    # Algorithm confusion: an HMAC-SHA256 signature with the server's secret, under a header
    # that names another algorithm.
    claims = claims_for(viewer.id, org.id)
    assert_refused(client, sign_by_hand({"alg": "RS256", "typ": "JWT"}, claims))
    algs = ["ES256", "PS256", "HS512", "hs256", "EdDSA"]
    assert_all_refused(client, {alg: sign_by_hand({"alg": alg, "typ": "JWT"}, claims) for alg in algs})


def test_token_with_embedded_key_header_is_refused(client, viewer, org):
    attacker_key = "attacker-" + "z" * 40
    header = {"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": b64url(attacker_key.encode())}}
    assert_refused(client, sign_by_hand(header, claims_for(viewer.id, org.id), key=attacker_key))


def test_token_issued_in_the_future_beyond_exp_is_refused(client, viewer, org):
    now = int(time.time())
    assert_refused(client, sign(claims_for(viewer.id, org.id, iat=now + 7200, exp=now - 1)))


def test_token_with_malformed_time_claim_is_refused(client, viewer, org):
    values = [("exp", "soon"), ("exp", [1]), ("exp", {"at": 1}), ("iat", "now"), ("iat", [1]), ("iat", 1.5)]
    assert_all_refused(
        client, {f"{c}={v!r}": sign(claims_for(viewer.id, org.id, **{c: v})) for c, v in values}
    )
