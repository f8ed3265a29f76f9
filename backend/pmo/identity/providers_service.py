"""Each organisation's identity provider: read, replace, remove. Takes a session; never commits."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.config import Settings, get_settings
from pmo.core.errors import Conflict, FieldProblem, NotFound, ProblemError, Unprocessable
from pmo.core.middleware import API_PREFIX
from pmo.core.permissions import Actor
from pmo.identity import oidc
from pmo.identity.models import DirectorySession, IdentityProvider, SignInAttempt
from pmo.identity.providers_schemas import (
    IdentityProviderGroupRole,
    IdentityProviderPublic,
    IdentityProviderSettings,
)
from pmo.organisations.models import Directorate

CALLBACK_PATH = f"{API_PREFIX}/auth/oidc/callback"
_SECRET_VERSION = "v1"  # noqa: S105 - a format marker, not a secret


# The client secret, sealed with the product's secret key ----------------------------------


def _sealing_key(settings: Settings) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"pmo identity-provider client secret"
    ).derive(settings.signing_secret.encode())


def seal_secret(settings: Settings, organisation_id: uuid.UUID, secret: str) -> str:
    """AES-256-GCM, bound to the organisation (a sealed secret moved to another row won't open)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_sealing_key(settings)).encrypt(nonce, secret.encode(), organisation_id.bytes)
    return f"{_SECRET_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


class SecretUnreadable(ProblemError):
    status, slug, title = 409, "client-secret-unreadable", "The client secret must be entered again"


def open_secret(settings: Settings, provider: IdentityProvider) -> str:
    version, _, payload = provider.client_secret_encrypted.partition(":")
    try:
        raw = base64.urlsafe_b64decode(payload)
        if version != _SECRET_VERSION:
            raise ValueError(version)
        plain = AESGCM(_sealing_key(settings)).decrypt(raw[:12], raw[12:], provider.organisation_id.bytes)
    except (InvalidTag, ValueError) as exc:
        raise SecretUnreadable(
            "The stored client secret cannot be read with this server's secret key (was PMO_SECRET_KEY "
            "changed?). An administrator must enter the client secret again."
        ) from exc
    return plain.decode()


# Reading and writing ------------------------------------------------------------------------


def provider_view(provider: IdentityProvider) -> IdentityProviderPublic:
    return IdentityProviderPublic(
        slug=provider.slug,
        sign_in_url=f"/sign-in/{provider.slug}",
        redirect_uri=get_settings().public_url + CALLBACK_PATH,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_set=bool(provider.client_secret_encrypted),
        groups_claim=provider.groups_claim,
        group_roles=[IdentityProviderGroupRole.model_validate(m) for m in provider.group_roles],
        create_unknown_users=provider.create_unknown_users,
        local_passwords_allowed=provider.local_passwords_allowed,
        email_domains=provider.email_domains,
        tenant_ids=provider.tenant_ids,
        created_at=provider.created_at,
        updated_at=provider.updated_at,
    )


def find_provider(session: Session, organisation_id: uuid.UUID) -> IdentityProvider | None:
    return session.exec(
        select(IdentityProvider).where(IdentityProvider.organisation_id == organisation_id)
    ).first()


def get_provider(session: Session, actor: Actor) -> IdentityProvider:
    provider = find_provider(session, actor.organisation_id)
    if provider is None:
        raise NotFound("Your organisation has no identity provider; PUT one to set it up.")
    return provider


def _invalid(location: list[str | int], message: str) -> Unprocessable:
    return Unprocessable(
        f"{'.'.join(str(p) for p in location)}: {message}",
        errors=[FieldProblem(location=location, message=message, type="value_error")],
    )


def _check(session: Session, organisation_id: uuid.UUID, data: IdentityProviderSettings) -> None:
    """Everything that needs the database or the provider; nothing is saved if any fails."""
    slug_owner = session.exec(
        select(IdentityProvider.organisation_id).where(IdentityProvider.slug == data.slug)
    ).first()
    if slug_owner is not None and slug_owner != organisation_id:
        raise Conflict(f"The sign-in address '{data.slug}' is taken by another organisation.")
    if data.email_domains:
        others = session.exec(
            select(IdentityProvider.email_domains).where(IdentityProvider.organisation_id != organisation_id)
        ).all()
        taken = sorted(set(data.email_domains) & {d for domains in others for d in domains})
        if taken:
            raise Conflict(f"Another organisation has registered the email domain(s): {', '.join(taken)}.")
    wanted = {m.directorate_id for m in data.group_roles if m.directorate_id is not None}
    if wanted:
        found = set(
            session.exec(
                select(Directorate.id).where(
                    col(Directorate.id).in_(wanted), Directorate.organisation_id == organisation_id
                )
            ).all()
        )
        for index, mapping in enumerate(data.group_roles):
            if mapping.directorate_id is not None and mapping.directorate_id not in found:
                raise _invalid(
                    ["body", "group_roles", index, "directorate_id"],
                    "no directorate with that id in your organisation",
                )
    try:
        metadata = oidc.discover(data.issuer, fresh=True)
    except oidc.ProviderError as exc:
        raise _invalid(["body", "issuer"], str(exc)) from exc
    if oidc.TENANT_PLACEHOLDER in metadata["issuer"] and not data.tenant_ids:
        raise _invalid(
            ["body", "tenant_ids"],
            "this issuer is multi-tenant (Entra ID): list the directory tenant ids whose people may sign in",
        )


def put_provider(session: Session, actor: Actor, data: IdentityProviderSettings) -> IdentityProvider:
    """Create or replace the organisation's provider."""
    settings = get_settings()
    existing = find_provider(session, actor.organisation_id)
    if existing is None and data.client_secret is None:
        raise _invalid(["body", "client_secret"], "required when setting up the identity provider")
    _check(session, actor.organisation_id, data)
    values: dict[str, Any] = data.model_dump(exclude={"client_secret", "group_roles"})
    values["group_roles"] = [m.model_dump(mode="json") for m in data.group_roles]
    if data.client_secret is not None:
        values["client_secret_encrypted"] = seal_secret(settings, actor.organisation_id, data.client_secret)
    if existing is None:
        provider = IdentityProvider(organisation_id=actor.organisation_id, **values)
        audit.created(session, actor, provider, "identity_provider")
        return provider
    audit.changed(session, actor, existing, "identity_provider", values)
    return existing


def delete_provider(session: Session, actor: Actor) -> None:
    """Directory sign-in stops; people keep their accounts (and sign in with passwords, which
    are always allowed again without a provider). Their bindings stay, for a provider set up again."""
    provider = get_provider(session, actor)
    session.execute(delete(SignInAttempt).where(col(SignInAttempt.provider_id) == provider.id))
    session.execute(delete(DirectorySession).where(col(DirectorySession.provider_id) == provider.id))
    audit.deleted(session, actor, provider, "identity_provider")
