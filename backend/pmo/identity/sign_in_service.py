"""Signing in with the organisation's OpenID provider, and being signed out by it.

The authorization code flow with PKCE (S256), `state` and `nonce`. What a sign-in needs to
finish (nonce, code verifier, organisation) is kept here, in the database, under the hash of
`state`; the callback takes it out in one conditional delete, so a `state` works once. A
cookie set by the start and sent back to the callback binds the sign-in to that browser.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

# Authlib warns that its httpx integration will move to `httpx2`; the product uses httpx.
# (Its own module turns the warning on when first imported, so it comes first.)
import authlib.deprecate  # noqa: F401
import httpx
from sqlalchemy import delete
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.auth import service as auth_service
from pmo.auth.models import RefreshToken
from pmo.auth.schemas import TokenResponse
from pmo.core.config import Settings
from pmo.core.db import utcnow
from pmo.core.errors import NotFound, ProblemError
from pmo.core.permissions import Grant, Role
from pmo.core.security import digest, hash_password, new_secret
from pmo.identity import oidc
from pmo.identity.models import DirectoryIdentity, DirectorySession, IdentityProvider, SignInAttempt
from pmo.identity.providers_service import CALLBACK_PATH, open_secret
from pmo.identity.sign_in_schemas import DirectorySignInOptions
from pmo.organisations.models import Organisation, RoleAssignment, User

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

logger = logging.getLogger("pmo.identity")
SCOPES = "openid email profile"


class SignInRefused(ProblemError):
    """A directory sign-in that cannot go on; `reason` is a stable code, `detail` says why."""

    status, slug, title = 401, "directory-sign-in-refused", "Directory sign-in refused"

    def __init__(self, detail: str, reason: str, *, status: int = 401) -> None:
        super().__init__(detail, extra={"reason": reason})
        self.status = status


# Where an organisation signs in -------------------------------------------------------------


def provider_by_slug(session: Session, slug: str) -> IdentityProvider:
    provider = session.exec(select(IdentityProvider).where(IdentityProvider.slug == slug)).first()
    if provider is None:
        raise NotFound(f"No organisation signs in at /sign-in/{slug}.")
    return provider


def provider_for_email(session: Session, email: str) -> IdentityProvider:
    domain = email.rpartition("@")[2].lower()
    for provider in session.exec(select(IdentityProvider)).all():
        if domain in provider.email_domains:
            return provider
    raise NotFound(f"No organisation has registered the email domain {domain}; sign in with your password.")


def sign_in_options(session: Session, provider: IdentityProvider) -> DirectorySignInOptions:
    organisation = session.get_one(Organisation, provider.organisation_id)
    return DirectorySignInOptions(
        organisation_name=organisation.name,
        slug=provider.slug,
        sign_in_url=f"/sign-in/{provider.slug}",
        start_url=f"/api/v1/auth/oidc/organisations/{provider.slug}/start",
        local_passwords_allowed=provider.local_passwords_allowed,
    )


# Starting ------------------------------------------------------------------------------------


def _client(settings: Settings, provider: IdentityProvider, base_url: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=open_secret(settings, provider),
        scope=SCOPES,
        redirect_uri=base_url + CALLBACK_PATH,
        code_challenge_method="S256",
        timeout=settings.oidc_http_timeout_seconds,
    )


def _metadata(issuer: str) -> dict[str, Any]:
    try:
        return oidc.discover(issuer)
    except oidc.ProviderError as exc:
        logger.warning("identity provider unavailable: %s", exc)
        raise SignInRefused(
            f"Your organisation's identity provider cannot be reached just now. {exc}",
            "provider_unavailable",
            status=502,
        ) from exc


def requested_scopes(provider: IdentityProvider, metadata: dict[str, Any]) -> str:
    """OpenID, email and profile; and the groups claim's own scope where the provider has one
    (Entra ID has none: it adds groups by the app's token configuration)."""
    supported = metadata.get("scopes_supported") or []
    return SCOPES + (f" {provider.groups_claim}" if provider.groups_claim in supported else "")


def safe_return_path(value: str | None) -> str:
    """Only a path of this site (no `//host`, no scheme): never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:500]


def start(
    session: Session, settings: Settings, provider: IdentityProvider, base_url: str, return_to: str | None
) -> tuple[str, str]:
    """The provider's authorization URL, and the secret for this browser's cookie."""
    metadata = _metadata(provider.issuer)
    state, nonce, verifier, browser = new_secret(32), new_secret(32), new_secret(48), new_secret(32)
    session.execute(delete(SignInAttempt).where(col(SignInAttempt.expires_at) < utcnow()))
    session.add(
        SignInAttempt(
            state_hash=digest(state),
            browser_hash=digest(browser),
            provider_id=provider.id,
            nonce=nonce,
            code_verifier=verifier,
            return_to=safe_return_path(return_to),
            expires_at=utcnow() + timedelta(minutes=settings.oidc_sign_in_minutes),
        )
    )
    with _client(settings, provider, base_url) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            scope=requested_scopes(provider, metadata),
        )
    return url, browser


# Finishing -------------------------------------------------------------------------------------


def take_attempt(session: Session, state: str | None, browser: str | None) -> SignInAttempt:
    """The sign-in that `state` names, removed so that it cannot be used again."""
    if not state:
        raise SignInRefused(
            "The provider's answer has no `state`; start signing in again.", "missing_state", status=400
        )
    attempt = session.exec(select(SignInAttempt).where(SignInAttempt.state_hash == digest(state))).first()
    # Conditional: of two callbacks with one state, exactly one takes it.
    taken = False
    if attempt is not None:
        removed = session.execute(delete(SignInAttempt).where(col(SignInAttempt.id) == attempt.id))
        taken = bool(removed.rowcount)  # type: ignore[attr-defined]
    if attempt is None or not taken:
        raise SignInRefused(
            "This sign-in was already finished, has expired or was never started here (unknown `state`); "
            "start signing in again.",
            "unknown_state",
            status=400,
        )
    if attempt.expires_at <= utcnow():
        raise SignInRefused(
            "This sign-in took too long; start signing in again.", "expired_state", status=400
        )
    if not browser or digest(browser) != attempt.browser_hash:
        raise SignInRefused(
            "This sign-in was started in another browser (or cookies are blocked); start signing in again "
            "here.",
            "other_browser",
            status=400,
        )
    return attempt


@dataclass
class SignedIn:
    tokens: TokenResponse
    return_to: str


def finish(
    session: Session,
    settings: Settings,
    attempt: SignInAttempt,
    code: str | None,
    error: str | None,
    error_description: str | None,
    base_url: str,
) -> SignedIn:
    provider = session.get(IdentityProvider, attempt.provider_id)
    if provider is None:
        raise SignInRefused("Your organisation no longer signs in with an identity provider.", "no_provider")
    if error:
        detail = f"The identity provider did not sign you in: {error}"
        raise SignInRefused(
            detail + (f" ({error_description})." if error_description else "."), "provider_error"
        )
    if not code:
        raise SignInRefused("The provider's answer has no authorization code.", "missing_code", status=400)
    metadata = _metadata(provider.issuer)
    try:
        with _client(settings, provider, base_url) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                code=code,
                code_verifier=attempt.code_verifier,
                grant_type="authorization_code",
            )
    except OAuthError as exc:
        raise SignInRefused(
            f"The identity provider refused the sign-in code ({exc.error}: {exc.description}).",
            "code_refused",
        ) from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused(
            "The identity provider's token endpoint gave no usable answer; try again.",
            "provider_unavailable",
            status=502,
        ) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("The identity provider sent no ID token.", "no_id_token")
    try:
        claims = oidc.check_id_token(
            id_token,
            metadata,
            client_id=provider.client_id,
            nonce=attempt.nonce,
            tenant_ids=provider.tenant_ids,
        )
    except oidc.TokenRefused as exc:
        logger.warning("ID token refused for organisation %s: %s", provider.organisation_id, exc)
        raise SignInRefused(str(exc), "id_token_refused") from exc
    except oidc.ProviderError as exc:
        raise SignInRefused(str(exc), "provider_unavailable", status=502) from exc
    user = _person(session, provider, claims)
    ends_at = utcnow() + timedelta(hours=settings.directory_session_hours)
    tokens = auth_service.issue_user_tokens(session, settings, user, session_ends_at=ends_at)
    family_id = session.exec(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(tokens.refresh_token or ""))
    ).one()
    sid = claims.get("sid")
    session.add(
        DirectorySession(
            family_id=family_id,
            organisation_id=user.organisation_id,
            user_id=user.id,
            provider_id=provider.id,
            sid=sid if isinstance(sid, str) else None,
        )
    )
    return SignedIn(tokens, attempt.return_to)


# Who the token names -------------------------------------------------------------------------


def _subject(claims: dict[str, Any]) -> str:
    """Entra ID: the object id, stable for the person across apps (`iss` names the tenant);
    any other provider: `sub`."""
    if isinstance(claims.get("tid"), str) and isinstance(claims.get("oid"), str):
        return str(claims["oid"])
    return str(claims["sub"])


def _verified_email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    # Entra ID sends no `email_verified`; its optional claim `xms_edov` says the domain owner verified it.
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    return email.strip().lower() if isinstance(email, str) and verified else None


def _person(session: Session, provider: IdentityProvider, claims: dict[str, Any]) -> User:
    issuer, subject = str(claims["iss"]), _subject(claims)
    identity = session.exec(
        select(DirectoryIdentity).where(
            DirectoryIdentity.issuer == issuer, DirectoryIdentity.subject == subject
        )
    ).first()
    if identity is not None:
        user = session.get_one(User, identity.user_id)
        if user.organisation_id != provider.organisation_id:
            raise SignInRefused(
                "This directory account belongs to another organisation.", "other_organisation", status=403
            )
    else:
        user = _bind(session, provider, claims, issuer, subject)
    if not user.is_active:
        raise SignInRefused(
            "Your account in the product is deactivated; ask your administrator.", "deactivated", status=403
        )
    _sync_roles(session, provider, user, claims)
    return user


def _bind(
    session: Session, provider: IdentityProvider, claims: dict[str, Any], issuer: str, subject: str
) -> User:
    """The first directory sign-in: an invited account is matched by its verified email, once."""
    email = _verified_email(claims)
    if email is None:
        raise SignInRefused(
            "The identity provider sent no verified email address, which a first sign-in needs to find "
            "your account.",
            "no_verified_email",
            status=403,
        )
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        if not provider.create_unknown_users:
            raise SignInRefused(
                f"There is no account for {email}; ask your administrator to invite you.",
                "unknown_user",
                status=403,
            )
        domain = email.rpartition("@")[2]
        if provider.email_domains and domain not in provider.email_domains:
            raise SignInRefused(
                f"Accounts are created only for the organisation's email domains, not {domain}.",
                "unknown_user",
                status=403,
            )
        name = claims.get("name")
        user = User(
            organisation_id=provider.organisation_id,
            email=email,
            display_name=name.strip()[:200] if isinstance(name, str) and name.strip() else email,
            # No usable password: this person signs in through the directory.
            password_hash=hash_password(new_secret(32)),
        )
        audit.created(session, None, user, "user")
    if user.organisation_id != provider.organisation_id:
        raise SignInRefused(
            f"The account for {email} belongs to another organisation.", "other_organisation", status=403
        )
    bound = session.exec(select(DirectoryIdentity.id).where(DirectoryIdentity.user_id == user.id)).first()
    if bound is not None:
        raise SignInRefused(
            f"The account for {email} is already bound to another directory account; ask your administrator.",
            "bound_elsewhere",
            status=403,
        )
    identity = DirectoryIdentity(
        organisation_id=user.organisation_id, user_id=user.id, issuer=issuer, subject=subject
    )
    audit.created(session, None, identity, "directory_identity")
    return user


def mapped_grants(provider: IdentityProvider, claims: dict[str, Any]) -> set[Grant]:
    value = claims.get(provider.groups_claim, [])
    groups = (
        {value}
        if isinstance(value, str)
        else {g for g in value if isinstance(g, str)}
        if isinstance(value, list)
        else set()
    )
    grants = set()
    for mapping in provider.group_roles:
        if mapping["group"] in groups:
            directorate = mapping.get("directorate_id")
            grants.add(Grant(Role(str(mapping["role"])), uuid.UUID(directorate) if directorate else None))
    return grants


def _sync_roles(session: Session, provider: IdentityProvider, user: User, claims: dict[str, Any]) -> None:
    """The person's roles become what their groups map to, at every sign-in."""
    wanted = mapped_grants(provider, claims)
    if not wanted:
        raise SignInRefused(
            f"Your directory groups give you no role here (the `{provider.groups_claim}` claim matches none "
            "of the organisation's mapped groups); ask your administrator.",
            "no_role",
            status=403,
        )
    held = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()

    def grant_of(a: RoleAssignment) -> Grant:  # programme and project scopes are never mapped: they go
        return Grant(Role(a.role), a.directorate_id, a.programme_id, a.project_id)

    for assignment in held:
        if grant_of(assignment) not in wanted:
            audit.deleted(session, None, assignment, "role_assignment")
    have = {grant_of(a) for a in held}
    for grant in sorted(wanted - have, key=lambda g: (g.role.value, str(g.directorate_id))):
        assignment = RoleAssignment(
            organisation_id=user.organisation_id,
            user_id=user.id,
            role=grant.role.value,
            directorate_id=grant.directorate_id,
            scope_key=f"directorate:{grant.directorate_id}" if grant.directorate_id else "organisation",
            created_at=utcnow(),
        )
        audit.created(session, None, assignment, "role_assignment")


# Signing out -----------------------------------------------------------------------------------


def back_channel_logout(session: Session, provider: IdentityProvider, logout_token: str) -> int:
    """End the product sessions the provider's logout token names; how many were ended."""
    metadata = _metadata(provider.issuer)
    try:
        claims = oidc.check_logout_token(
            logout_token, metadata, client_id=provider.client_id, tenant_ids=provider.tenant_ids
        )
    except (oidc.TokenRefused, oidc.ProviderError) as exc:
        logger.warning("logout token refused for organisation %s: %s", provider.organisation_id, exc)
        raise SignInRefused(str(exc), "logout_token_refused", status=400) from exc
    statement = select(DirectorySession.family_id).where(DirectorySession.provider_id == provider.id)
    if isinstance(claims.get("sid"), str):
        statement = statement.where(DirectorySession.sid == claims["sid"])
    if isinstance(claims.get("sub"), str):
        identity = session.exec(
            select(DirectoryIdentity.user_id).where(
                DirectoryIdentity.issuer == claims["iss"], DirectoryIdentity.subject == _subject(claims)
            )
        ).first()
        statement = statement.where(DirectorySession.user_id == identity)
    families = session.exec(statement).all()
    for family_id in families:
        auth_service.revoke_family(session, family_id)
    session.execute(delete(DirectorySession).where(col(DirectorySession.family_id).in_(families)))
    return len(families)


def end_session_url(session: Session, provider_session: DirectorySession, base_url: str) -> str | None:
    """The provider's RP-initiated logout address for a directory session, when it offers one."""
    provider = session.get(IdentityProvider, provider_session.provider_id)
    if provider is None:
        return None
    try:
        endpoint = oidc.discover(provider.issuer).get("end_session_endpoint")
    except oidc.ProviderError:
        return None  # the product's session ends anyway
    if not isinstance(endpoint, str):
        return None
    client = httpx.URL(endpoint).copy_merge_params(
        {"client_id": provider.client_id, "post_logout_redirect_uri": f"{base_url}/sign-in/{provider.slug}"}
    )
    return str(client)


def directory_session_of(session: Session, refresh_token: str) -> DirectorySession | None:
    family = session.exec(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(refresh_token))
    ).first()
    return None if family is None else session.get(DirectorySession, family)
