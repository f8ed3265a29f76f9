"""All the cryptography in one place: password hashes, JWT access tokens, opaque secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from pmo.core.config import Settings, get_settings

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "jti", "typ", "org", "roles", "gen")

# Every response holding a token or a secret: no cache, shared or the browser's, may keep it
# (RFC 6749 section 5.1). `NO_STORE_DOC` declares the header in the OpenAPI document.
NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_DOC: dict[str, Any] = {
    "headers": {
        "Cache-Control": {
            "description": "`no-store`: this response holds a token or secret.",
            "schema": {"type": "string"},
        }
    }
}


class HoldsSecret:
    """Marks a response model holding a secret: sent with `no-store`, never stored for replay."""


@cache
def _hasher_at(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    """The hasher at one cost, and a hash of nothing at that cost: verifying against it when
    the account does not exist costs the same as a real check, so response times do not
    tell which emails have accounts."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def _hasher() -> tuple[PasswordHasher, str]:
    settings = get_settings()
    return _hasher_at(settings.password_hash_time_cost, settings.password_hash_memory_kib)


def hash_password(password: str) -> str:
    hasher, _ = _hasher()
    return hasher.hash(password)


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _common_passwords() -> frozenset[str]:
    # The file opens with a header that ends at the first empty line.
    _, entries = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split("\n\n", 1)
    return frozenset(line.casefold() for line in entries.splitlines() if line)


def is_common_password(password: str) -> bool:
    """On the shipped list of the most common passwords, whatever its case."""
    return password.casefold() in _common_passwords()


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher, dummy_hash = _hasher()
    try:
        return hasher.verify(password_hash or dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (refresh tokens, client secrets)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


@dataclass(frozen=True)
class AccessClaims:
    subject: uuid.UUID
    subject_type: str  # "user" or "client"
    organisation_id: uuid.UUID
    issued_at: datetime
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    # The subject's token generation when issued: a sign-out everywhere, a password change or
    # a client's new secret moves the subject's generation on, and older tokens stop working.
    generation: int
    # A person's session (refresh token family): signing out of it ends its access tokens.
    session_id: uuid.UUID | None
    # An API client's secret the token was issued with: retiring it ends the token.
    secret_id: uuid.UUID | None = None


def create_access_token(
    settings: Settings,
    *,
    subject: uuid.UUID,
    subject_type: str,
    organisation_id: uuid.UUID,
    roles: list[str],
    scopes: list[str],
    generation: int = 0,
    session_id: uuid.UUID | None = None,
    secret_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds.

    A wrong `generation` fails safe: the token is refused once the subject's has moved on."""
    now = now or datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims: dict[str, Any] = {
        "iss": settings.public_url,
        "aud": settings.jwt_audience,
        "sub": str(subject),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": ACCESS_TOKEN_TYPE,
        "sty": subject_type,
        "org": str(organisation_id),
        "roles": sorted(set(roles)),
        "scope": " ".join(sorted(set(scopes))),
        "gen": generation,
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    if secret_id is not None:
        claims["sec"] = str(secret_id)
    return jwt.encode(claims, settings.signing_secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


class InvalidToken(Exception):
    pass


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header's value, or None."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


# Tokens whose signature and claims were checked, held per process by their exact text: a
# bearer sends the same token on every request for its lifetime, and checking it (JSON, HMAC,
# seven claims) is a good part of a request answered from memory. Only the expiry depends on the time,
# and it is checked again on every use; who the token names is checked on every use too
# (`pmo.auth.principal_cache`: revocation). Tokens that fail are never held.
MAX_VERIFIED_TOKENS = 10_000


class VerifiedTokens:
    """A bounded map of checked tokens to their claims and expiry; the oldest goes first."""

    def __init__(self, max_tokens: int = MAX_VERIFIED_TOKENS) -> None:
        self.max_tokens = max_tokens
        self._held: dict[tuple[str, ...], tuple[AccessClaims, int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._held)

    def get(self, key: tuple[str, ...]) -> tuple[AccessClaims, int] | None:
        return self._held.get(key)

    def put(self, key: tuple[str, ...], claims: AccessClaims, expires: int) -> None:
        with self._lock:
            while len(self._held) >= self.max_tokens:
                del self._held[next(iter(self._held))]
            self._held[key] = (claims, expires)

    def drop(self, key: tuple[str, ...]) -> None:
        self._held.pop(key, None)


VERIFIED_TOKENS = VerifiedTokens()


def decode_access_token(
    settings: Settings, token: str, *, now: float | None = None, verified: VerifiedTokens = VERIFIED_TOKENS
) -> AccessClaims:
    """Check signature, algorithm, issuer, audience, expiry and the presence of every claim;
    a token checked before (the same text, under the same key, issuer and audience) is only
    checked for expiry, as jose checks it: refused once the second `exp` names is over."""
    # Everything the check depends on besides the time: another key or issuer checks afresh.
    key = (token, settings.signing_secret, settings.jwt_audience, settings.public_url, settings.jwt_issuer)
    held = verified.get(key)
    if held is None:
        claims, expires, can_hold = _verify_access_token(settings, token)
        if can_hold:
            verified.put(key, claims, expires)
        return claims
    claims, expires = held
    if int(time.time() if now is None else now) > expires:
        verified.drop(key)
        raise InvalidToken("Signature has expired.")
    return claims


def _verify_access_token(settings: Settings, token: str) -> tuple[AccessClaims, int, bool]:
    """The claims of a token checked in full, its expiry, and whether the check may be held
    (nothing but the expiry depends on the time: no `nbf`)."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        claims = jwt.decode(
            token,
            settings.signing_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            # The public URL; tokens issued before it was the issuer carry the old name
            # and stay valid until they expire (15 minutes by default).
            issuer=(settings.public_url, settings.jwt_issuer),
            options={
                "require_aud": True,
                "require_iat": True,
                "require_exp": True,
                "require_iss": True,
                "require_sub": True,
                "require_jti": True,
                "leeway": 0,
            },
        )
    except (JWTError, TypeError, ValueError) as exc:  # jose lets a null exp or iat through as TypeError
        raise InvalidToken(str(exc)) from exc
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    if missing:
        raise InvalidToken(f"missing claims: {', '.join(missing)}")
    if claims["typ"] != ACCESS_TOKEN_TYPE:
        raise InvalidToken("not an access token")
    if claims.get("sty") not in ("user", "client"):
        raise InvalidToken("unknown subject type")
    try:
        roles = claims["roles"]
        scope = claims.get("scope", "")
        session_id = claims.get("sid")
        secret_id = claims.get("sec")
        if (
            not isinstance(roles, list)
            or not isinstance(scope, str)
            or not isinstance(claims["iat"], int)
            or type(claims["gen"]) is not int  # bool is an int to isinstance
            or not isinstance(session_id, str | None)
            or not isinstance(secret_id, str | None)
        ):
            raise InvalidToken("malformed claims")
        access_claims = AccessClaims(
            subject=uuid.UUID(claims["sub"]),
            subject_type=claims["sty"],
            organisation_id=uuid.UUID(claims["org"]),
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            roles=tuple(str(r) for r in roles),
            scopes=tuple(scope.split()),
            generation=claims["gen"],
            session_id=uuid.UUID(session_id) if session_id is not None else None,
            secret_id=uuid.UUID(secret_id) if secret_id is not None else None,
        )
        return access_claims, int(claims["exp"]), "nbf" not in claims
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidToken("malformed claims") from exc
