"""Sending webhooks: claim due deliveries, check the target, sign, send, record, reschedule.

The target's address is checked after DNS resolution, and the connection goes to that
checked address (the URL's host name is kept for the Host header and TLS), so a name cannot
resolve to a public address for the check and a private one for the request. Redirects are
not followed. Each attempt is logged; a failure is retried with exponential backoff and
jitter until the retry window (about three days) is used up; then the delivery has failed,
and the subscription is disabled with the reason, in the audit trail and on the subscription.

Delivery is at least once: a worker that dies mid-request leaves its claim to expire and
another sends the delivery again, with the same `webhook-id`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import certifi
import httpx
from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select
from standardwebhooks import Webhook

import pmo.models  # noqa: F401 - every table: the worker writes rows whose foreign keys name them
from pmo import __version__
from pmo.audit import service as audit
from pmo.auth.models import ApiClient
from pmo.core.config import Settings, get_settings
from pmo.core.db import read_only, utcnow
from pmo.webhooks.events import EVENT_SCOPES, PING, EventType, event_body
from pmo.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger("pmo.webhooks")

# Backoff: the n-th retry waits between half and all of FIRST_RETRY * 2**(n-1), at most
# LONGEST_WAIT; the jitter spreads retries of many deliveries that failed together.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=12)
# Deliveries claimed at a time by one worker.
BATCH = 50

Resolver = Callable[[str, int], list[str]]


class TargetRefused(Exception):
    """The target may not be sent to (its scheme, or an address that is not public)."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (what a connection would use)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local
    (cloud metadata), shared, multicast, reserved or unspecified, IPv4 inside IPv6 too."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url: str, allow_private: bool) -> None:
    """What can be said of a URL without resolving it (when subscribing, and again at delivery)."""
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise TargetRefused("the URL may not hold spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
        raise TargetRefused(f"the URL is not valid ({exc})") from exc
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise TargetRefused("the URL must be https")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not hold a user name or password")
    if parts.fragment:
        raise TargetRefused("the URL may not have a fragment (#)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError as exc:
        if "port" in str(exc).lower():
            raise TargetRefused("the URL's port is not valid") from exc
        return  # a name: checked once resolved, at delivery time
    if not allow_private and not is_public(str(literal)):
        raise TargetRefused(f"{literal} is not a public address")


@dataclass(frozen=True)
class Target:
    """Where to connect (a checked address) and what to call the host."""

    url: str  # the URL with the checked address in place of the host name
    host_header: str
    server_name: str  # for TLS: the certificate must be the host name's


def pin_target(url: str, allow_private: bool, resolver: Resolver) -> Target:
    """Resolve the URL's host once, check every address it gave, and connect to the first."""
    check_url(url, allow_private)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError, ValueError) as exc:  # no such name; a name IDNA cannot encode
        raise TargetRefused(f"{host} does not resolve ({exc})") from exc
    if not addresses:
        raise TargetRefused(f"{host} does not resolve")
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_private:
        raise TargetRefused(f"{host} resolves to {refused[0]}, which is not a public address")
    address = addresses[0]
    netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=parts.netloc.rpartition("@")[2],
        server_name=host,
    )


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def signature(subscription: WebhookSubscription, message_id: str, sent_at: datetime, body: str) -> str:
    """`webhook-signature`: one signature per live secret (the previous one in its grace period)."""
    secrets = [subscription.signing_secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_signing_secret and expires is not None and expires > utcnow():
        secrets.append(subscription.previous_signing_secret)
    return " ".join(Webhook(secret).sign(message_id, sent_at, body) for secret in secrets)


def message_id(event_id: uuid.UUID) -> str:
    """`webhook-id`: the event's, so every attempt and replay of it carries the same one."""
    return f"msg_{event_id.hex}"


@cache
def tls_context() -> ssl.SSLContext:
    """The certificate checks of every attempt, made once: loading the CA bundle for each
    client would cost about 100 ms an attempt."""
    return ssl.create_default_context(cafile=certifi.where())


def send(
    subscription: WebhookSubscription, event: WebhookEvent, settings: Settings, resolver: Resolver
) -> Outcome:
    """One attempt: pin the target, sign the body and POST it; 2xx is success."""
    started = time.perf_counter()

    def outcome(succeeded: bool, status_code: int | None, error: str | None) -> Outcome:
        return Outcome(succeeded, status_code, error, round((time.perf_counter() - started) * 1000))

    try:
        target = pin_target(subscription.url, settings.webhooks_allow_private_targets, resolver)
    except TargetRefused as exc:
        return outcome(False, None, f"refused: {exc}")
    body = json.dumps(event_body(event), separators=(",", ":"), ensure_ascii=False)
    sent_at = utcnow()
    msg_id = message_id(event.id)
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": f"pmo-webhooks/{__version__}",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature(subscription, msg_id, sent_at, body),
    }
    timeout = httpx.Timeout(
        settings.webhooks_read_timeout_seconds, connect=settings.webhooks_connect_timeout_seconds
    )
    # No proxies from the environment (a proxy would resolve the name again), no redirects.
    extensions = {"sni_hostname": target.server_name} if target.url.startswith("https") else {}
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=False, trust_env=False, verify=tls_context()
            ) as client,
            client.stream(
                "POST", target.url, content=body.encode(), headers=headers, extensions=extensions
            ) as response,
        ):
            code = response.status_code  # the body is never read: it is not needed
    except httpx.HTTPError as exc:
        return outcome(False, None, f"{type(exc).__name__}: {exc}"[:1000])
    if 200 <= code < 300:
        return outcome(True, code, None)
    if 300 <= code < 400:
        return outcome(False, code, "redirects are not followed")
    return outcome(False, code, f"the receiver answered {code}")


def retry_delay(attempts: int, rng: random.Random) -> timedelta:
    """How long to wait after the `attempts`-th failure (exponential, capped, with jitter)."""
    ceiling: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return ceiling / 2 + ceiling / 2 * rng.random()


def claim_lease(settings: Settings) -> timedelta:
    """How long a claimed delivery stays with its worker: longer than an attempt can take."""
    attempt = settings.webhooks_connect_timeout_seconds + settings.webhooks_read_timeout_seconds
    return timedelta(seconds=2 * attempt)


def _claim(engine: Engine, now: datetime, lease: timedelta, limit: int) -> uuid.UUID | None:
    """Take up to `limit` due deliveries of enabled subscriptions; the claim's token if any.

    One conditional UPDATE: a delivery another worker claimed meanwhile no longer matches
    (PostgreSQL re-checks the condition after waiting for that worker's row lock)."""
    free = or_(col(WebhookDelivery.locked_until).is_(None), col(WebhookDelivery.locked_until) < now)
    due = and_(col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now, free)
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
        .where(due, col(WebhookSubscription.enabled).is_(True))
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    )
    token = uuid.uuid4()
    with Session(engine) as session:
        result = session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(candidates.scalar_subquery()), due)
            .values(claim=token, locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return token if int(result.rowcount) else None  # type: ignore[attr-defined]


def _not_sendable(session: Session, subscription: WebhookSubscription, event: WebhookEvent) -> str | None:
    """Why the delivery may no longer be sent (its client revoked or without the scope)."""
    client = session.get(ApiClient, subscription.api_client_id)
    if client is None or client.revoked_at is not None:
        return "the subscription's API client has been revoked"
    scope = None if event.type == PING else EVENT_SCOPES[EventType(event.type)].value
    if scope is not None and scope not in client.scopes:
        return f"the subscription's API client no longer holds the scope {scope}"
    return None


def deliver_due(
    engine: Engine,
    *,
    clock: Callable[[], datetime] = utcnow,
    settings: Settings | None = None,
    resolver: Resolver = resolve,
    rng: random.Random | None = None,
    budget: timedelta | None = None,
) -> int:
    """Send what is due (claiming batch after batch, for up to `budget` of real time); how
    many deliveries were attempted. `clock` says when it is, for the schedule and the log."""
    settings = settings or get_settings()
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    lease = claim_lease(settings)
    deadline = time.monotonic() + (budget or lease / 2).total_seconds()
    attempted = 0
    while time.monotonic() < deadline:
        now = clock()
        token = _claim(engine, now, lease, BATCH)
        if token is None:
            break
        # A read transaction (no write lock held while receivers are waited for); closing the
        # session keeps the rows loaded.
        with Session(read_only(engine)) as session:
            rows = session.execute(
                select(WebhookDelivery, WebhookEvent, WebhookSubscription)
                .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
                .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.claim == token)
                .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            ).all()
            reasons = {d.id: _not_sendable(session, s, e) for d, e, s in rows}
        attempt = partial(_attempt, engine, token, reasons, settings, resolver, clock, rng)
        # Several at once: a slow receiver should not hold up the others.
        with ThreadPoolExecutor(max_workers=settings.webhooks_concurrency) as pool:
            attempted += sum(pool.map(attempt, rows))
    return attempted


def _attempt(
    engine: Engine,
    token: uuid.UUID,
    reasons: dict[uuid.UUID, str | None],
    settings: Settings,
    resolver: Resolver,
    clock: Callable[[], datetime],
    rng: random.Random,
    row: Any,
) -> int:
    """Send one claimed delivery (or cancel it) and record the outcome; 1 if it was sent."""
    delivery, event, subscription = row
    reason = reasons[delivery.id]
    if reason is not None:
        _cancel(engine, delivery, token, reason)
        return 0
    result = send(subscription, event, settings, resolver)
    _record(engine, delivery, token, result, clock(), settings, rng)
    return 1


def _cancel(engine: Engine, delivery: WebhookDelivery, token: uuid.UUID, reason: str) -> None:
    with Session(engine) as session:
        session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery.id, col(WebhookDelivery.claim) == token)
            .values(status="cancelled", claim=None, locked_until=None, last_error=reason)
        )
        session.commit()


def _record(
    engine: Engine,
    delivery: WebhookDelivery,
    token: uuid.UUID,
    result: Outcome,
    now: datetime,
    settings: Settings,
    rng: random.Random,
) -> None:
    """Log the attempt; mark the delivery delivered, due again later, or failed (and then
    disable its subscription). Only while this worker still holds the claim."""
    attempts = delivery.attempts + 1
    changes: dict[str, object] = {
        "attempts": attempts,
        "claim": None,
        "locked_until": None,
        "last_attempt_at": now,
        "last_status_code": result.status_code,
        "last_error": result.error,
    }
    gave_up = False
    if result.succeeded:
        changes |= {"status": "delivered", "delivered_at": now}
    else:
        retry_at = now + retry_delay(attempts, rng)
        if retry_at > delivery.created_at + timedelta(hours=settings.webhooks_retry_hours):
            changes["status"] = "failed"
            gave_up = True
        else:
            changes["next_attempt_at"] = retry_at
    with Session(engine) as session:
        session.add(
            WebhookAttempt(
                organisation_id=delivery.organisation_id,
                subscription_id=delivery.subscription_id,
                delivery_id=delivery.id,
                attempted_at=now,
                succeeded=result.succeeded,
                status_code=result.status_code,
                duration_ms=result.duration_ms,
                error=result.error,
            )
        )
        updated = session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery.id, col(WebhookDelivery.claim) == token)
            .values(**changes)
        )
        if int(updated.rowcount) != 1:  # type: ignore[attr-defined]
            # Another worker took it over (this one overran its claim): its result stands.
            session.rollback()
            return
        if gave_up:
            _disable(session, delivery.subscription_id, now, result)
        session.commit()
    if gave_up:
        logger.warning(
            "webhook subscription disabled",
            extra={"subscription_id": str(delivery.subscription_id), "delivery_id": str(delivery.id)},
        )


def _disable(session: Session, subscription_id: uuid.UUID, now: datetime, result: Outcome) -> None:
    subscription = session.get(WebhookSubscription, subscription_id, with_for_update=True)
    if subscription is None or not subscription.enabled:
        return
    reason = (
        "Disabled by the worker: a delivery kept failing for the whole retry window "
        f"(last attempt {now.isoformat().replace('+00:00', 'Z')}: "
        f"{result.error or result.status_code}). Fix the receiver, then enable the subscription "
        "again and replay the failed deliveries."
    )[:1000]
    audit.changed(
        session,
        None,
        subscription,
        "webhook_subscription",
        {"enabled": False, "disabled_reason": reason, "disabled_at": now},
        action="disable",
        system_label="pmo worker (webhook delivery)",
    )


def deliver_webhooks(session: Session, now: datetime) -> int:  # noqa: ARG001 - the clock is read per batch
    """The worker's job: deliver what is due, in short transactions of its own (not
    `session`'s: no transaction stays open while a receiver is waited for)."""
    return deliver_due(session.get_bind())  # type: ignore[arg-type]
