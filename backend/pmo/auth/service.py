"""Tokens for people and API clients, refresh-token rotation, and API client management."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, update
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.auth import principal_cache
from pmo.auth.models import ApiClient, ApiClientSecret, RefreshToken
from pmo.auth.schemas import (
    ApiClientAction,
    ApiClientCreate,
    ApiClientPublic,
    ApiClientSecretPublic,
    ApiClientUpdate,
    ApiClientWithSecret,
    TokenResponse,
)
from pmo.core import ratelimit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.config import Settings
from pmo.core.db import utcnow
from pmo.core.errors import NotFound, ProblemError, TooManyRequests, Unauthorized
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor, ClientScope, Permission, Role
from pmo.core.schemas import Page
from pmo.core.security import (
    AccessClaims,
    InvalidToken,
    create_access_token,
    decode_access_token,
    digest,
    digests_match,
    new_secret,
    verify_password,
)
from pmo.identity.models import IdentityProvider
from pmo.organisations.models import Organisation, User
from pmo.organisations.service import end_sessions, grants_of


class InvalidGrant(ProblemError):
    """Wrong credentials or an unusable refresh token (OAuth2 `invalid_grant`), as a 401."""

    status, slug, title = 401, "invalid-grant", "Sign-in failed"

    def __init__(self, detail: str, error: str = "invalid_grant") -> None:
        super().__init__(detail, extra={"error": error}, headers={"WWW-Authenticate": 'Bearer realm="pmo"'})


# Who is asking ---------------------------------------------------------------------------


def _claims(settings: Settings, token: str) -> AccessClaims:
    try:
        return decode_access_token(settings, token)
    except InvalidToken as exc:
        raise Unauthorized("The access token is not valid or has expired.", invalid_token=True) from exc


def actor_in_memory(session: Session, settings: Settings, token: str) -> Actor | None:
    """The token's principal if this process holds it and knows it current, with no I/O (on the
    event loop); None when `actor_from_token` must decide. A token not valid is refused (401)."""
    claims = _claims(settings, token)
    return principal_cache.cache_of(principal_cache.engine_of(session)).held(principal_cache.key_of(claims))


def actor_from_token(session: Session, settings: Settings, token: str) -> Actor:
    """The token's principal: from this process's memory while the auth generation says it is
    current (`pmo.auth.principal_cache`), else read from the database and kept."""
    claims = _claims(settings, token)
    engine = principal_cache.engine_of(session)
    cache, key = principal_cache.cache_of(engine), principal_cache.key_of(claims)
    held = cache.get(engine, key)
    if held is not None:
        return held
    generation = cache.generation_to_read_under(session)
    actor = _actor_from_database(session, claims)
    cache.put(key, actor, generation)
    return actor


def _actor_from_database(session: Session, claims: AccessClaims) -> Actor:
    if claims.subject_type == "user":
        user = session.get(User, claims.subject)
        if (
            user is None
            or not user.is_active
            or user.organisation_id != claims.organisation_id
            or user.token_generation != claims.generation
        ):
            raise Unauthorized(
                "This account can no longer use that token; sign in again.", invalid_token=True
            )
        if claims.session_id is not None and session_has_ended(session, claims.session_id):
            raise Unauthorized("That session has ended; sign in again.", invalid_token=True)
        return Actor(
            kind="user",
            id=user.id,
            organisation_id=user.organisation_id,
            label=user.email,
            grants=tuple(grants_of(session, [user.id])[user.id]),
            display_name=user.display_name,
            organisation_name=_organisation_name(session, user.organisation_id),
        )
    client = session.get(ApiClient, claims.subject)
    if (
        client is None
        or client.revoked_at is not None
        or client.organisation_id != claims.organisation_id
        or client.token_generation != claims.generation
        or not _secret_stands(session, client, claims.secret_id)
    ):
        raise Unauthorized("This API client can no longer use that token.", invalid_token=True)
    granted = set(client.scopes)
    return Actor(
        kind="client",
        id=client.id,
        organisation_id=client.organisation_id,
        label=f"API client {client.name}",
        scopes=frozenset(ClientScope(s) for s in claims.scopes if s in granted),
        display_name=f"API client {client.name}",
        organisation_name=_organisation_name(session, client.organisation_id),
    )


def _organisation_name(session: Session, organisation_id: uuid.UUID) -> str:
    name = session.execute(
        select(Organisation.name).where(col(Organisation.id) == organisation_id)
    ).scalar_one_or_none()
    return name or ""


def _secret_stands(session: Session, client: ApiClient, secret_id: uuid.UUID | None) -> bool:
    """The secret the token was issued with is the client's and not retired. A token from
    before tokens named their secret stands until any secret of the client is retired."""
    if secret_id is None:
        retired = select(ApiClientSecret.id).where(
            col(ApiClientSecret.api_client_id) == client.id, col(ApiClientSecret.retired_at).is_not(None)
        )
        return session.execute(retired.limit(1)).first() is None
    secret = session.get(ApiClientSecret, secret_id)
    return secret is not None and secret.api_client_id == client.id and secret.retired_at is None


def session_has_ended(session: Session, family_id: uuid.UUID) -> bool:
    """A session (refresh token family) ends as a whole: one revoked token of it ends it, so a
    token added while it was being revoked (a racing rotation) ends with it; so does having no
    token left (its person deleted). One indexed read, no cache: every process sees a sign-out
    on its next request."""
    in_family = col(RefreshToken.family_id) == family_id
    has_token = exists().where(in_family)
    has_revoked = exists().where(in_family, col(RefreshToken.revoked_at).is_not(None))
    return bool(session.execute(select(~has_token | has_revoked)).scalar_one())


# Token grants ---------------------------------------------------------------------------
# These return a refusal instead of raising it when the refusal itself must be kept (a
# counted failure, a revoked token family): the caller commits, then raises.
# Only failed sign-ins are counted, per account and per client address separately: an
# office behind one address signs in and renews sessions all day without being locked out.


def _address_key(address: str) -> str:
    return f"login-address:{address}"


def _sign_in_refused(
    session: Session, settings: Settings, address: str, email: str | None
) -> TooManyRequests | None:
    """The 429 for an address or account with too many failed sign-ins in the window, if any."""
    window = settings.login_window_seconds
    by_address = ratelimit.peek(session, _address_key(address), window)
    if by_address.hits >= settings.login_failures_per_address:
        policy = ratelimit.Policy("sign-in-address", settings.login_failures_per_address, window)
        return TooManyRequests(
            "Too many failed sign-ins from your network address. Try again later.",
            retry_after=by_address.retry_after,
            rate_limit=policy.headers(by_address.hits, by_address.retry_after),
        )
    if email is not None:
        by_account = ratelimit.peek(session, ratelimit.login_account_key(email), window)
        if by_account.hits >= settings.login_failures_per_account:
            account = ratelimit.account_policy(settings)
            return TooManyRequests(
                "This account is locked for a while after too many failed sign-ins. Try again later, "
                "or ask an administrator.",
                retry_after=by_account.retry_after,
                rate_limit=account.headers(by_account.hits, by_account.retry_after),
            )
    return None


def _count_failure(session: Session, settings: Settings, address: str, email: str | None) -> None:
    ratelimit.hit(session, _address_key(address), settings.login_window_seconds)
    if email is not None:
        ratelimit.hit(session, ratelimit.login_account_key(email), settings.login_window_seconds)


def password_grant(
    session: Session, settings: Settings, email: str, password: str, address: str
) -> TokenResponse | ProblemError:
    refused = _sign_in_refused(session, settings, address, email)
    if refused is not None:
        return refused
    user = authenticate(session, email, password)
    if user is None:
        _count_failure(session, settings, address, email)
        return InvalidGrant("The email address or password is not right, or the account is disabled.")
    # Administrators keep their password as the way back in should the provider fail.
    if not local_passwords_allowed(session, user.organisation_id) and not _is_admin(session, user):
        return InvalidGrant(
            "Your organisation signs in with its directory, not passwords: use "
            "'Sign in with your council account'.",
            error="invalid_grant",
        )
    return issue_user_tokens(session, settings, user)


def _is_admin(session: Session, user: User) -> bool:
    return any(g.role == Role.admin for g in grants_of(session, [user.id])[user.id])


def local_passwords_allowed(session: Session, organisation_id: uuid.UUID) -> bool:
    """False when the organisation's identity provider is set to refuse passwords."""
    allowed = session.exec(
        select(IdentityProvider.local_passwords_allowed).where(
            IdentityProvider.organisation_id == organisation_id
        )
    ).first()
    return allowed is not False


def client_credentials_grant(
    session: Session, settings: Settings, client_id: str, client_secret: str, scope: str | None, address: str
) -> TokenResponse | ProblemError:
    refused = _sign_in_refused(session, settings, address, None)
    if refused is not None:
        return refused
    authenticated = authenticate_client(session, client_id, client_secret)
    outcome = (
        issue_client_token(settings, *authenticated, scope)
        if authenticated
        else InvalidGrant(
            "The client id or secret is not right, or the client is revoked.", error="invalid_client"
        )
    )
    if isinstance(outcome, InvalidGrant):
        _count_failure(session, settings, address, None)
    return outcome


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    return user


def issue_user_tokens(
    session: Session,
    settings: Settings,
    user: User,
    family_id: uuid.UUID | None = None,
    *,
    session_ends_at: datetime | None = None,
) -> TokenResponse:
    """A new session (or, with `family_id`, the next pair of one); `session_ends_at` caps it."""
    renewing = family_id is not None
    grants = grants_of(session, [user.id])[user.id]
    family_id = family_id or uuid.uuid4()
    access, lifetime = create_access_token(
        settings,
        subject=user.id,
        subject_type="user",
        organisation_id=user.organisation_id,
        roles=[g.role.value for g in grants],
        scopes=[],
        generation=user.token_generation,
        session_id=family_id,
    )
    refresh = new_secret(32)
    session.add(
        RefreshToken(
            token_hash=digest(refresh),
            family_id=family_id,
            user_id=user.id,
            organisation_id=user.organisation_id,
            expires_at=min(
                utcnow() + timedelta(days=settings.refresh_token_days),
                session_ends_at or datetime.max.replace(tzinfo=UTC),
            ),
            session_ends_at=session_ends_at,
        )
    )
    user.last_login_at = user.last_login_at if renewing else utcnow()
    session.add(user)
    session.flush()
    return TokenResponse(access_token=access, expires_in=lifetime, refresh_token=refresh)


# Refresh grant ---------------------------------------------------------------------------


def rotate_refresh_token(
    session: Session, settings: Settings, presented: str
) -> TokenResponse | InvalidGrant:
    """Exchange a refresh token for a new pair. Returns (not raises) a refusal, because the
    caller must commit the family's revocation when a used token comes back.

    A token presented again within the grace period of its first use (two tabs, a double
    reload) gets a sibling in the same family: only hashes are kept, so the first answer
    cannot be replayed. After the grace period, reuse is taken as theft.
    """
    token = session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == digest(presented))
    ).scalar_one_or_none()
    if token is None or session_has_ended(session, token.family_id):
        return InvalidGrant("The refresh token is not valid; sign in again.")
    now = utcnow()
    if token.expires_at <= now:
        return InvalidGrant("The refresh token has expired; sign in again.")
    # Conditional: of two concurrent uses, exactly one marks it used.
    claimed = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == token.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        # A fresh read of the column: the first use may have been committed by another request
        # after this one loaded the row (PostgreSQL waits for it at the UPDATE above).
        first_used = session.execute(
            select(RefreshToken.used_at).where(col(RefreshToken.id) == token.id)
        ).scalar_one()
        grace = timedelta(seconds=settings.refresh_reuse_grace_seconds)
        if first_used is None or now - first_used > grace:
            revoke_family(session, token.family_id)
            return InvalidGrant(
                "This refresh token was already used, so every session it belongs to has been ended."
            )
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return InvalidGrant("This account is disabled.")
    return issue_user_tokens(
        session, settings, user, family_id=token.family_id, session_ends_at=token.session_ends_at
    )


def revoke_family(session: Session, family_id: uuid.UUID) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def logout(session: Session, presented: str) -> None:
    """End the session the refresh token belongs to. Unknown tokens are ignored (nothing to end)."""
    token = session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == digest(presented))
    ).scalar_one_or_none()
    if token is not None:
        revoke_family(session, token.family_id)


def logout_everywhere(session: Session, actor: Actor) -> None:
    user = session.get_one(User, actor.id)
    audit.changed(session, actor, user, "user", end_sessions(session, user), action="sign_out_everywhere")


# Client credentials grant ----------------------------------------------------------------


def authenticate_client(
    session: Session, client_id: str, client_secret: str
) -> tuple[ApiClient, ApiClientSecret] | None:
    """The client and which of its active secrets this is, or None."""
    client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    active = _active_secrets(session, client.id) if client else []
    presented = digest(client_secret)
    # Every active secret is compared (at least one, a dummy for an unknown client), whichever
    # matches: the time taken does not tell which.
    matches = [s for s in active if digests_match(s.secret_hash, presented)]
    if not active:
        digests_match(digest(secrets.token_hex(32)), presented)
    if client is None or client.revoked_at is not None or not matches:
        return None
    return client, matches[0]


def _active_secrets(session: Session, api_client_id: uuid.UUID) -> list[ApiClientSecret]:
    return list(
        session.execute(
            select(ApiClientSecret)
            .where(
                col(ApiClientSecret.api_client_id) == api_client_id, col(ApiClientSecret.retired_at).is_(None)
            )
            .order_by(col(ApiClientSecret.created_at), col(ApiClientSecret.id))
        ).scalars()
    )


def issue_client_token(
    settings: Settings, client: ApiClient, secret: ApiClientSecret, requested_scope: str | None
) -> TokenResponse | InvalidGrant:
    granted = set(client.scopes)
    if requested_scope:
        requested = set(requested_scope.split())
        if not requested <= granted:
            # Returned, not raised: the caller commits the counted attempt, then raises.
            return InvalidGrant(
                f"This client may not ask for: {', '.join(sorted(requested - granted))}.",
                error="invalid_scope",
            )
        granted = requested
    access, lifetime = create_access_token(
        settings,
        subject=client.id,
        subject_type="client",
        organisation_id=client.organisation_id,
        roles=[],
        scopes=sorted(granted),
        generation=client.token_generation,
        secret_id=secret.id,
    )
    return TokenResponse(access_token=access, expires_in=lifetime, scope=" ".join(sorted(granted)))


# API client management -------------------------------------------------------------------

# Two at once: the one in use and its replacement, while the client system is reconfigured.
MAX_ACTIVE_SECRETS = 2
API_CLIENT_SORTS = {"name": ApiClient.name, "created_at": ApiClient.created_at}


# What the caller may do: the routes guard with CLIENT_ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class ClientContext:
    client: ApiClient
    secrets: list[ApiClientSecret]  # oldest first

    @property
    def active_secrets(self) -> int:
        return sum(1 for s in self.secrets if s.retired_at is None)


def _any(_actor: Actor, _c: ClientContext) -> Verdict:
    return True


def _not_revoked(_actor: Actor, c: ClientContext) -> Verdict:
    if c.client.revoked_at is not None:
        return Blocked("A revoked client cannot be given a new secret; create a new client.")
    return True


def _active(_actor: Actor, c: ClientContext) -> Verdict:
    # Revoking a revoked client is answered 200 and changes nothing: not offered.
    if c.client.revoked_at is not None:
        return Blocked("The client is revoked already.")
    return True


def _room_for_a_secret(actor: Actor, c: ClientContext) -> Verdict:
    if c.client.revoked_at is not None:
        return _not_revoked(actor, c)
    if c.active_secrets >= MAX_ACTIVE_SECRETS:
        return Blocked(
            f"This client has {MAX_ACTIVE_SECRETS} active secrets already: "
            "retire the one it no longer uses first."
        )
    return True


def _secret_to_spare(_actor: Actor, c: ClientContext) -> Verdict:
    if c.active_secrets <= 1:
        return Blocked("This is the client's only active secret: add a new one first, or revoke the client.")
    return True


_MANAGE = Permission.api_clients_manage
CLIENT_ACTIONS = ActionTable(
    ApiClientAction,
    {
        ApiClientAction.edit: Rule(_MANAGE, _any),
        ApiClientAction.revoke: Rule(_MANAGE, _active),
        ApiClientAction.rotate_secret: Rule(_MANAGE, _not_revoked),
        ApiClientAction.add_secret: Rule(_MANAGE, _room_for_a_secret),
        ApiClientAction.retire_secret: Rule(_MANAGE, _secret_to_spare),
    },
)


def client_contexts(session: Session, clients: Sequence[ApiClient]) -> list[ClientContext]:
    """The clients' secrets in one query, however many clients there are."""
    by_client: dict[uuid.UUID, list[ApiClientSecret]] = {c.id: [] for c in clients}
    if clients:
        for secret in session.execute(
            select(ApiClientSecret)
            .where(col(ApiClientSecret.api_client_id).in_(list(by_client)))
            .order_by(col(ApiClientSecret.created_at), col(ApiClientSecret.id))
        ).scalars():
            by_client[secret.api_client_id].append(secret)
    return [ClientContext(c, by_client[c.id]) for c in clients]


def api_client_public(
    session: Session, actor: Actor, client: ApiClient, context: ClientContext | None = None
) -> ApiClientPublic:
    """The client as `actor` sees it (`context`: its actions' context, when a page has them)."""
    context = context or client_contexts(session, [client])[0]
    return ApiClientPublic(
        id=client.id,
        name=client.name,
        client_id=client.client_id,
        scopes=[ClientScope(s) for s in client.scopes],
        is_active=client.revoked_at is None,
        revoked_at=client.revoked_at,
        secrets=[
            ApiClientSecretPublic(
                id=s.id, created_at=s.created_at, retired_at=s.retired_at, is_active=s.retired_at is None
            )
            for s in context.secrets
        ],
        created_at=client.created_at,
        updated_at=client.updated_at,
        allowed_actions=CLIENT_ACTIONS.allowed(actor, context),
    )


def list_api_clients(
    session: Session, actor: Actor, page: PageParams, *, is_active: bool | None, sort: str
) -> Page[Any]:
    statement = select(ApiClient).where(ApiClient.organisation_id == actor.organisation_id)
    if is_active is not None:
        revoked = ApiClient.revoked_at.is_(None) if is_active else ApiClient.revoked_at.is_not(None)  # type: ignore[union-attr]
        statement = statement.where(revoked)
    statement = statement.order_by(*order_by(sort, API_CLIENT_SORTS, ApiClient.id))
    result = paginate(session, statement, page)
    clients = list(result.items)
    contexts = client_contexts(session, clients)
    result.items = [api_client_public(session, actor, c, x) for c, x in zip(clients, contexts, strict=True)]
    return result


def get_api_client(session: Session, actor: Actor, api_client_id: uuid.UUID) -> ApiClient:
    client = session.get(ApiClient, api_client_id)
    if client is None or client.organisation_id != actor.organisation_id:
        raise NotFound("No API client with that id in your organisation.")
    return client


# A client's secrets are part of the client: each change to them is one event of the
# client's in the audit trail (`add_secret`, `retire_secret`, `rotate_secret`).


def _add_secret(session: Session, client: ApiClient) -> str:
    secret = new_secret(32)
    session.add(
        ApiClientSecret(
            api_client_id=client.id, organisation_id=client.organisation_id, secret_hash=digest(secret)
        )
    )
    session.flush()
    return secret


def _retire(session: Session, secret: ApiClientSecret) -> None:
    secret.retired_at = utcnow()
    session.add(secret)
    session.flush()


def create_api_client(session: Session, actor: Actor, data: ApiClientCreate) -> ApiClientWithSecret:
    client = ApiClient(
        organisation_id=actor.organisation_id,
        name=data.name,
        client_id="pmo_" + secrets.token_hex(12),
        scopes=sorted({s.value for s in data.scopes}),
    )
    audit.created(session, actor, client, "api_client")
    secret = _add_secret(session, client)
    return ApiClientWithSecret(**api_client_public(session, actor, client).model_dump(), client_secret=secret)


def update_api_client(session: Session, actor: Actor, client: ApiClient, data: ApiClientUpdate) -> ApiClient:
    CLIENT_ACTIONS.guard(actor, ApiClientAction.edit, client_contexts(session, [client])[0])
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "scopes" in changes:
        changes["scopes"] = sorted(set(changes["scopes"]))
    audit.changed(session, actor, client, "api_client", action="update", changes=changes)
    return client


def revoke_api_client(session: Session, actor: Actor, client: ApiClient) -> ApiClient:
    """Revoking a revoked client changes nothing (200): the table guards the first revocation."""
    if client.revoked_at is None:
        CLIENT_ACTIONS.guard(actor, ApiClientAction.revoke, client_contexts(session, [client])[0])
        now = utcnow()
        audit.changed(
            session,
            actor,
            client,
            "api_client",
            action="revoke",
            changes={"revoked_at": now, "token_generation": client.token_generation + 1},
        )
    return client


def rotate_api_client_secret(session: Session, actor: Actor, client: ApiClient) -> ApiClientWithSecret:
    """At once: every active secret retired (their tokens end), one new secret."""
    CLIENT_ACTIONS.guard(actor, ApiClientAction.rotate_secret, client_contexts(session, [client])[0])
    for old in _active_secrets(session, client.id):
        _retire(session, old)
    secret = _add_secret(session, client)
    audit.changed(session, actor, client, "api_client", {}, action="rotate_secret")
    return ApiClientWithSecret(**api_client_public(session, actor, client).model_dump(), client_secret=secret)


def add_api_client_secret(session: Session, actor: Actor, client: ApiClient) -> ApiClientWithSecret:
    """A second secret beside the active one, which keeps working until it is retired."""
    CLIENT_ACTIONS.guard(actor, ApiClientAction.add_secret, client_contexts(session, [client])[0])
    secret = _add_secret(session, client)
    audit.changed(session, actor, client, "api_client", {}, action="add_secret")
    return ApiClientWithSecret(**api_client_public(session, actor, client).model_dump(), client_secret=secret)


def retire_api_client_secret(
    session: Session, actor: Actor, client: ApiClient, secret_id: uuid.UUID
) -> ApiClient:
    """The secret stops working, and so do the tokens issued with it, at once."""
    secret = session.get(ApiClientSecret, secret_id)
    if secret is None or secret.api_client_id != client.id:
        raise NotFound("No secret with that id for this API client.")
    if secret.retired_at is None:
        CLIENT_ACTIONS.guard(actor, ApiClientAction.retire_secret, client_contexts(session, [client])[0])
        _retire(session, secret)
        audit.changed(session, actor, client, "api_client", {}, action="retire_secret")
    return client
