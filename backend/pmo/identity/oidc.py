"""Talking to an OpenID provider: discovery, its signing keys, and checking the tokens it signs.

Discovery documents and key sets are cached per issuer in this process. A token signed with a
key id the cached set does not have makes one fresh fetch of the set (the provider rotated
its keys); a key id missing from the fresh set too is refused.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from pmo.core.config import get_settings

# Asymmetric only: `none` and HMAC (whose "secret" an attacker could take to be the provider's
# public key) are never accepted.
ID_TOKEN_ALGORITHMS = {"RS256": "RSA", "ES256": "EC"}
# Entra ID's multi-tenant metadata names this in its issuer; each token's `tid` fills it in.
TENANT_PLACEHOLDER = "{tenantid}"
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable; the message says what."""


class TokenRefused(Exception):
    """A token that fails a check; the message says which, for the person and the log."""


@dataclass
class _Cached:
    value: dict[str, Any]
    fetched_at: float


@dataclass
class _Cache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    metadata: dict[str, _Cached] = field(default_factory=dict)
    jwks: dict[str, _Cached] = field(default_factory=dict)


_cache = _Cache()


def clear_cache() -> None:
    """Forget every provider's metadata and keys (an issuer changed; tests)."""
    with _cache.lock:
        _cache.metadata.clear()
        _cache.jwks.clear()


def _get_json(url: str, what: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        response = httpx.get(url, timeout=settings.oidc_http_timeout_seconds, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise ProviderError(
            f"The provider's {what} at {url} could not be read ({type(exc).__name__})."
        ) from exc
    if response.status_code != 200:
        raise ProviderError(f"The provider's {what} at {url} answered HTTP {response.status_code}.")
    try:
        document = response.json()
    except ValueError as exc:
        raise ProviderError(f"The provider's {what} at {url} is not JSON.") from exc
    if not isinstance(document, dict):
        raise ProviderError(f"The provider's {what} at {url} is not a JSON object.")
    return document


def discover(issuer: str, *, fresh: bool = False) -> dict[str, Any]:
    """The provider's metadata (`/.well-known/openid-configuration`), checked and cached."""
    ttl = get_settings().oidc_metadata_cache_seconds
    with _cache.lock:
        cached = _cache.metadata.get(issuer)
    if cached and not fresh and time.monotonic() - cached.fetched_at < ttl:
        return cached.value
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    metadata = _get_json(url, "discovery document")
    published = metadata.get("issuer")
    # OpenID Connect Discovery 1.0 section 4.3: the issuer must be exactly the one asked about.
    # Entra ID's multi-tenant endpoints (`.../organizations/v2.0`) publish a template instead.
    if published != issuer and not (isinstance(published, str) and TENANT_PLACEHOLDER in published):
        raise ProviderError(
            f"The discovery document at {url} names the issuer {published!r}, not {issuer!r}: "
            "check the issuer."
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(name), str):
            raise ProviderError(f"The discovery document at {url} has no {name}.")
    with _cache.lock:
        _cache.metadata[issuer] = _Cached(metadata, time.monotonic())
    return metadata


def _key_set(jwks_uri: str, *, fresh: bool) -> list[dict[str, Any]]:
    ttl = get_settings().oidc_metadata_cache_seconds
    with _cache.lock:
        cached = _cache.jwks.get(jwks_uri)
    if cached and not fresh and time.monotonic() - cached.fetched_at < ttl:
        return list(cached.value["keys"])
    document = _get_json(jwks_uri, "key set (JWKS)")
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise ProviderError(f"The provider's key set at {jwks_uri} has no keys.")
    with _cache.lock:
        _cache.jwks[jwks_uri] = _Cached({"keys": keys}, time.monotonic())
    return [k for k in keys if isinstance(k, dict)]


def _pick_key(keys: list[dict[str, Any]], kid: str | None, kty: str) -> dict[str, Any] | None:
    usable = [k for k in keys if k.get("kty") == kty and k.get("use", "sig") == "sig"]
    if kid is not None:
        return next((k for k in usable if k.get("kid") == kid), None)
    # No key id: acceptable only when the set leaves no choice.
    return usable[0] if len(usable) == 1 else None


def verified_claims(token: str, jwks_uri: str, what: str) -> dict[str, Any]:
    """The claims of a JWS signed by the provider (RS256 or ES256), its signature checked."""
    try:
        signed = jws.extract_compact(token.encode())
    except (JoseError, ValueError) as exc:
        raise TokenRefused(f"The {what} is not a signed JWT.") from exc
    header = signed.headers()
    alg = header.get("alg")
    if alg not in ID_TOKEN_ALGORITHMS:
        raise TokenRefused(f"The {what} is signed with {alg!r}; only RS256 and ES256 are accepted.")
    kid = header.get("kid")
    kty = ID_TOKEN_ALGORITHMS[alg]
    key = _pick_key(_key_set(jwks_uri, fresh=False), kid, kty)
    if key is None:
        # The provider may have rotated its keys since they were cached: look once more.
        key = _pick_key(_key_set(jwks_uri, fresh=True), kid, kty)
    if key is None:
        raise TokenRefused(f"The {what} is signed with a key ({kid!r}) that the provider does not publish.")
    try:
        public = RSAKey.import_key(key) if kty == "RSA" else ECKey.import_key(key)
        valid = jws.validate_compact(signed, public, algorithms=[alg])
    except (JoseError, ValueError) as exc:
        raise TokenRefused(f"The {what}'s signature cannot be checked with the provider's key.") from exc
    if not valid:
        raise TokenRefused(f"The {what}'s signature is not valid.")
    try:
        claims = json.loads(signed.payload)
    except ValueError as exc:
        raise TokenRefused(f"The {what}'s claims are not JSON.") from exc
    if not isinstance(claims, dict):
        raise TokenRefused(f"The {what}'s claims are not a JSON object.")
    return claims


def expected_issuer(metadata: dict[str, Any], claims: dict[str, Any], tenant_ids: list[str]) -> str:
    """The `iss` the token must carry: the provider's, or for Entra ID's multi-tenant template,
    the template filled with the token's own tenant, which must be one the organisation listed."""
    published: str = metadata["issuer"]
    if TENANT_PLACEHOLDER not in published:
        return published
    tenant = claims.get("tid")
    if not isinstance(tenant, str) or not tenant:
        raise TokenRefused("The ID token names no tenant (`tid`), which a multi-tenant issuer needs.")
    if tenant.lower() not in {t.lower() for t in tenant_ids}:
        raise TokenRefused(
            f"The ID token is from the directory tenant {tenant}, which this organisation does not list."
        )
    return published.replace(TENANT_PLACEHOLDER, tenant)


def check_time_claims(claims: dict[str, Any], what: str, *, exp_required: bool = True) -> None:
    now = time.time()
    skew = get_settings().oidc_clock_skew_seconds
    exp = claims.get("exp")
    if exp is None and exp_required:
        raise TokenRefused(f"The {what} has no expiry (`exp`).")
    if exp is not None:
        if not isinstance(exp, int | float):
            raise TokenRefused(f"The {what}'s `exp` is not a number.")
        if exp + skew < now:
            raise TokenRefused(f"The {what} has expired.")
    iat = claims.get("iat")
    if not isinstance(iat, int | float):
        raise TokenRefused(f"The {what} has no issue time (`iat`).")
    if iat - skew > now:
        raise TokenRefused(f"The {what} was issued in the future (`iat`); check the clocks.")


def check_audience(claims: dict[str, Any], client_id: str, what: str) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise TokenRefused(f"The {what} is for another application (`aud` is not this client id).")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise TokenRefused(f"The {what} was issued to another application (`azp`).")


def check_id_token(
    token: str, metadata: dict[str, Any], *, client_id: str, nonce: str, tenant_ids: list[str]
) -> dict[str, Any]:
    """OpenID Connect Core 1.0 section 3.1.3.7, for the authorization code flow."""
    what = "ID token"
    claims = verified_claims(token, metadata["jwks_uri"], what)
    if claims.get("iss") != expected_issuer(metadata, claims, tenant_ids):
        raise TokenRefused("The ID token is from another issuer (`iss`).")
    check_audience(claims, client_id, what)
    check_time_claims(claims, what)
    if claims.get("nonce") != nonce:
        raise TokenRefused(
            "The ID token's `nonce` is not the one this sign-in sent: it belongs to another sign-in."
        )
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenRefused("The ID token has no subject (`sub`).")
    return claims


def check_logout_token(
    token: str, metadata: dict[str, Any], *, client_id: str, tenant_ids: list[str]
) -> dict[str, Any]:
    """OpenID Connect Back-Channel Logout 1.0 section 2.6."""
    what = "logout token"
    claims = verified_claims(token, metadata["jwks_uri"], what)
    if claims.get("iss") != expected_issuer(metadata, claims, tenant_ids):
        raise TokenRefused("The logout token is from another issuer (`iss`).")
    check_audience(claims, client_id, what)
    check_time_claims(claims, what, exp_required=False)
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise TokenRefused("The logout token has no back-channel logout event.")
    if "nonce" in claims:
        raise TokenRefused("A logout token must not carry a `nonce`.")
    if not isinstance(claims.get("sub"), str) and not isinstance(claims.get("sid"), str):
        raise TokenRefused("The logout token names neither a subject (`sub`) nor a session (`sid`).")
    return claims
