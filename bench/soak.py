"""A bounded soak of the product on PostgreSQL with several server processes.

    .venv/bin/python bench/soak.py                       # 180 s, 3 workers
    .venv/bin/python bench/soak.py --seconds 90 --json bench/results/soak.json

It starts a throwaway PostgreSQL cluster (scripts/postgres.sh), migrates, loads the demo data
(`pmo demo`), and serves it with `pmo serve --workers N` on a free loopback port, with the API
clients' feed limit raised as an operator would for a known integration. Then, for a fixed
time, threads play:

- officers reading: registers, dashboards, the heat map, scorecards, KPI lists;
- officers writing: risks, and KPIs with a value each;
- API clients polling the KPI feed with `If-None-Match`;
- draw-downs: requested, consulted and approved by racing threads against one reserve with
  room for a limited number (the rest must be refused 409, never overdrawn);
- KPI imports (CSV: definitions, then their values).

It reports requests and errors by kind and status (the aim: no 5xx), p50 and p95 latency per
kind, each server worker's memory (RSS) at start and end, that no funding source's committed
sum exceeds its opening balance, and whether `pmo audit verify` exits 0 afterwards. Every
process it started is stopped before it exits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.kpi_feed import free_port  # noqa: E402 - needs the path above

PMO = str(ROOT / ".venv" / "bin" / "pmo")
API = "/api/v1"
PASSWORD = "demo-password"  # noqa: S105 - the demo data's documented password
RESERVE_OPENING = "40500.00"  # room for 40 draw-downs of £1,000.00, and £500.00 over
DRAWDOWN_AMOUNT = "1000.00"


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    cluster = Path(tempfile.mkdtemp(prefix="pmo-soak-pg-"))
    script = str(ROOT / "scripts" / "postgres.sh")
    url = subprocess.run(  # noqa: S603 - our own script
        [script, "start", str(cluster)], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([script, "stop", str(cluster)], check=False)  # noqa: S603
        shutil.rmtree(cluster, ignore_errors=True)


@contextlib.contextmanager
def served(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`pmo serve --workers N` on a free loopback port, its output in `log`; stopped afterwards."""
    port = free_port()
    command = [PMO, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(worker_pids(process.pid)) < workers or not ready(base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pmo serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def worker_pids(parent: int) -> list[int]:
    """The uvicorn worker processes: the children of `pmo serve` other than multiprocessing's helper."""
    pids = []
    for task in Path(f"/proc/{parent}/task").glob("*/children"):
        for pid in task.read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" not in cmdline:
                pids.append(int(pid))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    with contextlib.suppress(FileNotFoundError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


# Setting up through the API -------------------------------------------------------------------


class Soak:
    def __init__(self, base: str, seconds: float) -> None:
        self.base = base
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.samples: list[tuple[str, int, float]] = []  # kind, status (0: no answer), seconds
        self.failures: Counter[str] = Counter()  # kind and detail of each 5xx or transport error
        self.refusals: Counter[str] = Counter()  # the same for 4xx: expected ones, and any others

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base + API, headers=headers, timeout=60)

    def call(
        self, http: httpx.Client, kind: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.record(kind, 0, time.perf_counter() - started, f"{type(exc).__name__} {method} {path}")
            return None
        status = response.status_code
        if 400 <= status < 500 and response.headers.get("content-type", "").startswith("application/problem"):
            detail = f"{status} {response.json().get('detail')}"  # the same refusal, whatever record
        else:
            detail = f"{status} {method} {path}: {response.text[:300]}"
        self.record(kind, status, time.perf_counter() - started, detail)
        return response

    def record(self, kind: str, status: int, seconds: float, detail: str) -> None:
        with self.lock:
            self.samples.append((kind, status, seconds))
            if status == 0 or status >= 500:
                self.failures[f"{kind}: {detail}"] += 1
            elif status >= 400:
                self.refusals[f"{kind}: {detail}"] += 1

    def running(self) -> bool:
        return time.monotonic() < self.deadline


def sign_in(base: str, email: str) -> str:
    response = httpx.post(
        f"{base}{API}/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        timeout=60,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def expect(response: httpx.Response, status: int = 201) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"set-up: {response.request.method} {response.request.url}: {response.text[:300]}")
    return response.json()


def set_up(base: str) -> dict[str, Any]:
    """Tokens for the demo officers, an API client, a project, and one reserve to race for."""
    people = {
        role: sign_in(base, f"{role}@demo.test")
        for role in ("admin", "pmo", "pm", "finance", "sponsor", "member", "viewer")
    }

    def http(role: str) -> httpx.Client:
        return httpx.Client(
            base_url=base + API, headers={"Authorization": f"Bearer {people[role]}"}, timeout=60
        )

    with http("admin") as admin, http("pmo") as pmo, http("finance") as finance, http("pm") as pm:
        created = expect(admin.post("/api-clients", json={"name": "Soak feed", "scopes": ["kpis:read"]}))
        token = httpx.post(
            f"{base}{API}/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
            timeout=60,
        )
        feed_token = expect(token, 200)["access_token"]
        programme = expect(pmo.get("/programmes"), 200)["items"][0]
        directorate = expect(admin.get("/directorates"), 200)["items"][0]
        pm_id = expect(pm.get("/me"), 200)["id"]
        project = expect(
            pmo.post(
                "/projects",
                json={
                    "programme_id": programme["id"],
                    "name": "Soak: shared service centre",
                    "lead_directorate_id": directorate["id"],
                    "project_manager_id": pm_id,
                },
            )
        )
        reserve = expect(
            finance.post(
                "/funding-sources",
                json={"name": "Soak reserve", "kind": "reserve", "opening_balance": RESERVE_OPENING},
            )
        )
        # A per-request rule for this reserve (the sponsor decides, finance is consulted), so
        # that the race is only for the money.
        expect(
            finance.post(
                "/delegation-rules",
                json={
                    "name": "Soak rule",
                    "decider_role": "sponsor",
                    "limit": "50000.00",
                    "limit_basis": "per_request",
                    "funding_source_ids": [reserve["id"]],
                    "consultee_roles": ["finance"],
                },
            )
        )
        risk = expect(pmo.get("/risks", params={"limit": 1}), 200)["items"][0]
    return {
        "people": people,
        "feed_token": feed_token,
        "programme": programme,
        "project": project,
        "reserve": reserve,
        "risk_scale": {k: risk[k] for k in ("category", "inherent_likelihood", "inherent_impact")},
    }


# The load -------------------------------------------------------------------------------------


def memory_sampler(soak: Soak, pids: list[int], samples: list[dict[str, Any]], every: float = 15) -> None:
    """Each worker's RSS every `every` seconds: whether memory levels off or keeps climbing."""
    started = time.monotonic()
    while soak.running():
        time.sleep(min(every, max(soak.deadline - time.monotonic(), 0)))
        rss = {str(pid): round(rss_mib(pid) or 0, 1) for pid in pids}
        samples.append({"second": round(time.monotonic() - started), "rss_mib": rss})


def officer_reads(soak: Soak, setup: dict[str, Any], role: str) -> None:
    programme = setup["programme"]["id"]
    paths = [
        "/projects",
        "/risks",
        "/risks/heat-map",
        "/issues",
        "/kpis",
        "/kpi-scorecard",
        "/drawdowns",
        "/funding-sources",
        f"/programmes/{programme}/dashboard",
        f"/programmes/{programme}/financial-summary",
    ]
    with soak.client(setup["people"][role]) as http:
        while soak.running():
            soak.call(http, "officer read", "GET", random.choice(paths))  # noqa: S311
            time.sleep(0.05)


def officer_writes(soak: Soak, setup: dict[str, Any]) -> None:
    project = setup["project"]["id"]
    with soak.client(setup["people"]["pmo"]) as http:
        while soak.running():
            body = {
                "title": f"Soak risk {uuid.uuid4().hex[:8]}",
                "project_id": project,
                **setup["risk_scale"],
            }
            soak.call(http, "officer write", "POST", "/risks", json=body)
            code = f"S-{uuid.uuid4().hex[:8]}"
            kpi = soak.call(
                http,
                "officer write",
                "POST",
                "/kpis",
                json={
                    "code": code,
                    "name": code,
                    "unit": "number",
                    "polarity": "higher_is_better",
                    "frequency": "monthly",
                },
            )
            if kpi is not None and kpi.status_code == 201:
                value = {"period_code": "2024-05", "actual": "12"}
                soak.call(http, "officer write", "POST", f"/kpis/{kpi.json()['id']}/values", json=value)
            time.sleep(0.1)


def feed_polls(soak: Soak, setup: dict[str, Any]) -> None:
    tag = None
    with soak.client(setup["feed_token"]) as http:
        while soak.running():
            headers = {"If-None-Match": tag} if tag else {}
            response = soak.call(
                http, "feed poll", "GET", "/kpi-feed/values", params={"limit": 100}, headers=headers
            )
            if response is not None and response.status_code == 200:
                tag = response.headers.get("etag")
            time.sleep(0.1)


def drawdowns(soak: Soak, setup: dict[str, Any], approvals: list[str], barrier: threading.Barrier) -> None:
    """Request and consult, then approve in step with the other racers (a barrier per round)."""
    people = setup["people"]
    body = {
        "project_id": setup["project"]["id"],
        "funding_source_id": setup["reserve"]["id"],
        "amount": DRAWDOWN_AMOUNT,
        "financial_year": "2024/25",
        "purpose": "Soak: specialist support",
        "business_case_reference": "Soak business case, Cabinet report 1 April 2024",
    }
    with (
        soak.client(people["pm"]) as pm,
        soak.client(people["finance"]) as finance,
        soak.client(people["sponsor"]) as sponsor,
    ):
        while True:
            requested = soak.call(pm, "drawdown request", "POST", "/drawdowns", json=body)
            drawdown = (
                requested.json()["id"] if requested is not None and requested.status_code == 201 else None
            )
            if drawdown:
                view = {"view": "supports"}
                soak.call(
                    finance, "drawdown consult", "POST", f"/drawdowns/{drawdown}/consultations", json=view
                )
            try:
                barrier.wait(timeout=120)
            except threading.BrokenBarrierError:
                return
            if drawdown:
                decision = {
                    "decision": "approve",
                    "reason": "Soak: approved business case.",
                    "alternatives_considered": "Soak: none.",
                }
                answer = soak.call(
                    sponsor, "drawdown approve", "POST", f"/drawdowns/{drawdown}/decision", json=decision
                )
                if answer is not None and answer.status_code == 200:
                    with soak.lock:
                        approvals.append(drawdown)
            if not soak.running():
                barrier.abort()  # the other racers stop at their next round
                return


def imports(soak: Soak, setup: dict[str, Any]) -> None:
    with soak.client(setup["people"]["pmo"]) as http:
        while soak.running():
            prefix = f"I{uuid.uuid4().hex[:6]}"
            definitions = "code,name,unit,polarity,frequency\n" + "".join(
                f"{prefix}-{n},{prefix} {n},number,higher_is_better,monthly\n" for n in range(20)
            )
            values = "kpi_code,period_code,actual,commentary\n" + "".join(
                f"{prefix}-{n},2024-{m:02d},{n + m},\n" for n in range(20) for m in range(1, 13)
            )
            for content in (definitions, values):
                headers = {"Content-Type": "text/csv"}
                soak.call(
                    http, "kpi import", "POST", "/kpi-imports", content=content.encode(), headers=headers
                )
            time.sleep(1.0)


# After ----------------------------------------------------------------------------------------


def overdrawn_sources(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT name FROM funding_sources WHERE committed_pence > opening_balance_pence")
            ).scalars()
            return list(rows)
    finally:
        engine.dispose()


def committed_pence(database_url: str, name: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT committed_pence FROM funding_sources WHERE name = :name")
            return int(connection.execute(query, {"name": name}).scalar_one())
    finally:
        engine.dispose()


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def summarise(soak: Soak) -> dict[str, Any]:
    by_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for kind, status, seconds in soak.samples:
        by_kind[kind].append((status, seconds))
    kinds = {}
    for kind, samples in sorted(by_kind.items()):
        latencies = [s * 1000 for _, s in samples]
        kinds[kind] = {
            "requests": len(samples),
            "statuses": dict(sorted(Counter(str(status) for status, _ in samples).items())),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
        }
    return kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=180, help="How long the load runs.")
    parser.add_argument("--workers", type=int, default=3, help="Server processes (pmo serve --workers).")
    parser.add_argument("--readers", type=int, default=4, help="Officers reading, each a thread.")
    parser.add_argument("--writers", type=int, default=2, help="Officers writing, each a thread.")
    parser.add_argument("--pollers", type=int, default=2, help="API clients polling the feed.")
    parser.add_argument("--racers", type=int, default=6, help="Threads racing draw-down approvals.")
    parser.add_argument(
        "--importers", type=int, default=1, help="Threads importing KPIs (0: data stops growing)."
    )
    parser.add_argument("--json", type=Path, help="Also write the report here.")
    args = parser.parse_args(argv)

    with postgres() as database_url:
        env = {
            **os.environ,
            "PMO_DATABASE_URL": database_url,
            "PMO_SECRET_KEY": "soak-" + "k" * 40,
            "PMO_LOG_LEVEL": "WARNING",
            "PMO_ACCESS_TOKEN_MINUTES": "60",
            # As an operator would for known integrations: the pollers stay under it.
            "PMO_CLIENT_REQUESTS_PER_MINUTE": "100000",
        }
        for command in (["migrate"], ["demo"]):
            subprocess.run([PMO, *command], env=env, check=True, capture_output=True)  # noqa: S603
        log = Path(tempfile.mkdtemp(prefix="pmo-soak-")) / "serve.log"
        with served(env, args.workers, log) as (base, server):
            setup = set_up(base)
            pids = worker_pids(server.pid)
            memory_start = {pid: rss_mib(pid) for pid in pids}
            soak = Soak(base, args.seconds)
            approvals: list[str] = []
            memory_samples: list[dict[str, Any]] = []
            barrier = threading.Barrier(max(args.racers, 1))  # unused without racers
            jobs: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
                *[
                    (officer_reads, (soak, setup, ("viewer", "pmo", "sponsor", "finance")[i % 4]))
                    for i in range(args.readers)
                ],
                *[(officer_writes, (soak, setup)) for _ in range(args.writers)],
                *[(feed_polls, (soak, setup)) for _ in range(args.pollers)],
                *[(drawdowns, (soak, setup, approvals, barrier)) for _ in range(args.racers)],
                *[(imports, (soak, setup)) for _ in range(args.importers)],
                (memory_sampler, (soak, pids, memory_samples)),
            ]
            threads = [threading.Thread(target=job, args=job_args) for job, job_args in jobs]
            print(
                f"soaking {base} for {args.seconds:.0f} s: {len(threads)} threads, {args.workers} workers",
                flush=True,
            )
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            pids_end = worker_pids(server.pid)
            memory_end = {pid: rss_mib(pid) for pid in pids_end}
        verify_command = [PMO, "audit", "verify"]
        verify = subprocess.run(verify_command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        committed = committed_pence(database_url, "Soak reserve")
        report = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": os.cpu_count(),
            "seconds": round(elapsed, 1),
            "workers": args.workers,
            "threads": len(threads),
            "requests": len(soak.samples),
            "requests_per_second": round(len(soak.samples) / elapsed, 1),
            "kinds": summarise(soak),
            "server_errors": sum(1 for _, status, _ in soak.samples if status >= 500),
            "no_answer": sum(1 for _, status, _ in soak.samples if status == 0),
            "failures": dict(soak.failures.most_common(10)),
            "refusals": dict(soak.refusals.most_common(10)),
            "server_error_log": [line for line in log.read_text().splitlines() if "ERROR" in line][:10],
            "worker_rss_mib_start": {str(pid): round(m or 0, 1) for pid, m in memory_start.items()},
            "worker_rss_mib_end": {str(pid): round(m or 0, 1) for pid, m in memory_end.items()},
            "worker_rss_mib_every_15s": memory_samples,
            "workers_replaced": sorted(set(pids) ^ set(pids_end)),
            "reserve_opening": RESERVE_OPENING,
            "reserve_committed": f"{committed / 100:.2f}",
            "approvals": len(approvals),
            "overdrawn_sources": overdrawn_sources(database_url),
            "audit_verify_exit": verify.returncode,
            "audit_verify": (verify.stdout + verify.stderr).strip()[-500:],
        }
    shutil.rmtree(log.parent, ignore_errors=True)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return (
        0
        if report["server_errors"] == 0 and not report["overdrawn_sources"] and verify.returncode == 0
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
