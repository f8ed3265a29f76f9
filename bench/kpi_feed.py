"""Benchmark of the KPI pull API and the bulk import, on SQLite and PostgreSQL side by side.

    .venv/bin/python bench/kpi_feed.py            # both databases (needs `wrk`: apt-get install wrk)
    .venv/bin/python bench/kpi_feed.py --only sqlite --seconds 5

For each database: a fresh database (SQLite in a temporary directory; PostgreSQL a
throwaway cluster from scripts/postgres.sh), an organisation with an API client, then

1. the import of 1,000 KPI definitions and of 100,000 values (1,000 KPIs x 100 months) through
   the import service `pmo import kpis` and the API use: values per second;
2. the product under uvicorn (1 worker) and, on the same settings, a bare Starlette app that
   answers with the same bytes from memory (bench/bare_app.py), each loaded with `wrk`:
   a 100-value page of `/api/v1/kpi-feed/values`, and its 304 revalidation (`If-None-Match`);
3. the request path alone, each beside the bare app serving the same bytes: `GET /healthz`
   (no token) and `GET /api/v1/me` (the API client's token);
4. the data grown tenfold (9,000 more KPIs, 1,000,000 values, bulk inserts), and the same page
   and a page half way through the million measured again (`--growth 1` skips this).

The machine's load average (`os.getloadavg()`) is noted before and after each database's runs:
the machine may be shared, so compare ratios from the same run.

Prints a table; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
FEED_PATH = "/api/v1/kpi-feed/values"
# The same server settings for the product and the bare app.
UVICORN = ["-m", "uvicorn", "--workers", "1", "--loop", "asyncio", "--http", "h11", "--no-access-log"]
UVICORN += ["--log-level", "warning", "--host", "127.0.0.1"]
MONTHS_FROM = 2010  # values are monthly, from April 2010


# Data -----------------------------------------------------------------------------------------


def definitions_csv(kpis: int, first: int = 0) -> bytes:
    rows = [f"K-{n:05d},KPI {n},number,higher_is_better,monthly\n" for n in range(first, first + kpis)]
    return ("code,name,unit,polarity,frequency\n" + "".join(rows)).encode()


def month_code(index: int) -> str:
    month = 3 + index  # April 2010 is index 0
    return f"{MONTHS_FROM + month // 12}-{month % 12 + 1:02d}"


def values_csv(kpis: int, periods: int, first: int = 0) -> bytes:
    rows = [
        f"K-{n:05d},{month_code(m)},{(n * 7 + m * 3) % 1000},\n"
        for n in range(first, first + kpis)
        for m in range(periods)
    ]
    return ("kpi_code,period_code,actual,commentary\n" + "".join(rows)).encode()


def prepare() -> tuple[uuid.UUID, str]:
    """Migrate, and make an organisation and an API client; returns its id and a token."""
    from sqlmodel import Session

    from pmo.auth.models import ApiClient
    from pmo.core.config import get_settings
    from pmo.core.db import get_engine
    from pmo.core.security import create_access_token, digest
    from pmo.migrations import upgrade
    from pmo.organisations import service as org_service

    engine = get_engine()
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        organisation = org_service.create_organisation(session, f"Bench Council {uuid.uuid4().hex[:6]}")
        client = ApiClient(
            organisation_id=organisation.id,
            name="Bench",
            client_id="pmo_bench_" + uuid.uuid4().hex[:8],
            secret_hash=digest(uuid.uuid4().hex),
            scopes=["kpis:read"],
        )
        session.add(client)
        session.commit()
    token, _ = create_access_token(
        get_settings(),
        subject=client.id,
        subject_type="client",
        organisation_id=organisation.id,
        roles=[],
        scopes=["kpis:read"],
    )
    return organisation.id, token


def import_file(organisation_id: uuid.UUID, content: bytes) -> tuple[int, float]:
    """Import through the service the command and the API use; (rows, seconds)."""
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.kpis.import_service import import_kpis, read_file

    started = time.perf_counter()
    with Session(get_engine()) as session:
        result = import_kpis(session, None, organisation_id, read_file(content))
        session.commit()
    return result.definitions + result.targets + result.values, time.perf_counter() - started


def grow(organisation_id: uuid.UUID, kpis: int, periods: int, first: int, chunk: int = 20_000) -> float:
    """Add `kpis` published KPIs with `periods` values each by bulk inserts; seconds taken."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.core.periods import parse_period_code
    from pmo.kpis.feed_state import mark_changed
    from pmo.kpis.models import Kpi, KpiValue

    started = time.perf_counter()
    now = datetime.now(UTC)
    periods_of = [parse_period_code(month_code(m), "monthly") for m in range(periods)]
    kpi_rows = [
        {
            "id": uuid.uuid4(),
            "organisation_id": organisation_id,
            "code": f"K-{n:05d}",
            "name": f"KPI {n}",
            "description": "",
            "unit": "number",
            "polarity": "higher_is_better",
            "frequency": "monthly",
            "decimal_places": 0,
            "data_source": "",
            "status": "active",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n in range(first, first + kpis)
    ]
    with Session(get_engine()) as session:
        session.execute(insert(Kpi.__table__), kpi_rows)  # type: ignore[attr-defined]
        batch: list[dict[str, Any]] = []
        for kpi in kpi_rows:
            for m, period in enumerate(periods_of):
                batch.append(
                    {
                        "id": uuid.uuid4(),
                        "organisation_id": organisation_id,
                        "kpi_id": kpi["id"],
                        "period_code": period.code,
                        "period_start": period.start,
                        "period_end": period.end,
                        "actual": Decimal(m),
                        "commentary": "",
                        "status": "published",
                        "published_at": now,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                if len(batch) >= chunk:
                    session.execute(insert(KpiValue.__table__), batch)  # type: ignore[attr-defined]
                    batch = []
        if batch:
            session.execute(insert(KpiValue.__table__), batch)  # type: ignore[attr-defined]
        mark_changed(session, organisation_id)
        session.commit()
    analyse()
    return time.perf_counter() - started


def analyse() -> None:
    """The database as a running server's is once a bulk load has settled, before anything is
    measured: fresh planner statistics (as `pmo migrate` leaves them); on PostgreSQL the tables
    vacuumed, as autovacuum does a minute after a load (which, left to it, ran in the middle of
    the measurements on this 2-core machine, and left index-only scans unused until it had); on
    SQLite the write-ahead log merged into the database, as its automatic checkpoint does (which,
    left to it, made the first requests after the seed merge a 170 MB log)."""
    from sqlalchemy import text

    from pmo.core.db import get_engine

    engine = get_engine()
    postgresql = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if postgresql else "ANALYZE"))
    if not postgresql:
        # Outside any transaction (the engine's connections begin one for every statement).
        raw = engine.raw_connection()
        try:
            busy, _, _ = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        if busy:
            raise RuntimeError("the write-ahead log could not be merged: a reader held it")


# Servers and load -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(target: list[str], env: dict[str, str]) -> Iterator[str]:
    """A uvicorn process on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [PYTHON, *UVICORN, "--port", str(port), *target],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Up to two minutes: on a busy machine importing the app alone takes tens of seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited: {process.stderr.read().decode() if process.stderr else ''}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors, timeouts, and responses other than the expected status


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str) -> Load:
    """Requests per second and the latency percentiles from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)[1])  # type: ignore[index]
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found[1])
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in found.groups())
    return Load(rps, p50, p99, requests, errors)


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> Load:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *header_args, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return parse_wrk(output)


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


# One database ---------------------------------------------------------------------------------


@dataclass
class Figures:
    database: str
    import_values: int
    import_seconds: float
    grow_seconds: float
    page: Load
    page_bare: Load
    not_modified: Load
    not_modified_bare: Load
    page_grown: Load | None
    page_grown_bare: Load | None
    deep_page_grown: Load | None
    # The request path alone, beside the bare app serving the same bytes.
    me: Load | None = None
    me_bare: Load | None = None
    healthz: Load | None = None
    healthz_bare: Load | None = None
    # os.getloadavg() (1, 5, 15 minutes) before and after this database's load runs.
    load_before: tuple[float, float, float] | None = None
    load_after: tuple[float, float, float] | None = None


def side_by_side(
    base: str,
    env: dict[str, str],
    path: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    work: Path,
) -> tuple[Load, Load]:
    """(product, bare app) for one request answered 200, the bare app serving the product's bytes."""
    status, answer, body = fetch(base + path, headers)
    if status != 200:
        raise RuntimeError(f"{path}: {status} {body[:300]!r}")
    kept = {k: v for k, v in answer.items() if k.lower() in ("etag", "cache-control", "vary")}
    saved = work / f"response-{uuid.uuid4().hex[:6]}.json"
    saved.write_text(
        json.dumps({"body": body.decode(), "headers": kept, "media_type": answer["content-type"]})
    )
    product = wrk(base + path, headers, seconds, connections)
    with server(["bench.bare_app:app"], env | {"BENCH_RESPONSE": str(saved)}) as bare:
        if fetch(bare + path, headers)[2] != body:
            raise RuntimeError("the bare app does not give the same bytes")
        return product, wrk(bare + path, headers, seconds, connections)


def measure_pair(
    base: str,
    env: dict[str, str],
    path: str,
    auth: dict[str, str],
    seconds: int,
    connections: int,
    work: Path,
) -> tuple[Load, Load, Load, Load]:
    """(page, bare page, 304, bare 304) for one URL."""
    status, headers, body = fetch(base + path, auth)
    if status != 200:
        raise RuntimeError(f"{path}: {status} {body[:300]!r}")
    kept = {
        k: v
        for k, v in headers.items()
        if k.lower() in ("etag", "last-modified", "link", "cache-control", "vary")
    }
    saved = work / f"response-{uuid.uuid4().hex[:6]}.json"
    saved.write_text(
        json.dumps({"body": body.decode(), "headers": kept, "media_type": headers["content-type"]})
    )
    tag = {"If-None-Match": headers["etag"]}
    if fetch(base + path, auth | tag)[0] != 304:
        raise RuntimeError("the revalidation did not give 304")
    page = wrk(base + path, auth, seconds, connections)
    not_modified = wrk(base + path, auth | tag, seconds, connections)
    with server(["bench.bare_app:app"], env | {"BENCH_RESPONSE": str(saved)}) as bare:
        if fetch(bare + path, auth)[2] != body:
            raise RuntimeError("the bare app does not give the same bytes")
        page_bare = wrk(bare + path, auth, seconds, connections)
        not_modified_bare = wrk(bare + path, auth | tag, seconds, connections)
    return page, page_bare, not_modified, not_modified_bare


def run_database(name: str, url: str, args: argparse.Namespace, work: Path) -> Figures:
    env = {
        "PMO_DATABASE_URL": url,
        "PMO_SECRET_KEY": "bench-" + "k" * 40,
        "PMO_LOG_LEVEL": "WARNING",
        "PMO_ACCESS_TOKEN_MINUTES": "60",
        # High enough never to refuse: the limiter still counts (a database write per 1,000 requests).
        "PMO_CLIENT_REQUESTS_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    _reset_settings()
    organisation_id, token = prepare()
    auth = {"Authorization": f"Bearer {token}"}
    print(f"[{name}] importing {args.kpis} definitions and {args.kpis * args.periods} values", flush=True)
    import_file(organisation_id, definitions_csv(args.kpis))
    imported, import_seconds = import_file(organisation_id, values_csv(args.kpis, args.periods))
    analyse()
    page_path = f"{FEED_PATH}?limit=100"
    load_before = os.getloadavg()
    with server(["--factory", "pmo.main:create_app"], env) as base:
        print(f"[{name}] measuring at {imported} values", flush=True)
        page, page_bare, not_modified, not_modified_bare = measure_pair(
            base, env, page_path, auth, args.seconds, args.connections, work
        )
        print(f"[{name}] measuring /healthz and /api/v1/me", flush=True)
        healthz, healthz_bare = side_by_side(base, env, "/healthz", {}, args.seconds, args.connections, work)
        me, me_bare = side_by_side(base, env, "/api/v1/me", auth, args.seconds, args.connections, work)
        grow_seconds, page_grown, page_grown_bare, deep_page_grown = 0.0, None, None, None
        if args.growth > 1:
            extra = args.kpis * (args.growth - 1)
            print(f"[{name}] growing to {args.kpis * args.growth * args.periods} values", flush=True)
            grow_seconds = grow(organisation_id, extra, args.periods, first=args.kpis)
            page_grown, page_grown_bare, _, _ = measure_pair(
                base, env, page_path, auth, args.seconds, args.connections, work
            )
            deep = deep_page_path(base, auth, (args.kpis * args.growth * args.periods) // 2)
            deep_page_grown = wrk(base + deep, auth, args.seconds, args.connections)
    return Figures(
        name,
        imported,
        import_seconds,
        grow_seconds,
        page,
        page_bare,
        not_modified,
        not_modified_bare,
        page_grown,
        page_grown_bare,
        deep_page_grown,
        me=me,
        me_bare=me_bare,
        healthz=healthz,
        healthz_bare=healthz_bare,
        load_before=load_before,
        load_after=os.getloadavg(),
    )


def deep_page_path(base: str, auth: dict[str, str], position: int) -> str:
    """A page starting about `position` values into the feed (the cursor of a row there)."""
    from sqlalchemy import select
    from sqlmodel import Session, col

    from pmo.core.db import get_engine
    from pmo.kpis.feed_service import Cursor
    from pmo.kpis.models import KpiValue

    with Session(get_engine()) as session:
        updated_at, ident = session.execute(
            select(col(KpiValue.updated_at), col(KpiValue.id))
            .order_by(col(KpiValue.updated_at), col(KpiValue.id))
            .offset(position)
            .limit(1)
        ).one()
    path = f"{FEED_PATH}?limit=100&cursor={Cursor(updated_at, ident).encode()}"
    status, _, body = fetch(base + path, auth)
    if status != 200 or len(json.loads(body)["items"]) != 100:
        raise RuntimeError(f"deep page: {status}")
    return path


def _reset_settings() -> None:
    from pmo.core.config import get_settings
    from pmo.core.db import get_engine

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


# Report -----------------------------------------------------------------------------------------


def table(results: list[Figures]) -> str:
    def row(label: str, load: Load | None, bare: Load | None) -> str:
        if load is None:
            return ""
        ratio = f"{load.requests_per_second / bare.requests_per_second:.2f}" if bare else ""
        bare_rps = f"{bare.requests_per_second:,.0f}" if bare else ""
        return (
            f"| {label} | {load.requests_per_second:,.0f} | {load.p50_ms:.2f} | {load.p99_ms:.2f} "
            f"| {bare_rps} | {ratio} |" + (f" {load.errors} errors |" if load.errors else "")
        )

    def load_average(figures: Figures) -> str:
        if figures.load_before is None or figures.load_after is None:
            return ""
        before, after = (
            " / ".join(f"{n:.1f}" for n in avg) for avg in (figures.load_before, figures.load_after)
        )
        return f"; load average (1/5/15 min) {before} before, {after} after"

    lines = []
    for f in results:
        grown = (
            f"page p50 at 10x data: {f.page_grown.p50_ms / f.page.p50_ms:.2f} x the p50 at 1x"
            if f.page_grown
            else "data not grown"
        )
        rows = [
            row(f"100-value page, {f.import_values:,} values", f.page, f.page_bare),
            row("304 revalidation of that page", f.not_modified, f.not_modified_bare),
            row("GET /api/v1/me (API client)", f.me, f.me_bare),
            row("GET /healthz", f.healthz, f.healthz_bare),
            row("same page, 10x the values", f.page_grown, f.page_grown_bare),
            row("page half way through 10x the values", f.deep_page_grown, f.page_grown_bare),
        ]
        lines += [
            f"**{f.database}**: import {f.import_values:,} values in {f.import_seconds:.1f} s "
            f"= **{f.import_values / f.import_seconds:,.0f} values/s**; {grown}{load_average(f)}",
            "",
            "| request | req/s | p50 ms | p99 ms | bare app req/s | ratio to bare |",
            "|---|---:|---:|---:|---:|---:|",
            *(r for r in rows if r),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="One database only.")
    parser.add_argument("--seconds", type=int, default=10, help="Length of each load run.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections of wrk.")
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=100)
    parser.add_argument("--growth", type=int, default=10, help="How many times the data grows (1: not).")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "backend"))
    results = []
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "sqlite"):
            results.append(run_database("SQLite", f"sqlite:///{work / 'bench.db'}", args, work))
        if args.only in (None, "postgresql"):
            # Its own directory under /tmp: the cluster runs as `postgres` when we are root.
            cluster = Path(tempfile.mkdtemp(prefix="pmo-bench-pg-"))
            url = subprocess.run(  # noqa: S603 - our own script
                [str(ROOT / "scripts" / "postgres.sh"), "start", str(cluster)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            try:
                results.append(run_database("PostgreSQL", url, args, work))
            finally:
                _reset_settings()
                stop = [str(ROOT / "scripts" / "postgres.sh"), "stop", str(cluster)]
                subprocess.run(stop, check=False)  # noqa: S603
                shutil.rmtree(cluster, ignore_errors=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f"wrk -t1 -c{args.connections} -d{args.seconds}s"
    print(f"\nKPI feed benchmark, {when}, {os.cpu_count()} cores, {load}\n")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
