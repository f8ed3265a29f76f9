"""Benchmark of the RAID imports (issue 16: >= 5,000 rows/s, 100,000 rows in one request).

    .venv/bin/python bench/raid_import.py                      # SQLite, then a throwaway PostgreSQL
    .venv/bin/python bench/raid_import.py --only sqlite --service-rows 4000 --http-rows 10000
    .venv/bin/python bench/raid_import.py --logs issues dependencies

For each database: a fresh database with a small council (`pmo.scale_demo` at 20 projects,
its PMO signs in), then for each log (`--logs`: risks, issues, assumptions, dependencies)

1. `--service-rows` items (40,000) through the import's service (the route's own function, in
   one session, committed), rows per second;
2. `--http-rows` items (100,000) in one `POST /api/v1/raid-imports/{log}` to the product
   under uvicorn (one worker), rows per second from sending to the answer;

with the machine's load average (`os.getloadavg()`) after each. Prints a table; `--json
FILE` also writes the figures. Reuses bench/kpi_feed.py's helpers (server, settings) and
bench/aims.py's sign-in.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import aims, kpi_feed

ROOT = kpi_feed.ROOT
PROJECTS = 20
AIM = 5000


@dataclass
class Figure:
    database: str
    what: str
    rows: int
    seconds: float
    rows_per_second: int
    status: int
    load: float
    # Through the service: this process's CPU time (all of SQLite's work, none of PostgreSQL's
    # server), so a figure that a loaded machine's wait leaves out.
    cpu_seconds: float | None = None


def risks_csv(rows: int, first: int = 0) -> str:
    header = "project,title,category,nature,inherent_likelihood,inherent_impact,"
    header += "residual_likelihood,residual_impact,response_type,owner_email\n"
    return header + "".join(
        f"P-{n % PROJECTS + 1:04d},Imported risk {n},Delivery,threat,{n % 5 + 1},{n % 4 + 2},2,2,"
        f"reduce,pmo@scale.test\n"
        for n in range(first, first + rows)
    )


def issues_csv(rows: int, first: int = 0) -> str:
    header = "project,title,description,issue_type,priority,severity,owner_email,due_date\n"
    kinds = ("problem_concern", "request_for_change", "off_specification")
    ratings = ("low", "medium", "high", "critical")
    return header + "".join(
        f"P-{n % PROJECTS + 1:04d},Imported issue {n},Found in testing,{kinds[n % 3]},"
        f"{ratings[n % 4]},{ratings[(n + 1) % 4]},pmo@scale.test,2027-0{n % 9 + 1}-15\n"
        for n in range(first, first + rows)
    )


def assumptions_csv(rows: int, first: int = 0) -> str:
    header = "project,statement,category,owner_email,validate_by\n"
    return header + "".join(
        f"P-{n % PROJECTS + 1:04d},Imported assumption {n},People,pmo@scale.test,2027-0{n % 9 + 1}-01\n"
        for n in range(first, first + rows)
    )


def dependencies_csv(rows: int, first: int = 0) -> str:
    """Every tenth row on another project (closed, so the pairs never run out: each still goes
    through the duplicate rule), the others on an outside party."""
    header = "project,other_project,external_party,direction,title,owner_email,needed_by,status\n"

    def row(n: int) -> str:
        project = n % PROJECTS + 1
        other, party, status = ("", f"Supplier {n % 50}", "open")
        if n % 10 == 0:
            other, party, status = (f"P-{(project % PROJECTS) + 1:04d}", "", "closed")
        direction = ("inbound", "outbound")[n % 2]
        return (
            f"P-{project:04d},{other},{party},{direction},Imported dependency {n},pmo@scale.test,"
            f"2027-0{n % 9 + 1}-28,{status}\n"
        )

    return header + "".join(row(n) for n in range(first, first + rows))


CSV = {
    "risks": risks_csv,
    "issues": issues_csv,
    "assumptions": assumptions_csv,
    "dependencies": dependencies_csv,
}


def prepare() -> None:
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.migrations import upgrade
    from pmo.scale_demo import ScaleSize, load_scale

    upgrade(get_engine())
    size = ScaleSize(programmes=2, projects=PROJECTS, risks=1, kpis=1, months=1, drawdowns=1)
    with Session(get_engine()) as session:
        load_scale(session, size)
        session.commit()


def service_import(log: str, rows: int) -> tuple[float, float, int]:
    """Through the route's own function (checks, numbering, bulk insert, audit), committed."""
    from sqlmodel import Session, select

    from pmo.core.db import get_engine
    from pmo.organisations.models import User
    from pmo.portfolio.demo import actor_for
    from pmo.raid import csv_router

    text = CSV[log](rows, first=1_000_000)
    with Session(get_engine()) as session:
        user = session.exec(select(User).where(User.email == "pmo@scale.test")).one()
        actor = actor_for(session, user)
        session.commit()
        started, cpu = time.perf_counter(), time.process_time()
        response = csv_router._import(session, actor, log, text, False)
        session.commit()
    return time.perf_counter() - started, time.process_time() - cpu, response.status_code


def http_import(base: str, log: str, rows: int) -> tuple[float, int]:
    auth = aims._sign_in(base, "pmo@scale.test")
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/api/v1/raid-imports/{log}",
        data=CSV[log](rows).encode(),
        headers={**auth, "Content-Type": "text/csv"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        print(f"  HTTP import: {status} {exc.read()[:300]!r}", flush=True)
    return time.perf_counter() - started, status


def run_database(name: str, url: str, args: argparse.Namespace) -> list[Figure]:
    env = {
        "PMO_DATABASE_URL": url,
        "PMO_SECRET_KEY": "bench-" + "k" * 40,
        "PMO_LOG_LEVEL": "WARNING",
        "PMO_ACCESS_TOKEN_MINUTES": "60",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    kpi_feed._reset_settings()
    prepare()
    figures = []

    def note(what: str, rows: int, seconds: float, status: int, cpu: float | None = None) -> None:
        figure = Figure(
            name,
            what,
            rows,
            round(seconds, 2),
            round(rows / seconds),
            status,
            os.getloadavg()[0],
            round(cpu, 2) if cpu is not None else None,
        )
        print(f"[{name}] {what}: {figure.rows_per_second:,} rows/s (HTTP {status})", flush=True)
        figures.append(figure)

    for log in args.logs:
        seconds, cpu, status = service_import(log, args.service_rows)
        note(f"{args.service_rows:,} {log} through the service", args.service_rows, seconds, status, cpu)
    with kpi_feed.server(aims.PRODUCT, env) as started:
        base = aims._ready(started)
        for log in args.logs:
            seconds, status = http_import(base, log, args.http_rows)
            note(f"{args.http_rows:,} {log} in one HTTP request", args.http_rows, seconds, status)
    kpi_feed._reset_settings()
    return figures


def table(figures: list[Figure]) -> str:
    lines = [
        "| database | what | rows/s | seconds | aim >= 5,000 rows/s | rows per CPU second | load (1 min) |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        met = "met" if f.status == 200 and f.rows_per_second >= AIM else f"not met (HTTP {f.status})"
        cpu = f"{round(f.rows / f.cpu_seconds):,}" if f.cpu_seconds else ""
        figures_text = f"{f.rows_per_second:,} | {f.seconds} | {met} | {cpu}"
        lines.append(f"| {f.database} | {f.what} | {figures_text} | {f.load:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--service-rows", type=int, default=40_000)
    parser.add_argument("--http-rows", type=int, default=100_000)
    parser.add_argument("--logs", nargs="+", choices=list(CSV), default=list(CSV))
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use (else a throwaway one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "backend"))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="pmo-raid-import-") as tmp:
        if args.only in (None, "sqlite"):
            figures += run_database("SQLite", f"sqlite:///{Path(tmp) / 'raid.db'}", args)
        if args.only in (None, "postgresql"):
            if args.postgres_url:
                figures += run_database("PostgreSQL", args.postgres_url, args)
            else:
                cluster = Path(tempfile.mkdtemp(prefix="pmo-raid-import-pg-"))
                script = str(ROOT / "scripts" / "postgres.sh")
                url = subprocess.run(  # noqa: S603 - our own script
                    [script, "start", str(cluster)], capture_output=True, text=True, check=True
                ).stdout.strip()
                try:
                    figures += run_database("PostgreSQL", url, args)
                finally:
                    subprocess.run([script, "stop", str(cluster)], check=False)  # noqa: S603
                    shutil.rmtree(cluster, ignore_errors=True)
    print("\n" + table(figures))
    if args.json:
        run = {"at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count()}
        args.json.write_text(json.dumps({**run, "figures": [asdict(f) for f in figures]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
