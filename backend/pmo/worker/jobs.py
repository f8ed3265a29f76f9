"""The registry of scheduled jobs: name -> what to run and how often.

A job gets a session (its own transaction, committed by the runner only while the worker
still holds the job's lease) and the time it started, and returns how many rows it dealt
with, for the log. The outbox of later issues (email, webhooks, report packs) plugs in here
as one more job, like `deliver-webhooks` (every cycle, sending what its outbox holds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from pmo.core.config import get_settings
from pmo.core.idempotency import KEEP_KEYS_FOR
from pmo.core.models import IdempotencyRecord, RateLimitCounter
from pmo.decisions import officer_decisions_service
from pmo.reports.service import make_queued_packs
from pmo.webhooks.delivery import claim_lease, deliver_webhooks
from pmo.work.due_notifications import notify_due_work
from pmo.work.notifications_service import deliver_email
from pmo.worker.models import WorkerHeartbeat

# Rate-limit windows are at most this long (the sign-in window is 15 minutes by default, the
# KPI feed's a minute): a counter whose window began before then can count nothing any more.
COUNTERS_KEPT_FOR = timedelta(days=1)
HEARTBEATS_KEPT_FOR = timedelta(days=1)


# How long a claimed job stays with its worker unless the job says otherwise: longer than
# any job should take.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Session, datetime], int]
    # A worker that died holding the job frees it when this has passed.
    lease: timedelta = LEASE


def purge_idempotency_records(session: Session, now: datetime) -> int:
    """Keys older than a day: their stored responses (ids, perhaps more) should not linger."""
    result = session.execute(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - KEEP_KEYS_FOR)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_rate_limit_counters(session: Session, now: datetime) -> int:
    """Counters of windows that ended long ago (the longest window a setting allows, or a day)."""
    kept_for = max(COUNTERS_KEPT_FOR, timedelta(seconds=get_settings().login_window_seconds))
    oldest = int((now - kept_for).timestamp())
    result = session.execute(delete(RateLimitCounter).where(col(RateLimitCounter.window_start) < oldest))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_worker_heartbeats(session: Session, now: datetime) -> int:
    """Heartbeats of workers that stopped without saying so (killed, or their host gone)."""
    result = session.execute(
        delete(WorkerHeartbeat).where(col(WorkerHeartbeat.seen_at) < now - HEARTBEATS_KEPT_FOR)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_officer_decisions(session: Session, now: datetime) -> int:
    """Records of officer decisions past their six years (`retain_until`): the duty to keep
    them available has ended."""
    return officer_decisions_service.purge_expired(session, now.date())


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("purge-idempotency-records", timedelta(minutes=15), purge_idempotency_records),
        Job("purge-rate-limit-counters", timedelta(minutes=15), purge_rate_limit_counters),
        Job("purge-worker-heartbeats", timedelta(hours=1), purge_worker_heartbeats),
        Job("purge-officer-decisions", timedelta(days=1), purge_officer_decisions),
        Job("make-report-packs", timedelta(seconds=5), make_queued_packs),
        # Every cycle; its lease is a delivery's, so a killed worker's deliveries are sent
        # again soon by another (the job stops claiming after half of it).
        Job("deliver-webhooks", timedelta(0), deliver_webhooks, lease=claim_lease(get_settings())),
        Job("deliver-email", timedelta(seconds=15), deliver_email),
        Job("notify-due-work", timedelta(days=1), notify_due_work),
    )
}
