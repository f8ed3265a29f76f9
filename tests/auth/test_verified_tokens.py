"""Checked access tokens held per process by their exact text (`pmo.core.security`): a held
token is still refused once expired, a token differing by one character is checked afresh,
another key or issuer checks afresh, tokens that fail are never held, and the map is bounded."""

from __future__ import annotations

import uuid

import pytest

from pmo.core.config import get_settings
from pmo.core.security import InvalidToken, VerifiedTokens, create_access_token, decode_access_token


def _token(**overrides: object) -> tuple[str, uuid.UUID]:
    subject = uuid.uuid4()
    token, _ = create_access_token(
        get_settings(),
        subject=subject,
        subject_type="client",
        organisation_id=uuid.uuid4(),
        roles=[],
        scopes=["kpis:read"],
        **overrides,  # type: ignore[arg-type]
    )
    return token, subject


def test_a_held_token_is_answered_from_memory_and_refused_once_it_expires():
    verified = VerifiedTokens()
    token, subject = _token()
    claims = decode_access_token(get_settings(), token, verified=verified)
    assert claims.subject == subject
    assert len(verified) == 1
    held = verified.get(next(iter(verified._held)))
    assert held is not None
    _, expires = held

    assert (
        decode_access_token(get_settings(), token, verified=verified, now=expires) == claims
    )  # its last second
    with pytest.raises(InvalidToken, match="expired"):
        decode_access_token(get_settings(), token, verified=verified, now=expires + 1)
    assert len(verified) == 0


def test_a_token_one_character_away_from_a_held_one_is_checked_in_full():
    verified = VerifiedTokens()
    token, _ = _token()
    decode_access_token(get_settings(), token, verified=verified)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for forged in (f"{header}.{payload}.{flipped}", f"{header}.{payload}x.{signature}", token + "x"):
        with pytest.raises(InvalidToken):
            decode_access_token(get_settings(), forged, verified=verified)
    assert len(verified) == 1  # refused tokens are not held


def test_another_signing_key_or_audience_checks_a_held_token_afresh():
    verified = VerifiedTokens()
    token, _ = _token()
    decode_access_token(get_settings(), token, verified=verified)
    for changed in (
        get_settings().model_copy(update={"secret_key": "another-" + "k" * 40}),
        get_settings().model_copy(update={"jwt_audience": "another-api"}),
    ):
        with pytest.raises(InvalidToken):
            decode_access_token(changed, token, verified=verified)


def test_an_expired_token_is_never_held():
    verified = VerifiedTokens()
    settings = get_settings().model_copy(update={"access_token_minutes": -1})
    token, _ = create_access_token(
        settings,
        subject=uuid.uuid4(),
        subject_type="client",
        organisation_id=uuid.uuid4(),
        roles=[],
        scopes=[],
    )
    with pytest.raises(InvalidToken):
        decode_access_token(get_settings(), token, verified=verified)
    assert len(verified) == 0


def test_the_map_is_bounded_and_drops_the_oldest():
    verified = VerifiedTokens(max_tokens=3)
    tokens = [_token()[0] for _ in range(4)]
    for token in tokens:
        decode_access_token(get_settings(), token, verified=verified)
    assert len(verified) == 3
    held = {key[0] for key in verified._held}
    assert held == set(tokens[1:])
