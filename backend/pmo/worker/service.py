"""Running scheduled jobs: claim a due job, run it in its own transaction, reschedule it.

Several workers may run at once (on several hosts). A job is claimed with one conditional
UPDATE (due, and not leased to a live worker), which only one of them can win: PostgreSQL
re-checks the condition on the row after waiting for another claimer's lock, and SQLite has
one writer at a time. The job's work and its rescheduling commit together, and only while
the worker still holds the lease, so a job that overran its lease and was taken over by
another worker leaves nothing behind.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from pmo.core.db import utcnow
from pmo.worker.jobs import JOBS, Job
from pmo.worker.jobs import LEASE as LEASE  # where the tests and callers have found it
from pmo.worker.models import ScheduledJob, WorkerHeartbeat

logger = logging.getLogger("pmo.worker")

Clock = Callable[[], datetime]


class LostLease(Exception):
    """The job ran past its lease and another worker took it over."""


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _insert(engine: Engine):  # type: ignore[no-untyped-def]
    return pg_insert if engine.dialect.name == "postgresql" else sqlite_insert


def schedule(engine: Engine, jobs: Mapping[str, Job], now: datetime) -> None:
    """Give each job of the registry its row, due at once, if it has none yet."""
    with Session(engine) as session:
        for name in jobs:
            session.execute(
                _insert(engine)(ScheduledJob)
                .values(name=name, next_run_at=now, runs=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )
        session.commit()


def claim(engine: Engine, name: str, worker: str, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take the job if it is due and no live worker holds it; True if this worker won it."""
    with Session(engine) as session:
        result = session.execute(
            update(ScheduledJob)
            .where(
                col(ScheduledJob.name) == name,
                col(ScheduledJob.next_run_at) <= now,
                or_(col(ScheduledJob.locked_until).is_(None), col(ScheduledJob.locked_until) < now),
            )
            .values(locked_by=worker, locked_until=now + lease, last_started_at=now)
        )
        session.commit()
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def _release(session: Session, job: Job, worker: str, finished: datetime, error: str | None) -> None:
    result = session.execute(
        update(ScheduledJob)
        .where(col(ScheduledJob.name) == job.name, col(ScheduledJob.locked_by) == worker)
        .values(
            next_run_at=finished + job.every,
            locked_by=None,
            locked_until=None,
            last_finished_at=finished,
            last_error=error,
            runs=col(ScheduledJob.runs) + 1,
        )
    )
    if int(result.rowcount) != 1:  # type: ignore[attr-defined]
        raise LostLease(job.name)


def run_job(engine: Engine, job: Job, worker: str, clock: Clock = utcnow) -> bool:
    """Run a job this worker has claimed; True if it succeeded."""
    started = clock()
    try:
        with Session(engine) as session:
            rows = job.run(session, started)
            _release(session, job, worker, clock(), error=None)
            session.commit()
    except LostLease:
        logger.warning("job lease lost; its work was rolled back", extra={"job": job.name})
        return False
    except Exception as exc:
        logger.exception("job failed", extra={"job": job.name})
        try:
            with Session(engine) as session:
                _release(session, job, worker, clock(), error=f"{type(exc).__name__}: {exc}"[:2000])
                session.commit()
        except LostLease:
            pass
        return False
    elapsed = (clock() - started).total_seconds()
    logger.info(
        "job finished", extra={"job": job.name, "rows": rows, "duration_ms": round(elapsed * 1000, 2)}
    )
    return True


def run_due(
    engine: Engine, worker: str, jobs: Mapping[str, Job] = JOBS, clock: Clock = utcnow
) -> dict[str, bool]:
    """Run every due job this worker can claim; the names it ran, each with whether it succeeded."""
    schedule(engine, jobs, clock())
    ran: dict[str, bool] = {}
    for job in jobs.values():
        if claim(engine, job.name, worker, clock(), job.lease):
            ran[job.name] = run_job(engine, job, worker, clock)
    return ran


def beat(engine: Engine, worker: str, now: datetime) -> None:
    """Record that this worker is alive."""
    host, _, pid = worker.rpartition(":")
    with Session(engine) as session:
        session.execute(
            _insert(engine)(WorkerHeartbeat)
            .values(worker_id=worker, host=host, pid=int(pid), started_at=now, seen_at=now)
            .on_conflict_do_update(index_elements=["worker_id"], set_={"seen_at": now})
        )
        session.commit()


def last_heartbeat(engine: Engine, host: str) -> datetime | None:
    """When a worker on `host` last said it was alive."""
    with Session(engine) as session:
        return session.exec(
            select(WorkerHeartbeat.seen_at)
            .where(WorkerHeartbeat.host == host)
            .order_by(col(WorkerHeartbeat.seen_at).desc())
        ).first()


def run_until_stopped(engine: Engine, worker: str, poll_seconds: float, stop: threading.Event) -> None:
    """Look for due jobs every `poll_seconds` until `stop` is set (a job under way finishes first)."""
    logger.info("worker started", extra={"worker": worker, "poll_seconds": poll_seconds})
    while not stop.is_set():
        try:
            beat(engine, worker, utcnow())
            run_due(engine, worker)
        except Exception:  # the database may be away for a while: keep trying
            logger.exception("worker cycle failed", extra={"worker": worker})
        stop.wait(poll_seconds)
    try:
        with Session(engine) as session:
            session.execute(delete(WorkerHeartbeat).where(col(WorkerHeartbeat.worker_id) == worker))
            session.commit()
    except Exception:
        logger.exception("could not remove the heartbeat", extra={"worker": worker})
    logger.info("worker stopped", extra={"worker": worker})
