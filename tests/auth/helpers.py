"""Helpers for the authentication tests: forging tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import jwt

from pmo.core.config import get_settings

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def claims_for(user_id: uuid.UUID, organisation_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """The claims the service itself would put in an access token for a user."""
    settings = get_settings()
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.public_url,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "sty": "user",
        "org": str(organisation_id),
        "roles": [],
        "scope": "",
        "gen": 0,
    }
    claims.update(changes)
    return claims


def sign(claims: dict[str, Any], *, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, get_settings().signing_secret if key is None else key, algorithm=algorithm)


def sign_by_hand(header: dict[str, Any], claims: dict[str, Any], *, key: str | None = None) -> str:
    """HMAC-SHA256 over whatever header we like (for algorithm-confusion attacks)."""
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    secret = (get_settings().signing_secret if key is None else key).encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
