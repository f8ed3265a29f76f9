"""API clients: registration, the client_credentials grant, revocation, secret rotation."""

from __future__ import annotations

import base64
import uuid

import pytest
from jose import jwt
from sqlalchemy import func, select, text
from sqlmodel import Session

from pmo.auth.models import ApiClient, ApiClientSecret
from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.core.security import digest
from support.api import oauth_error, problem

from .helpers import ME_URL, TOKEN_URL, bearer, sign

CLIENTS_URL = "/api/v1/api-clients"


@pytest.fixture
def create_client(client, admin):
    def create(scopes=("kpis:read", "portfolio:read"), name="Finance system", headers=None):
        response = client.post(
            CLIENTS_URL, json={"name": name, "scopes": list(scopes)}, headers=headers or admin.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    return create


def client_token(client, created, scope=None):
    data = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
    }
    if scope is not None:
        data["scope"] = scope
    return client.post(TOKEN_URL, data=data)


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_create_returns_the_secret_once(client, admin, create_client):
    created = create_client()

    assert created["client_secret"]
    assert created["client_id"].startswith("pmo_")
    assert created["scopes"] == ["kpis:read", "portfolio:read"]
    assert created["is_active"] is True
    shown = client.get(f"{CLIENTS_URL}/{created['id']}", headers=admin.headers)
    assert shown.status_code == 200
    assert "client_secret" not in shown.json()
    assert created["client_secret"] not in shown.text
    listed = client.get(CLIENTS_URL, headers=admin.headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [created["id"]]
    assert created["client_secret"] not in listed.text
    assert "client_secret" not in listed.json()["items"][0]


def test_only_the_hash_of_the_secret_is_stored(create_client, session: Session):
    created = create_client()
    [stored] = (
        session.execute(
            select(ApiClientSecret).where(ApiClientSecret.api_client_id == uuid.UUID(created["id"]))
        )
        .scalars()
        .all()
    )
    assert stored.secret_hash == digest(created["client_secret"])
    assert created["client_secret"] not in stored.secret_hash
    assert [s["id"] for s in created["secrets"]] == [str(stored.id)]


def test_managing_clients_needs_the_permission(client, factory, org, admin):
    viewer = factory.person(org, Role.viewer)
    response = client.post(CLIENTS_URL, json={"name": "X", "scopes": ["kpis:read"]}, headers=viewer.headers)
    problem(response, 403)


def test_clients_of_another_organisation_are_not_found(client, create_client, other_admin):
    created = create_client()
    problem(client.get(f"{CLIENTS_URL}/{created['id']}", headers=other_admin.headers), 404)
    problem(client.post(f"{CLIENTS_URL}/{created['id']}/revoke", headers=other_admin.headers), 404)
    assert client.get(CLIENTS_URL, headers=other_admin.headers).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "scopes": []},
        {"name": "X", "scopes": ["admin"]},
        {"name": "X"},
        {"name": "X", "scopes": ["kpis:read"], "client_secret": "chosen"},
        {"name": "X", "scopes": ["kpis:read"], "client_id": "pmo_mine"},
    ],
    ids=["no-scopes", "unknown-scope", "missing-scopes", "chosen-secret", "chosen-client-id"],
)
def test_create_rejects_bad_input(client, admin, body):
    problem(client.post(CLIENTS_URL, json=body, headers=admin.headers), 422)


def test_token_with_form_credentials(client, create_client):
    created = create_client()

    response = client_token(client, created)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"]
    assert body["expires_in"] > 0
    assert body.get("refresh_token") is None
    assert body["scope"] == "kpis:read portfolio:read"
    assert client.get(ME_URL, headers=bearer(body["access_token"])).status_code == 200


def test_token_with_http_basic_credentials(client, create_client):
    created = create_client()

    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(created["client_id"], created["client_secret"]),
    )

    assert response.status_code == 200, response.text
    assert client.get(ME_URL, headers=bearer(response.json()["access_token"])).status_code == 200


def test_wrong_http_basic_secret_is_invalid_client_401(client, create_client):
    created = create_client()
    response = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(created["client_id"], "wrong")
    )
    oauth_error(response, 401, "invalid_client")
    # RFC 6749 5.2: a client that authenticated with Basic is challenged for Basic.
    assert response.headers["www-authenticate"] == 'Basic realm="pmo"'


@pytest.mark.parametrize("credentials", ["%%%not-base64", "bm8tY29sb24="])  # the second: "no-colon"
def test_malformed_http_basic_is_invalid_client(client, create_client, credentials):
    create_client()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    oauth_error(response, 401, "invalid_client")


def test_credentials_both_in_basic_and_the_form_are_invalid_request(client, create_client):
    created = create_client()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": created["client_id"]},
        headers=basic(created["client_id"], created["client_secret"]),
    )
    oauth_error(response, 400, "invalid_request")


def test_wrong_secret_is_401(client, create_client):
    created = create_client()
    response = client_token(client, created | {"client_secret": "not-the-secret"})
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == 'Basic realm="pmo"'


def test_unknown_client_is_401(client, create_client):
    created = create_client()
    oauth_error(client_token(client, created | {"client_id": "pmo_" + "0" * 24}), 401, "invalid_client")


def test_missing_client_credentials_are_invalid_request(client, create_client):
    created = create_client()
    response = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": created["client_id"]}
    )
    assert "`client_secret`" in oauth_error(response, 400, "invalid_request")["error_description"]


def test_a_client_secret_is_not_a_password(client, create_client, admin):
    # The client's credentials do not sign anyone in through the password grant.
    created = create_client()
    response = client.post(
        TOKEN_URL,
        data={
            "grant_type": "password",
            "username": created["client_id"],
            "password": created["client_secret"],
        },
    )
    oauth_error(response, 400, "invalid_grant")


def test_scope_beyond_the_grant_is_invalid_scope(client, create_client):
    created = create_client(scopes=["kpis:read"])

    response = client_token(client, created, scope="kpis:read portfolio:read")

    oauth_error(response, 400, "invalid_scope")


def test_unknown_scope_is_invalid_scope(client, create_client):
    created = create_client(scopes=["kpis:read"])
    oauth_error(client_token(client, created, scope="admin"), 400, "invalid_scope")


def test_a_narrower_scope_can_be_asked_for(client, create_client):
    created = create_client(scopes=["kpis:read", "portfolio:read"])

    response = client_token(client, created, scope="kpis:read")

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "kpis:read"
    me = client.get(ME_URL, headers=bearer(response.json()["access_token"])).json()
    assert me["scopes"] == ["kpis:read"]


def test_me_with_a_client_token_shows_kind_client_and_scopes(client, create_client, org):
    created = create_client(scopes=["portfolio:read", "kpis:read"])
    token = client_token(client, created).json()["access_token"]

    response = client.get(ME_URL, headers=bearer(token))

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["kind"] == "client"
    assert me["id"] == created["id"]
    assert me["scopes"] == ["kpis:read", "portfolio:read"]
    assert me["organisation"]["id"] == str(org.id)
    assert me["roles"] == []
    assert me["email"] is None


def test_client_token_on_an_admin_route_is_403(client, create_client):
    token = client_token(client, create_client()).json()["access_token"]

    problem(client.get("/api/v1/users", headers=bearer(token)), 403)
    problem(client.get(CLIENTS_URL, headers=bearer(token)), 403)
    response = client.post(
        CLIENTS_URL, json={"name": "Escalate", "scopes": ["kpis:read"]}, headers=bearer(token)
    )
    problem(response, 403)


def test_client_token_cannot_sign_out_everywhere(client, create_client):
    token = client_token(client, create_client()).json()["access_token"]
    problem(client.post("/api/v1/auth/logout-all", headers=bearer(token)), 400)


def test_revoked_client_is_refused_at_once(client, admin, create_client):
    created = create_client()
    token = client_token(client, created).json()["access_token"]
    assert client.get(ME_URL, headers=bearer(token)).status_code == 200

    revoked = client.post(f"{CLIENTS_URL}/{created['id']}/revoke", headers=admin.headers)

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["is_active"] is False
    assert revoked.json()["revoked_at"] is not None
    # No waiting for the next second: revocation is checked on every request.
    problem(client.get(ME_URL, headers=bearer(token)), 401)
    oauth_error(client_token(client, created), 401, "invalid_client")


def test_revoked_client_cannot_be_given_a_new_secret(client, admin, create_client):
    created = create_client()
    assert client.post(f"{CLIENTS_URL}/{created['id']}/revoke", headers=admin.headers).status_code == 200
    problem(client.post(f"{CLIENTS_URL}/{created['id']}/rotate-secret", headers=admin.headers), 409)


def test_revoking_one_client_leaves_others_working(client, admin, create_client):
    first = create_client(name="First")
    second = create_client(name="Second")
    client.post(f"{CLIENTS_URL}/{first['id']}/revoke", headers=admin.headers)

    token = client_token(client, second)
    assert token.status_code == 200
    assert client.get(ME_URL, headers=bearer(token.json()["access_token"])).status_code == 200


def test_rotate_secret_replaces_the_old_one(client, admin, create_client):
    created = create_client()
    # Issued in the same second as the rotation: refused all the same (generations, not times).
    old_token = client_token(client, created).json()["access_token"]

    rotated = client.post(f"{CLIENTS_URL}/{created['id']}/rotate-secret", headers=admin.headers)

    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret
    assert new_secret != created["client_secret"]
    assert rotated.json()["client_id"] == created["client_id"]
    oauth_error(client_token(client, created), 401, "invalid_client")
    fresh = client_token(client, created | {"client_secret": new_secret})
    assert fresh.status_code == 200, fresh.text
    assert client.get(ME_URL, headers=bearer(fresh.json()["access_token"])).status_code == 200
    # Tokens issued with the old secret stop working.
    problem(client.get(ME_URL, headers=bearer(old_token)), 401)


def test_a_retry_of_a_keyed_create_is_409_and_creates_nothing_more(client, admin, session: Session):
    body = {"name": "Payroll", "scopes": ["kpis:read"]}
    headers = admin.headers | {"Idempotency-Key": "create-payroll-1"}

    first = client.post(CLIENTS_URL, json=body, headers=headers)
    retry = client.post(CLIENTS_URL, json=body, headers=headers)

    assert first.status_code == 201, first.text
    body = problem(retry, 409)
    assert "held a secret" in body["detail"]
    assert (
        body["location"]
        == first.headers["Location"]
        == public_url_of(f"/api/v1/api-clients/{first.json()['id']}")
    )
    assert first.json()["client_secret"] not in retry.text
    count = session.execute(select(func.count()).select_from(ApiClient)).scalar_one()
    session.rollback()  # end the read transaction: SQLite would keep the next request waiting
    assert count == 1
    # The secret of the one response works.
    assert client_token(client, first.json()).status_code == 200


def test_no_secret_is_stored_in_the_idempotency_record(client, admin, engine):
    headers = admin.headers | {"Idempotency-Key": "create-payroll-3"}
    created = client.post(CLIENTS_URL, json={"name": "Payroll", "scopes": ["kpis:read"]}, headers=headers)
    assert created.status_code == 201

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM idempotency_records")).mappings().all()

    assert len(rows) == 1
    assert rows[0]["response_body"] is None
    assert created.json()["client_secret"] not in repr(dict(rows[0]))


def test_responses_with_a_secret_are_not_stored_by_caches(client, admin):
    keyed = admin.headers | {"Idempotency-Key": "create-payroll-4"}
    body = {"name": "Payroll", "scopes": ["kpis:read"]}
    for headers in (admin.headers, keyed):
        created = client.post(CLIENTS_URL, json=body, headers=headers)
        assert created.status_code == 201
        assert created.headers["cache-control"] == "no-store"

    rotated = client.post(f"{CLIENTS_URL}/{created.json()['id']}/rotate-secret", headers=admin.headers)

    assert rotated.status_code == 200
    assert rotated.headers["cache-control"] == "no-store"
    token = client_token(client, rotated.json())
    assert token.status_code == 200
    assert token.headers["cache-control"] == "no-store"


def test_idempotency_key_with_a_different_body_is_422(client, admin):
    headers = admin.headers | {"Idempotency-Key": "create-payroll-2"}
    assert (
        client.post(
            CLIENTS_URL, json={"name": "Payroll", "scopes": ["kpis:read"]}, headers=headers
        ).status_code
        == 201
    )

    response = client.post(CLIENTS_URL, json={"name": "Other", "scopes": ["kpis:read"]}, headers=headers)

    problem(response, 422)
    assert client.get(CLIENTS_URL, headers=admin.headers).json()["total"] == 1


def test_without_idempotency_key_each_post_creates_a_client(client, admin):
    body = {"name": "Payroll", "scopes": ["kpis:read"]}
    first = client.post(CLIENTS_URL, json=body, headers=admin.headers).json()
    second = client.post(CLIENTS_URL, json=body, headers=admin.headers).json()

    assert first["client_id"] != second["client_id"]
    assert client.get(CLIENTS_URL, headers=admin.headers).json()["total"] == 2


def test_idempotency_keys_belong_to_their_actor(client, admin, factory, org):
    other = factory.person(org, Role.admin, email="deputy@chesterfield.test")
    body = {"name": "Payroll", "scopes": ["kpis:read"]}
    key = {"Idempotency-Key": "shared-key"}

    mine = client.post(CLIENTS_URL, json=body, headers=admin.headers | key).json()
    theirs = client.post(CLIENTS_URL, json=body, headers=other.headers | key).json()

    assert mine["client_id"] != theirs["client_id"]
    assert "Idempotent-Replayed" not in theirs


# Two secrets at once: rotation without downtime ----------------------------------------------


def _secret_ids(created) -> list[str]:  # type: ignore[no-untyped-def]
    return [s["id"] for s in created["secrets"] if s["is_active"]]


def test_a_new_secret_leaves_the_old_one_and_its_tokens_working(client, admin, create_client):
    created = create_client()
    old_token = client_token(client, created).json()["access_token"]

    added = client.post(f"{CLIENTS_URL}/{created['id']}/secrets", headers=admin.headers)

    assert added.status_code == 201, added.text
    assert added.headers["cache-control"] == "no-store"
    new = created | {"client_secret": added.json()["client_secret"]}
    assert len(_secret_ids(added.json())) == 2
    for credentials in (created, new):
        token = client_token(client, credentials)
        assert token.status_code == 200, token.text
        assert client.get(ME_URL, headers=bearer(token.json()["access_token"])).status_code == 200
    assert client.get(ME_URL, headers=bearer(old_token)).status_code == 200


def test_retiring_a_secret_ends_it_and_its_tokens_at_once_and_leaves_the_other(client, admin, create_client):
    created = create_client()
    old_id = _secret_ids(created)[0]
    old_token = client_token(client, created).json()["access_token"]
    added = client.post(f"{CLIENTS_URL}/{created['id']}/secrets", headers=admin.headers).json()
    new = created | {"client_secret": added["client_secret"]}
    new_token = client_token(client, new).json()["access_token"]

    retired = client.post(f"{CLIENTS_URL}/{created['id']}/secrets/{old_id}/retire", headers=admin.headers)

    assert retired.status_code == 200, retired.text
    assert [s["id"] for s in retired.json()["secrets"] if not s["is_active"]] == [old_id]
    response = client.get(ME_URL, headers=bearer(old_token))
    problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="pmo", error="invalid_token"'
    oauth_error(client_token(client, created), 401, "invalid_client")
    assert client.get(ME_URL, headers=bearer(new_token)).status_code == 200
    assert client_token(client, new).status_code == 200


def test_at_most_two_secrets_are_active_and_the_last_cannot_be_retired(client, admin, create_client):
    created = create_client()
    url = f"{CLIENTS_URL}/{created['id']}/secrets"
    problem(client.post(f"{url}/{_secret_ids(created)[0]}/retire", headers=admin.headers), 409)
    assert client.post(url, headers=admin.headers).status_code == 201
    problem(client.post(url, headers=admin.headers), 409)
    problem(client.post(f"{url}/{uuid.uuid4()}/retire", headers=admin.headers), 404)


def test_a_token_naming_a_secret_of_another_client_is_refused(client, create_client, session: Session):
    first, second = create_client(name="First"), create_client(name="Second")
    token = client_token(client, first).json()["access_token"]
    claims = jwt.get_unverified_claims(token)
    forged = sign({**claims, "sec": _secret_ids(second)[0]})
    problem(client.get(ME_URL, headers=bearer(forged)), 401)
    assert client.get(ME_URL, headers=bearer(sign(claims))).status_code == 200  # the control


def test_a_token_from_before_tokens_named_their_secret_stands_until_a_secret_is_retired(
    client, admin, create_client
):
    created = create_client()
    claims = jwt.get_unverified_claims(client_token(client, created).json()["access_token"])
    legacy = sign({key: value for key, value in claims.items() if key != "sec"})
    assert client.get(ME_URL, headers=bearer(legacy)).status_code == 200
    added = client.post(f"{CLIENTS_URL}/{created['id']}/secrets", headers=admin.headers).json()
    assert client.get(ME_URL, headers=bearer(legacy)).status_code == 200

    old_id = _secret_ids(created)[0]
    client.post(f"{CLIENTS_URL}/{created['id']}/secrets/{old_id}/retire", headers=admin.headers)

    problem(client.get(ME_URL, headers=bearer(legacy)), 401)
    assert client_token(client, created | {"client_secret": added["client_secret"]}).status_code == 200


def test_managing_secrets_needs_the_permission_and_the_organisation(
    client, factory, org, create_client, other_admin
):
    created = create_client()
    url = f"{CLIENTS_URL}/{created['id']}/secrets"
    viewer = factory.person(org, Role.viewer)
    problem(client.post(url, headers=viewer.headers), 403)
    problem(client.post(url, headers=other_admin.headers), 404)
    problem(client.post(f"{url}/{_secret_ids(created)[0]}/retire", headers=other_admin.headers), 404)
    # Nothing changed: the one secret is still the only one, and works.
    assert client_token(client, created).status_code == 200
