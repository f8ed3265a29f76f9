"""OAuth 2.0 as integrators' libraries expect it: RFC 6749 token responses, RFC 6750
challenges, RFC 8414 metadata, the issuer, scopes in the OpenAPI document, and Authlib."""

from __future__ import annotations

import pytest
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from jose import jwt

from pmo.core.config import get_settings
from support.api import problem

from .helpers import ME_URL, TOKEN_URL, bearer, claims_for, sign
from .test_api_clients import client_token, create_client  # noqa: F401 - a fixture

METADATA_URL = "/.well-known/oauth-authorization-server"
FEED_URL = "/api/v1/kpi-feed/values"


@pytest.fixture
def public_url(monkeypatch):
    url = "https://pmo.chesterfield.gov.uk"
    monkeypatch.setattr(get_settings(), "public_url", url)
    return url


def test_every_token_response_forbids_caching(client, login, admin, create_client):  # noqa: F811
    answers = [
        login(admin.user.email),
        client_token(client, create_client()),
        login(admin.user.email, "wrong password"),
        client.post(TOKEN_URL, json={"grant_type": "password"}),
    ]
    assert [r.status_code for r in answers] == [200, 200, 400, 400]
    for response in answers:
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"


def test_metadata_names_the_public_url_as_issuer_and_an_absolute_token_endpoint(client, public_url):
    response = client.get(METADATA_URL)

    assert response.status_code == 200, response.text
    metadata = response.json()
    assert metadata["issuer"] == public_url
    assert metadata["token_endpoint"] == f"{public_url}/api/v1/auth/token"
    assert set(metadata["grant_types_supported"]) == {"password", "refresh_token", "client_credentials"}
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert set(metadata["scopes_supported"]) == {"kpis:read", "portfolio:read"}
    assert metadata["response_types_supported"] == []


def test_tokens_are_issued_by_the_public_url(client, login, admin, public_url):
    token = login(admin.user.email).json()["access_token"]

    assert jwt.get_unverified_claims(token)["iss"] == public_url
    assert client.get(ME_URL, headers=bearer(token)).status_code == 200


def test_tokens_of_the_old_issuer_stay_valid_until_they_expire(client, admin, org, public_url):
    old = claims_for(admin.user.id, org.id, iss=get_settings().jwt_issuer, roles=["admin"])
    assert client.get(ME_URL, headers=bearer(sign(old))).status_code == 200

    expired = {**old, "iat": old["iat"] - 3600, "exp": old["iat"] - 60}
    problem(client.get(ME_URL, headers=bearer(sign(expired))), 401)
    # Neither a former public URL nor anyone else's name is an issuer of ours.
    for issuer in ("http://127.0.0.1:8000", "https://evil.example", ""):
        response = client.get(ME_URL, headers=bearer(sign({**old, "iss": issuer})))
        problem(response, 401)
        assert response.headers["www-authenticate"] == 'Bearer realm="pmo", error="invalid_token"'


def test_a_client_without_the_scope_is_told_which_scope_it_needs(client, create_client):  # noqa: F811
    token = client_token(client, create_client(scopes=["portfolio:read"])).json()["access_token"]

    response = client.get(FEED_URL, headers=bearer(token))

    problem(response, 403)
    assert (
        response.headers["www-authenticate"]
        == 'Bearer realm="pmo", error="insufficient_scope", scope="kpis:read"'
    )
    # With the scope, the same call works: the refusal was the scope and nothing else.
    token = client_token(client, create_client(scopes=["kpis:read"])).json()["access_token"]
    assert client.get(FEED_URL, headers=bearer(token)).status_code == 200


def test_a_person_without_the_permission_gets_insufficient_scope_without_a_scope(client, viewer):
    response = client.get("/api/v1/api-clients", headers=viewer.headers)

    problem(response, 403)
    assert response.headers["www-authenticate"] == 'Bearer realm="pmo", error="insufficient_scope"'


def test_each_operation_lists_the_scopes_a_client_needs(app):
    document = app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert set(schemes["OAuth2"]["flows"]) == {"password"}
    assert set(schemes["OAuth2ClientCredentials"]["flows"]["clientCredentials"]["scopes"]) == {
        "kpis:read",
        "portfolio:read",
    }
    paths = document["paths"]
    assert paths["/api/v1/kpi-feed/values"]["get"]["security"] == [
        {"OAuth2": []},
        {"OAuth2ClientCredentials": ["kpis:read"]},
    ]
    assert paths["/api/v1/projects"]["get"]["security"] == [
        {"OAuth2": []},
        {"OAuth2ClientCredentials": ["portfolio:read"]},
    ]
    # Either scope reads the organisation; no scope manages users; any token reads /me.
    assert paths["/api/v1/organisation"]["get"]["security"] == [
        {"OAuth2": []},
        {"OAuth2ClientCredentials": ["kpis:read"]},
        {"OAuth2ClientCredentials": ["portfolio:read"]},
    ]
    assert paths["/api/v1/users"]["post"]["security"] == [{"OAuth2": []}]
    assert paths["/api/v1/me"]["get"]["security"] == [{"OAuth2": []}, {"OAuth2ClientCredentials": []}]
    assert "security" not in paths["/api/v1/auth/token"]["post"]


def test_the_token_endpoint_declares_its_rfc_6749_errors(app):
    operation = app.openapi()["paths"]["/api/v1/auth/token"]["post"]
    for status in ("400", "401", "429"):
        content = operation["responses"][status]["content"]
        assert content == {"application/json": content["application/json"]}
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/OAuthTokenError"}
        assert {"Cache-Control", "Pragma"} <= set(operation["responses"][status]["headers"])
    error = app.openapi()["components"]["schemas"]["OAuthTokenError"]
    assert error["required"] == ["error", "error_description"]
    assert "invalid_client" in error["properties"]["error"]["enum"]
    assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
    assert "422" not in operation["responses"]
    body = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert body["required"] == ["grant_type"]


def test_authlib_fetches_a_token_with_client_credentials_and_calls_the_api(
    public_url,  # first: the administrator's token is issued by it too
    client,
    create_client,  # noqa: F811
):
    created = create_client(scopes=["kpis:read"])
    metadata = client.get(METADATA_URL).json()
    # The test client's transport runs the application in process, whatever the host.
    with OAuth2Client(
        created["client_id"],
        created["client_secret"],
        scope="kpis:read",
        token_endpoint_auth_method="client_secret_basic",
        transport=client._transport,
        base_url=public_url,
    ) as oauth:
        token = oauth.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
        assert token["token_type"] == "bearer"
        assert token["scope"] == "kpis:read"
        assert token["expires_at"] > token["expires_in"]
        me = oauth.get("/api/v1/me")
        assert me.status_code == 200, me.text
        assert me.json()["kind"] == "client"
        assert oauth.get(FEED_URL).status_code == 200

    with OAuth2Client(
        created["client_id"],
        "not the secret",
        token_endpoint_auth_method="client_secret_post",
        transport=client._transport,
        base_url=public_url,
    ) as oauth:
        with pytest.raises(OAuthError) as refused:
            oauth.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
        assert refused.value.error == "invalid_client"
