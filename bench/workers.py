"""Throughput with 1, 2 and 4 server processes on PostgreSQL (issue 16: "throughput grows with
workers; report the curve").

    .venv/bin/python bench/workers.py                     # a throwaway PostgreSQL cluster (needs wrk)
    .venv/bin/python bench/workers.py --workers 1 2 --seconds 5 --postgres-url URL

The product runs as Compose runs it (`pmo serve --workers N`: uvicorn's own worker processes
behind one port), with bench/kpi_feed.py's server settings, on a fresh PostgreSQL database
holding an organisation with an API client and 100 KPIs of 12 published monthly values. For
each number of workers, `wrk` loads, one after the other, for `--seconds` with
`--connections` connections:

1. the KPI poll answered 304 (`GET /api/v1/kpi-feed/values?limit=100` with `If-None-Match`);
2. the KPI page of 100 values (the same request, answered 200);
3. `GET /api/v1/me` (the API client's token).

The per-client limit is raised as an operator would for a trusted dashboard; the limiter
still counts every request. Every row carries the one-minute load average when it was
measured: on a shared machine the curve says as much about the neighbours as about the
product. Prints a table; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import aims, kpi_feed

ROOT = kpi_feed.ROOT
KPIS, MONTHS = 100, 12


@dataclass
class Point:
    workers: int
    request: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    load: float  # one-minute load average just after the run


def prepare() -> dict[str, str]:
    """The organisation, its API client and its KPIs; the client's authorisation header."""
    organisation_id, token = kpi_feed.prepare()
    kpi_feed.import_file(organisation_id, kpi_feed.definitions_csv(KPIS))
    kpi_feed.import_file(organisation_id, kpi_feed.values_csv(KPIS, MONTHS))
    kpi_feed.analyse()
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Target:
    path: str
    headers: dict[str, str]
    status: int


def targets(base: str, auth: dict[str, str]) -> dict[str, Target]:
    page = f"{kpi_feed.FEED_PATH}?limit={KPIS}"
    status, headers, body = kpi_feed.fetch(base + page, auth)
    if status != 200 or len(json.loads(body)["items"]) != KPIS:
        raise RuntimeError(f"the KPI page: {status} {body[:300]!r}")
    tag = {"If-None-Match": headers["etag"]}
    for path, extra, expected in ((page, tag, 304), ("/api/v1/me", {}, 200)):
        if kpi_feed.fetch(base + path, auth | extra)[0] != expected:
            raise RuntimeError(f"{path} did not answer {expected}")
    return {
        "304 poll": Target(page, auth | tag, 304),
        "KPI page": Target(page, auth, 200),
        "/me": Target("/api/v1/me", auth, 200),
    }


def curve(env: dict[str, str], auth: dict[str, str], args: argparse.Namespace) -> list[Point]:
    points = []
    at = kpi_feed.UVICORN.index("--workers") + 1
    saved = kpi_feed.UVICORN
    for workers in args.workers:
        kpi_feed.UVICORN = [*saved[:at], str(workers), *saved[at + 1 :]]
        try:
            with kpi_feed.server(aims.PRODUCT, env) as started:
                base = aims._ready(started)
                for name, target in targets(base, auth).items():
                    kpi_feed.wrk(base + target.path, target.headers, 1, args.connections)  # warm every worker
                    load = kpi_feed.wrk(base + target.path, target.headers, args.seconds, args.connections)
                    point = Point(
                        workers,
                        name,
                        round(load.requests_per_second, 1),
                        round(load.p50_ms, 1),
                        round(load.p99_ms, 1),
                        load.errors,
                        round(os.getloadavg()[0], 2),
                    )
                    print(
                        f"  {workers} worker(s), {name}: {point.requests_per_second:,.0f} req/s", flush=True
                    )
                    points.append(point)
        finally:
            kpi_feed.UVICORN = saved
    return points


def table(points: list[Point]) -> str:
    names = list(dict.fromkeys(p.request for p in points))
    workers = list(dict.fromkeys(p.workers for p in points))
    at = {(p.workers, p.request): p for p in points}
    lines = [
        "| workers | " + " | ".join(f"{n} (req/s, x of 1 worker)" for n in names) + " | load (1 min) |",
        "|---:|" + "---:|" * len(names) + "---:|",
    ]
    for w in workers:
        cells = []
        for n in names:
            point, one = at[(w, n)], at.get((workers[0], n))
            ratio = point.requests_per_second / one.requests_per_second if one else 0
            errors = f", {point.errors} errors" if point.errors else ""
            cells.append(f"{point.requests_per_second:,.0f} ({ratio:.2f}x{errors})")
        loads = [at[(w, n)].load for n in names]
        lines.append(f"| {w} | " + " | ".join(cells) + f" | {min(loads):.1f}-{max(loads):.1f} |")
    return "\n".join(lines)


def run(url: str, args: argparse.Namespace) -> list[Point]:
    env = {
        "PMO_DATABASE_URL": url,
        "PMO_SECRET_KEY": "bench-" + "k" * 40,
        "PMO_LOG_LEVEL": "WARNING",
        "PMO_ACCESS_TOKEN_MINUTES": "60",
        # As an operator would for a trusted dashboard; the limiter still counts every request.
        "PMO_CLIENT_REQUESTS_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    kpi_feed._reset_settings()
    auth = prepare()
    try:
        return curve(env, auth, args)
    finally:
        kpi_feed._reset_settings()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use (else a throwaway one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "backend"))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.postgres_url:
        points = run(args.postgres_url, args)
    else:
        cluster = Path(tempfile.mkdtemp(prefix="pmo-workers-pg-"))
        script = str(ROOT / "scripts" / "postgres.sh")
        url = subprocess.run(  # noqa: S603 - our own script
            [script, "start", str(cluster)], capture_output=True, text=True, check=True
        ).stdout.strip()
        try:
            points = run(url, args)
        finally:
            subprocess.run([script, "stop", str(cluster)], check=False)  # noqa: S603
            shutil.rmtree(cluster, ignore_errors=True)
    print(f"\nPostgreSQL, {started}, {os.cpu_count()} cores, {args.connections} connections\n")
    print(table(points))
    if args.json:
        run_info = {"at": started, "cpus": os.cpu_count(), "connections": args.connections}
        args.json.write_text(json.dumps({**run_info, "points": [asdict(p) for p in points]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
