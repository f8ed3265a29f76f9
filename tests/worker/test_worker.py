"""`pmo worker`: due jobs run once however many workers race, leases, purges, the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select
from typer.testing import CliRunner

from pmo.cli import app
from pmo.core.db import utcnow
from pmo.core.models import IdempotencyRecord, RateLimitCounter
from pmo.worker.jobs import JOBS, Job
from pmo.worker.models import ScheduledJob, WorkerHeartbeat
from pmo.worker.service import LEASE, claim, run_due

runner = CliRunner()
PMO = str(Path(sys.executable).with_name("pmo"))
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=utcnow().tzinfo)
# Jobs with an interval; those due every cycle (webhook delivery) run whenever a worker looks.
SPACED = [name for name, job in JOBS.items() if job.every > timedelta(0)]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _row(engine, name: str) -> ScheduledJob:
    with Session(engine) as session:
        return session.exec(select(ScheduledJob).where(ScheduledJob.name == name)).one()


def test_workers_racing_in_threads_run_a_due_job_once(engine):
    runs: list[str] = []

    def slow(session, now):
        runs.append(threading.current_thread().name)
        time.sleep(0.3)  # long enough for every other worker to try to claim it meanwhile
        return 0

    jobs = {"slow": Job("slow", timedelta(hours=1), slow)}
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            for _ in range(5):
                run_due(engine, f"host:{name}", jobs)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(str(n),), name=str(n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(runs) == 1
    row = _row(engine, "slow")
    assert row.runs == 1
    assert row.locked_by is None
    assert row.next_run_at > utcnow() + timedelta(minutes=59)


def test_a_job_runs_again_once_its_interval_has_passed(engine):
    runs: list[datetime] = []
    jobs = {"tick": Job("tick", timedelta(minutes=15), lambda _session, now: runs.append(now) or 0)}
    clock = Clock(T0)

    assert run_due(engine, "host:1", jobs, clock) == {"tick": True}
    clock.now = T0 + timedelta(minutes=14)
    assert run_due(engine, "host:2", jobs, clock) == {}
    clock.now = T0 + timedelta(minutes=15)
    assert run_due(engine, "host:2", jobs, clock) == {"tick": True}
    assert runs == [T0, T0 + timedelta(minutes=15)]
    assert _row(engine, "tick").runs == 2


def test_a_job_held_by_a_dead_worker_is_taken_over_when_its_lease_ends(engine):
    jobs = {"held": Job("held", timedelta(minutes=5), lambda _session, _now: 0)}
    run_due(engine, "host:1", jobs, Clock(T0 - timedelta(hours=1)))  # scheduled, ran, due again
    assert claim(engine, "held", "host:dead", T0)  # and then that worker died

    assert run_due(engine, "host:2", jobs, Clock(T0 + LEASE - timedelta(seconds=1))) == {}
    assert run_due(engine, "host:2", jobs, Clock(T0 + LEASE + timedelta(seconds=1))) == {"held": True}


def test_a_job_that_lost_its_lease_leaves_nothing_behind(engine):
    def overran(session, now):
        session.add(RateLimitCounter(key="written-by-the-job", window_start=0, hits=1))
        # The lease as another worker would leave it after taking the job over (written in the
        # job's own transaction: SQLite would make a second writer wait for this one).
        session.execute(update(ScheduledJob).values(locked_by="host:other"))
        return 1

    jobs = {"overran": Job("overran", timedelta(minutes=5), overran)}

    assert run_due(engine, "host:1", jobs) == {"overran": False}
    with Session(engine) as session:
        assert session.get(RateLimitCounter, ("written-by-the-job", 0)) is None
    assert _row(engine, "overran").runs == 0


def test_a_failing_job_is_recorded_and_rescheduled(engine):
    def broken(session, now):
        raise RuntimeError("mail server unreachable")

    jobs = {"broken": Job("broken", timedelta(minutes=5), broken)}

    assert run_due(engine, "host:1", jobs, Clock(T0)) == {"broken": False}
    row = _row(engine, "broken")
    assert row.last_error == "RuntimeError: mail server unreachable"
    assert row.locked_by is None
    assert row.next_run_at == T0 + timedelta(minutes=5)


def _seed_purgeable(engine) -> None:
    now = utcnow()
    with Session(engine) as session:
        for key, age in (("expired", timedelta(hours=25)), ("live", timedelta(hours=1))):
            session.add(
                IdempotencyRecord(
                    actor_key="user:x",
                    key=key,
                    method="POST",
                    path="/api/v1/portfolios",
                    request_hash="0" * 64,
                    status_code=201,
                    response_body={},
                    created_at=now - age,
                )
            )
        window = int(now.timestamp()) // 60 * 60
        session.add(RateLimitCounter(key="login:old", window_start=window - 2 * 86400, hits=3))
        session.add(RateLimitCounter(key="login:live", window_start=window, hits=3))
        session.add(WorkerHeartbeat(worker_id="gone:1", host="gone", pid=1, seen_at=now - timedelta(days=2)))
        session.add(WorkerHeartbeat(worker_id="here:1", host="here", pid=1, seen_at=now))
        session.commit()


def test_worker_once_purges_expired_records_and_keeps_live_ones(engine):
    _seed_purgeable(engine)

    result = runner.invoke(app, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert session.exec(select(IdempotencyRecord.key)).all() == ["live"]
        assert session.exec(select(RateLimitCounter.key)).all() == ["login:live"]
        assert session.exec(select(WorkerHeartbeat.worker_id)).all() == ["here:1"]
        assert {job.name: job.runs for job in session.exec(select(ScheduledJob))} == dict.fromkeys(JOBS, 1)
    # Nothing spaced is due any more: a second run does only the every-cycle jobs.
    again = runner.invoke(app, ["worker", "--once"])
    assert again.exit_code == 0, again.output
    assert {_row(engine, name).runs for name in SPACED} == {1}
    assert _row(engine, "deliver-webhooks").runs == 2


def test_worker_once_exits_1_when_a_job_fails(engine, monkeypatch):
    def broken(session, now):
        raise RuntimeError("no")

    name = "purge-rate-limit-counters"
    monkeypatch.setitem(JOBS, name, Job(name, timedelta(hours=1), broken))
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 1


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PMO_LOG_LEVEL": "INFO", **extra}


def test_worker_processes_racing_run_each_job_once(engine):
    processes = [
        subprocess.Popen([PMO, "worker", "--once"], stdout=subprocess.PIPE, text=True, env=_env())  # noqa: S603
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0]
    finished = [
        line["job"]
        for output in outputs
        for line in map(json.loads, output.splitlines())
        if line["message"] == "job finished"
    ]
    assert sorted(name for name in finished if name in SPACED) == sorted(SPACED)
    assert {_row(engine, name).runs for name in SPACED} == {1}


def _heartbeats(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(WorkerHeartbeat.worker_id)).all())


def test_the_worker_beats_until_sigterm_and_then_stops_cleanly(engine):
    assert runner.invoke(app, ["worker", "--check"]).exit_code == 1
    process = subprocess.Popen(  # noqa: S603 - our own command
        [PMO, "worker"], stdout=subprocess.PIPE, text=True, env=_env(PMO_WORKER_POLL_SECONDS="0.2")
    )
    try:
        deadline = time.monotonic() + 30
        while not _heartbeats(engine) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _heartbeats(engine) == [f"{os.uname().nodename}:{process.pid}"]
        check = runner.invoke(app, ["worker", "--check"])
        assert check.exit_code == 0, check.output
        assert "worker alive" in check.stdout

        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == 0
    assert "worker stopped" in output
    assert _heartbeats(engine) == []
    assert runner.invoke(app, ["worker", "--check"]).exit_code == 1
