"""`/organisation/identity-provider`: admins only, their own organisation only; the client
secret written, never read back, logged or audited, and not readable from the database alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from pmo.core.config import get_settings
from pmo.identity.models import IdentityProvider
from pmo.identity.providers_service import open_secret
from support.api import API, problem
from support.database import audit_events, rows

PATH = f"{API}/organisation/identity-provider"
SECRET = "the-client-secret-" + "s" * 20


def body(issuer: str, **changes: Any) -> dict[str, Any]:
    return {
        "slug": "chesterfield",
        "issuer": issuer,
        "client_id": "chesterfield-pmo",
        "client_secret": SECRET,
        "groups_claim": "groups",
        "group_roles": [{"group": "pmo-office", "role": "pmo"}],
        "email_domains": ["Chesterfield.gov.uk"],
        **changes,
    }


def stored_provider(engine) -> IdentityProvider:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(IdentityProvider)).one()


def test_an_admin_sets_up_reads_replaces_and_removes_the_provider(client, admin, forged, engine):
    created = client.put(PATH, json=body(forged.issuer), headers=admin.headers)
    assert created.status_code == 200, created.text
    shown = created.json()
    assert shown["client_secret_set"] is True
    assert "client_secret" not in shown
    assert SECRET not in created.text
    assert shown["email_domains"] == ["chesterfield.gov.uk"]
    assert shown["sign_in_url"] == "/sign-in/chesterfield"
    assert shown["redirect_uri"].endswith("/api/v1/auth/oidc/callback")

    # Not in the database in clear, nor in the audit trail; the product can open it.
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT client_secret_encrypted FROM identity_providers")
        ).scalar_one()
    assert SECRET not in stored
    provider = stored_provider(engine)
    assert open_secret(get_settings(), provider) == SECRET
    events = audit_events(engine, provider.id)
    assert events[0]["action"] == "create"
    assert SECRET not in str(events)
    assert stored not in str(events)

    read = client.get(PATH, headers=admin.headers)
    assert read.status_code == 200
    assert SECRET not in read.text

    # Replacing needs If-Match; leaving the secret out keeps it.
    assert problem(client.put(PATH, json=body(forged.issuer), headers=admin.headers), 428)
    changed = body(forged.issuer, create_unknown_users=True)
    del changed["client_secret"]
    replaced = client.put(PATH, json=changed, headers={**admin.headers, "If-Match": read.headers["ETag"]})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["create_unknown_users"] is True
    assert open_secret(get_settings(), stored_provider(engine)) == SECRET

    assert client.delete(PATH, headers=admin.headers).status_code == 204
    assert problem(client.get(PATH, headers=admin.headers), 404)


def test_only_admins_may_see_or_change_it(client, admin, pmo, viewer, forged):
    assert client.put(PATH, json=body(forged.issuer), headers=admin.headers).status_code == 200
    for person in (pmo, viewer):
        assert problem(client.get(PATH, headers=person.headers), 403)
        assert problem(client.put(PATH, json=body(forged.issuer), headers=person.headers), 403)
        assert problem(client.delete(PATH, headers=person.headers), 403)
    assert problem(client.get(PATH), 401)


def test_another_organisations_admin_sees_only_their_own(client, admin, other_admin, forged, engine):
    assert client.put(PATH, json=body(forged.issuer), headers=admin.headers).status_code == 200
    assert problem(client.get(PATH, headers=other_admin.headers), 404)
    assert problem(client.delete(PATH, headers=other_admin.headers), 404)
    # Nor can they take the sign-in address or an email domain registered by the first.
    taken_slug = body(forged.issuer, email_domains=["dacorum.gov.uk"])
    assert "taken" in problem(client.put(PATH, json=taken_slug, headers=other_admin.headers), 409)["detail"]
    taken_domain = body(forged.issuer, slug="dacorum")
    refused = problem(client.put(PATH, json=taken_domain, headers=other_admin.headers), 409)
    assert "chesterfield.gov.uk" in refused["detail"]
    assert len(rows(engine, "identity_providers")) == 1


def test_every_wrong_input_is_named_and_nothing_is_saved(client, admin, other_org, factory, forged, engine):
    elsewhere = factory.directorate(other_org)
    cases = [
        (body("http://provider.example.com"), ["body", "issuer"]),
        (body(forged.issuer, slug="Not A Slug"), ["body", "slug"]),
        (body(forged.issuer, email_domains=["not a domain"]), ["body", "email_domains", 0]),
        (
            body(forged.issuer, group_roles=[{"group": "g", "role": "king"}]),
            ["body", "group_roles", 0, "role"],
        ),
        (
            body(
                forged.issuer,
                group_roles=[{"group": "g", "role": "admin", "directorate_id": str(elsewhere.id)}],
            ),
            ["body", "group_roles", 0],
        ),
        (
            body(
                forged.issuer,
                group_roles=[{"group": "g", "role": "finance", "directorate_id": str(elsewhere.id)}],
            ),
            ["body", "group_roles", 0, "directorate_id"],
        ),
        ({k: v for k, v in body(forged.issuer).items() if k != "client_secret"}, ["body", "client_secret"]),
        (body(forged.issuer, extra="x"), ["body", "extra"]),
    ]
    for payload, location in cases:
        refused = problem(client.put(PATH, json=payload, headers=admin.headers), 422)
        assert [e["location"][: len(location)] for e in refused["errors"]] == [location], (location, refused)
    assert rows(engine, "identity_providers") == []


def test_an_issuer_whose_discovery_fails_or_names_another_issuer_is_refused(client, admin, forged, engine):
    unreachable = problem(client.put(PATH, json=body("http://127.0.0.1:9"), headers=admin.headers), 422)
    assert unreachable["errors"][0]["location"] == ["body", "issuer"]
    assert "could not be read" in unreachable["detail"]
    forged.metadata_issuer = "https://someone-else.example"
    mismatch = problem(client.put(PATH, json=body(forged.issuer), headers=admin.headers), 422)
    assert "someone-else" in mismatch["detail"]
    assert rows(engine, "identity_providers") == []


def test_a_multi_tenant_issuer_needs_its_tenants(client, admin, forged):
    forged.metadata_issuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
    refused = problem(client.put(PATH, json=body(forged.issuer), headers=admin.headers), 422)
    assert refused["errors"][0]["location"] == ["body", "tenant_ids"]
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert (
        client.put(PATH, json=body(forged.issuer, tenant_ids=[tenant]), headers=admin.headers).status_code
        == 200
    )
