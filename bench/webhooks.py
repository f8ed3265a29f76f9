"""Benchmark of webhook delivery: `pmo worker` sending to a receiver on 127.0.0.1 that
verifies every signature with the `standardwebhooks` library.

    .venv/bin/python bench/webhooks.py                          # SQLite in a temporary folder
    .venv/bin/python bench/webhooks.py --database-url postgresql+psycopg://...   # an empty database
    .venv/bin/python bench/webhooks.py --backlog 2000 --rate 20 --seconds 20 --poll 0.5

Two figures, each with one worker process:

1. drain: `--backlog` events already in the outbox when the worker starts; events delivered
   per second, from the first delivery to the last;
2. delay: events committed at a steady `--rate` for `--seconds` while the worker runs; the
   time from each event's commit to its arrival at the receiver (p50, p95, max). The
   worker's poll interval (`--poll`, `PMO_WORKER_POLL_SECONDS`) bounds it from below.

Prints a table; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PMO = str(Path(sys.executable).with_name("pmo"))


class Receiver:
    """Verifies and timestamps every message; counts the ones that do not verify."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrived: dict[str, float] = {}  # webhook-id -> first arrival (time.time())
        self.duplicates = 0
        self.bad = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                from standardwebhooks import Webhook, WebhookVerificationError

                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                now = time.time()
                try:
                    Webhook(receiver.secret).verify(raw, dict(self.headers.items()))
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad += 1
                else:
                    with receiver.lock:
                        if self.headers["webhook-id"] in receiver.arrived:
                            receiver.duplicates += 1
                        receiver.arrived.setdefault(self.headers["webhook-id"], now)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary folder)")
    parser.add_argument("--backlog", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second in the delay run")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--poll", type=float, default=0.5, help="PMO_WORKER_POLL_SECONDS")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pmo-bench-webhooks-"))
    os.environ.update(
        {
            "PMO_DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.db'}",
            "PMO_SECRET_KEY": "bench-" + "x" * 40,
            "PMO_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "PMO_WORKER_POLL_SECONDS": str(args.poll),
            "PMO_LOG_LEVEL": "WARNING",
        }
    )
    from sqlmodel import Session

    from pmo.auth.models import ApiClient
    from pmo.core.db import get_engine, utcnow
    from pmo.migrations import upgrade
    from pmo.organisations import service as organisations
    from pmo.webhooks.delivery import message_id
    from pmo.webhooks.events import EventType, MilestoneMissedData, emit
    from pmo.webhooks.models import WebhookSubscription
    from pmo.webhooks.subscriptions_service import new_signing_secret

    engine = get_engine()
    upgrade(engine)
    receiver = Receiver()
    with Session(engine, expire_on_commit=False) as session:
        organisation = organisations.create_organisation(session, "Bench Borough Council")
        client = ApiClient(
            organisation_id=organisation.id,
            name="Bench system",
            client_id="pmo_bench",
            secret_hash="0" * 64,
            scopes=["portfolio:read", "webhooks:manage"],
        )
        session.add(client)
        session.flush()
        receiver.secret = new_signing_secret()
        session.add(
            WebhookSubscription(
                organisation_id=organisation.id,
                api_client_id=client.id,
                url=receiver.url,
                event_types=[EventType.milestone_missed.value],
                signing_secret=receiver.secret,
            )
        )
        session.commit()

    committed: dict[str, float] = {}

    def commit_event(n: int) -> None:
        with Session(engine) as session:
            data = MilestoneMissedData(
                milestone_id=client.id,
                project_id=client.id,
                title=f"Milestone {n}",
                due_date=utcnow().date(),
                url="https://pmo.example.gov.uk/api/v1/milestones/x",
            )
            event = emit(session, organisation.id, EventType.milestone_missed, data)
            if event is None:
                raise SystemExit("the subscription did not want the event")
            event_id = event.id
            session.commit()
        committed[message_id(event_id)] = time.time()

    def wait_for(count: int, limit: float) -> None:
        deadline = time.monotonic() + limit
        while len(receiver.arrived) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    # 1. Drain a backlog.
    for n in range(args.backlog):
        commit_event(n)
    worker = subprocess.Popen([PMO, "worker"], env=os.environ.copy())  # noqa: S603 - our own command
    try:
        wait_for(args.backlog, 600)
        arrivals = sorted(receiver.arrived.values())
        drained = len(arrivals)
        drain_rate = (drained - 1) / (arrivals[-1] - arrivals[0]) if drained > 1 else 0.0
        backlog_ids = set(receiver.arrived)

        # 2. Steady arrivals: commit -> delivery.
        total = int(args.rate * args.seconds)
        paced_from = time.monotonic()
        for n in range(total):
            time.sleep(max(0.0, paced_from + n / args.rate - time.monotonic()))
            commit_event(args.backlog + n)
        wait_for(args.backlog + total, 120)
    finally:
        worker.terminate()
        worker.wait(30)
    delays = [
        receiver.arrived[i] - committed[i]
        for i in committed
        if i in receiver.arrived and i not in backlog_ids
    ]
    results = {
        "database": engine.dialect.name,
        "poll_seconds": args.poll,
        "backlog": args.backlog,
        "backlog_delivered": drained,
        "drain_events_per_second": round(drain_rate, 1),
        "steady_rate": args.rate,
        "steady_events": total,
        "steady_delivered": len(delays),
        "delay_p50_ms": round(statistics.median(delays) * 1000, 1) if delays else None,
        "delay_p95_ms": round(percentile(delays, 0.95) * 1000, 1) if delays else None,
        "delay_max_ms": round(max(delays) * 1000, 1) if delays else None,
        "bad_signatures": receiver.bad,
        "duplicates": receiver.duplicates,
    }
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
