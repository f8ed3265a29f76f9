"""Every aim of issue 16 in one table, on SQLite and PostgreSQL, with the machine's load.

    .venv/bin/python bench/aims.py --quick          # a few minutes (needs `wrk`)
    .venv/bin/python bench/aims.py --only sqlite --json bench/results/aims.json
    .venv/bin/python bench/aims.py --aims scale     # only the p95s at scale (about 3 minutes a database)

For each database: a fresh database with the scale council (`pmo demo --scale large`,
pmo.scale_demo: 2,000 projects, 40,000 risks, 1,000 KPIs x 120 months, 20,000 draw-downs),
then, against the product under uvicorn:

1. p95 of the dashboards at that scale (sequential requests, as an officer opens them; each
   request's series stops at `--requests` or after `--budget` seconds, whichever comes first,
   so that one slow answer cannot hold the run for long); then the financial summaries again
   with none kept written out (`PMO_SUMMARY_CACHE_MB=0`), as the first read after any change
   in the organisation;
2. the per-request rows, side by side with the bare app (bench/bare_app.py) serving the same
   bytes, by bench/kpi_feed.py's own measurement (`measure_pair`): the KPI page of 100 values
   and its 304, `GET /api/v1/me` and `GET /healthz`;
3. the KPI import (values/s, bench/kpi_feed.py's files through the import service) and the
   RAID import (rows/s through `POST /api/v1/raid-imports/risks`, at its row limit);
   the KPI page again with no pages kept written out (each request reads its values), and its
   p50 after the data grows tenfold;
4. on PostgreSQL, throughput of a dashboard and the KPI page with 1, 2 and 4 workers.

Reuses bench/kpi_feed.py's helpers (servers, wrk, the bare app pair, files, settings).
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
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import kpi_feed

ROOT = kpi_feed.ROOT
P95_AIM_MS = 100.0
# What `--aims` can pick: the p95s at scale (and the seed), the RAID import, the per-request
# ratios against the bare app (and the KPI import), the PostgreSQL workers curve.
GROUPS = ("scale", "imports", "requests", "workers")
PRODUCT = ["--factory", "pmo.main:create_app"]


@dataclass
class Row:
    database: str
    aim: str
    product: float
    unit: str
    bare: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    load: float = 0.0  # one-minute load average when measured
    note: str = ""


@dataclass
class Run:
    when: str
    cores: int | None
    quick: bool
    rows: list[Row] = field(default_factory=list)


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _ready(base: str, seconds: float = 180) -> str:
    """Wait until the server answers (a loaded machine starts it slowly); returns `base`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if kpi_feed.fetch(base + "/healthz", {})[0] == 200:
                return base
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{base} did not answer in {seconds} s")


def _sign_in(base: str, email: str) -> dict[str, str]:
    data = urllib.parse.urlencode(
        {"grant_type": "password", "username": email, "password": "demo-password"}
    ).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=data)  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - our own server
        return {"Authorization": f"Bearer {json.loads(response.read())['access_token']}"}


def _p95(base: str, path: str, auth: dict[str, str], requests: int, budget: float) -> tuple[float, int, int]:
    """p95 in ms of sequential requests (at most `requests`, for at most `budget` seconds), the
    response's size and how many requests were made."""
    timings: list[float] = []
    size = 0
    deadline = time.monotonic() + budget
    while len(timings) < requests and (not timings or time.monotonic() < deadline):
        started = time.perf_counter()
        status, _, body = kpi_feed.fetch(base + path, auth)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")
        size = len(body)
    timings.sort()
    return timings[max(0, round(len(timings) * 0.95) - 1)], size, len(timings)


def _seed(factor: float) -> float:
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.migrations import upgrade
    from pmo.scale_demo import ScaleSize, load_scale

    upgrade(get_engine())
    started = time.perf_counter()
    with Session(get_engine(), expire_on_commit=False) as session:
        load_scale(session, ScaleSize.large(factor))
        session.commit()
    seconds = time.perf_counter() - started
    kpi_feed.analyse()
    return seconds


def _dashboards(base: str) -> dict[str, tuple[str, dict[str, str]]]:
    pmo, pm = _sign_in(base, "pmo@scale.test"), _sign_in(base, "pm@scale.test")
    sponsor = _sign_in(base, "sponsor@scale.test")
    _, _, body = kpi_feed.fetch(base + "/api/v1/programmes?limit=1", pmo)
    programme = json.loads(body)["items"][0]["id"]
    _, _, body = kpi_feed.fetch(base + "/api/v1/portfolios", pmo)
    portfolio = json.loads(body)["items"][0]["id"]
    summary = f"/api/v1/portfolios/{portfolio}/financial-summary"
    return {
        "portfolio overview (the web app's portfolio page)": ("/api/v1/portfolio/overview", pmo),
        "programme dashboard": (f"/api/v1/programmes/{programme}/dashboard", pmo),
        "RAID heat map": ("/api/v1/risks/heat-map?basis=residual", pmo),
        "financial summary (portfolio, `lines=none`: the web app's)": (f"{summary}?lines=none", pmo),
        "financial summary: a page of its draw-downs": (f"{summary}/drawdowns?limit=50", pmo),
        "financial summary (portfolio, every line as in 1.0.0)": (summary, pmo),
        "my work, PMO officer": ("/api/v1/me/work", pmo),
        "my work, project manager": ("/api/v1/me/work", pm),
        "my work, sponsor": ("/api/v1/me/work", sponsor),
        "search": ("/api/v1/search?q=supplier%20delay&limit=20", pmo),
        "risk register, filtered": ("/api/v1/risks?status=open&limit=50", pmo),
    }


def _raid_import(base: str, rows: int) -> tuple[float, int]:
    auth = _sign_in(base, "pmo@scale.test")
    header = "project,title,category,nature,inherent_likelihood,inherent_impact,"
    header += "residual_likelihood,residual_impact\n"
    body = header + "".join(
        f"P-{n % 2000 + 1:04d},Imported risk {n},operational,threat,3,4,2,3\n" for n in range(rows)
    )
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/api/v1/raid-imports/risks",
        data=body.encode(),
        headers={**auth, "Content-Type": "text/csv"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        print(f"  RAID import: {status} {exc.read()[:300]!r}", flush=True)
    return rows / (time.perf_counter() - started), status


def _pair_row(
    run: Run, database: str, aim: str, target: float, loads: tuple[kpi_feed.Load, kpi_feed.Load]
) -> None:
    product, bare = loads
    ratio = product.requests_per_second / bare.requests_per_second
    run.rows.append(
        Row(
            database,
            aim,
            round(product.requests_per_second),
            "req/s",
            round(bare.requests_per_second),
            round(ratio, 3),
            f">= {target}x",
            ratio >= target,
            _load(),
        )
    )


def _workers_curve(
    run: Run,
    database: str,
    env: dict[str, str],
    paths: dict[str, tuple[str, dict[str, str]]],
    seconds: int,
    connections: int,
) -> None:
    """Throughput of each path with 1, 2 and 4 server processes (the same settings otherwise)."""
    at = kpi_feed.UVICORN.index("--workers") + 1
    saved = kpi_feed.UVICORN
    for workers in (1, 2, 4):
        kpi_feed.UVICORN = [*saved[:at], str(workers), *saved[at + 1 :]]
        try:
            with kpi_feed.server(PRODUCT, env) as started:
                base = _ready(started)
                for name, (path, auth) in paths.items():
                    load = kpi_feed.wrk(base + path, auth, seconds, connections)
                    run.rows.append(
                        Row(
                            database,
                            f"{name}, {workers} worker(s)",
                            round(load.requests_per_second),
                            "req/s",
                            load=_load(),
                            note=f"p50 {load.p50_ms:.0f} ms, p99 {load.p99_ms:.0f} ms, {load.errors} errors",
                        )
                    )
        finally:
            kpi_feed.UVICORN = saved


def run_database(run: Run, name: str, url: str, args: argparse.Namespace, work: Path) -> None:
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
    print(f"[{name}] seeding the scale council", flush=True)
    seed_seconds = _seed(1.0)
    run.rows.append(
        Row(
            name,
            "seed `pmo demo --scale large`",
            round(seed_seconds, 1),
            "s",
            target="< 60 s",
            met=seed_seconds < 60,
            load=_load(),
        )
    )
    if args.groups & {"scale", "imports"}:
        with kpi_feed.server(PRODUCT, env) as started:
            base = _ready(started)
            if "scale" in args.groups:
                _scale_rows(run, name, base, args)
            if "imports" in args.groups:
                _raid_import_row(run, name, base, args.raid_rows)
    if "scale" in args.groups:
        _summaries_worked_out(run, name, env, args)
    page = f"{kpi_feed.FEED_PATH}?limit=100"
    auth: dict[str, str] = {}
    if args.groups & {"imports", "requests", "workers"}:
        # The KPI import, then the feed it fills, on an organisation of their own (kpi_feed's).
        organisation_id, token = kpi_feed.prepare()
        auth = {"Authorization": f"Bearer {token}"}
        kpi_feed.import_file(organisation_id, kpi_feed.definitions_csv(args.kpis))
        imported, seconds = kpi_feed.import_file(organisation_id, kpi_feed.values_csv(args.kpis, 100))
        rate = imported / seconds
        run.rows.append(
            Row(
                name,
                f"KPI import, {imported:,} values",
                round(rate),
                "values/s",
                target=">= 20,000 values/s",
                met=rate >= 20_000,
                load=_load(),
            )
        )
        kpi_feed.analyse()
    if "requests" in args.groups:
        with kpi_feed.server(PRODUCT, env) as started:
            base = _ready(started)
            print(f"[{name}] per-request rows against the bare app", flush=True)
            full, full_bare, not_modified, not_modified_bare = kpi_feed.measure_pair(
                base, env, page, auth, args.seconds, args.connections, work
            )
            _pair_row(run, name, "KPI poll answered 304", 0.5, (not_modified, not_modified_bare))
            _pair_row(run, name, "KPI page, 100 values", 0.2, (full, full_bare))
            me_auth = _sign_in(base, "pmo@scale.test")
            me, me_bare, _, _ = kpi_feed.measure_pair(
                base, env, "/api/v1/me", me_auth, args.seconds, args.connections, work
            )
            _pair_row(run, name, "GET /api/v1/me", 0.3, (me, me_bare))
            healthz = kpi_feed.side_by_side(base, env, "/healthz", {}, args.seconds, args.connections, work)
            _pair_row(run, name, "GET /healthz", 0.7, healthz)
        _uncached_page_rows(run, name, env, page, auth, full_bare, organisation_id, args)
    if name == "PostgreSQL" and "workers" in args.groups:
        print(f"[{name}] workers", flush=True)
        dash = _dashboards_for_curve(env)
        _workers_curve(
            run,
            name,
            env,
            {"programme dashboard": dash, "KPI page": (page, auth)},
            args.seconds,
            args.connections,
        )


def _uncached_page_rows(
    run: Run,
    name: str,
    env: dict[str, str],
    page: str,
    auth: dict[str, str],
    bare: kpi_feed.Load,
    organisation_id: uuid.UUID,
    args: argparse.Namespace,
) -> None:
    """The page again with no written-out pages kept (`PMO_FEED_PAGE_CACHE_MB=0`): every request
    reads and writes out its 100 values, as the first read after a change does. Then its p50
    after growing the data tenfold (bulk inserts, as bench/kpi_feed.py does): the latency aim."""
    uncached = env | {"PMO_FEED_PAGE_CACHE_MB": "0"}
    with kpi_feed.server(PRODUCT, uncached) as started:
        base = _ready(started)
        print(f"[{name}] KPI page, none kept written out", flush=True)
        before = kpi_feed.wrk(base + page, auth, args.seconds, args.connections)
        _pair_row(
            run,
            name,
            "KPI page, 100 values, every one read and written out (cache 0 MB)",
            0.2,
            (before, bare),
        )
        if args.growth > 1:
            values = args.kpis * 100
            print(f"[{name}] growing to {values * args.growth:,} values", flush=True)
            kpi_feed.grow(organisation_id, args.kpis * (args.growth - 1), 100, first=args.kpis)
            kpi_feed.analyse()
            after = kpi_feed.wrk(base + page, auth, args.seconds, args.connections)
            ratio = after.p50_ms / before.p50_ms
            run.rows.append(
                Row(
                    name,
                    f"KPI page p50 at {args.growth}x the data ({values:,} to {values * args.growth:,})",
                    round(after.p50_ms, 1),
                    "ms",
                    round(before.p50_ms, 1),
                    round(ratio, 2),
                    "<= 1.25x",
                    ratio <= 1.25,
                    _load(),
                    note="bare app column: p50 at 1x",
                )
            )


def _scale_rows(run: Run, name: str, base: str, args: argparse.Namespace) -> None:
    print(f"[{name}] dashboards at scale", flush=True)
    _p95_rows(run, name, base, _dashboards(base), args)


def _summaries_worked_out(run: Run, name: str, env: dict[str, str], args: argparse.Namespace) -> None:
    """The financial summaries with none kept written out (`PMO_SUMMARY_CACHE_MB=0`): every
    read works the summary out, as the first read after any change in the organisation does."""
    with kpi_feed.server(PRODUCT, env | {"PMO_SUMMARY_CACHE_MB": "0"}) as started:
        base = _ready(started)
        print(f"[{name}] financial summaries, none kept written out", flush=True)
        summaries = {
            f"{aim}, every read worked out (cache 0 MB)": request
            for aim, request in _dashboards(base).items()
            if aim.startswith("financial summary (")
        }
        _p95_rows(run, name, base, summaries, args)


def _p95_rows(
    run: Run,
    name: str,
    base: str,
    requests: dict[str, tuple[str, dict[str, str]]],
    args: argparse.Namespace,
) -> None:
    for aim, (path, auth) in requests.items():
        kpi_feed.fetch(base + path, auth)  # warm
        p95, size, made = _p95(base, path, auth, args.requests, args.budget)
        run.rows.append(
            Row(
                name,
                f"{aim}: p95",
                round(p95, 1),
                "ms",
                target=f"< {P95_AIM_MS:.0f} ms",
                met=p95 < P95_AIM_MS,
                load=_load(),
                note=f"{size:,} bytes, {made} requests",
            )
        )
        print(f"  {aim}: p95 {p95:.1f} ms ({made} requests, load {_load():.1f})", flush=True)


def _raid_import_row(run: Run, name: str, base: str, rows: int) -> None:
    print(f"[{name}] RAID import", flush=True)
    rate, status = _raid_import(base, rows)
    run.rows.append(
        Row(
            name,
            f"RAID import, {rows:,} rows in one request",
            round(rate),
            "rows/s",
            target=">= 5,000 rows/s",
            met=status == 200 and rate >= 5000,
            load=_load(),
            note=f"HTTP {status}",
        )
    )


def _dashboards_for_curve(env: dict[str, str]) -> tuple[str, dict[str, str]]:
    with kpi_feed.server(PRODUCT, env) as started:
        base = _ready(started)
        path, auth = _dashboards(base)["programme dashboard"]
    return path, auth


def table(run: Run) -> str:
    lines = [
        f"Issue 16 aims, {run.when}, {run.cores} cores{' (--quick)' if run.quick else ''}",
        "",
        "| database | what | product | bare app | ratio | aim | met | load (1 min) | note |",
        "|---|---|---:|---:|---:|---|---|---:|---|",
    ]
    for r in run.rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        bare = f"{r.bare:,.0f} {r.unit}" if r.bare is not None else ""
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        lines.append(
            f"| {r.database} | {r.aim} | {r.product:,} {r.unit} | {bare} | {ratio} | {r.target} | {met} "
            f"| {r.load:.1f} | {r.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="Short load runs and fewer requests.")
    parser.add_argument("--json", type=Path, help="Also write the rows here.")
    parser.add_argument(
        "--aims",
        default=",".join(GROUPS),
        help=f"Which aims, comma-separated (default all): {', '.join(GROUPS)}.",
    )
    parser.add_argument("--requests", type=int, help="Requests per p95 (40; 10 with --quick).")
    parser.add_argument("--budget", type=float, default=20.0, help="Seconds at most per p95 series.")
    args = parser.parse_args(argv)
    args.seconds, args.connections = (3, 4) if args.quick else (10, 8)
    args.requests = args.requests or (10 if args.quick else 40)
    args.groups = {g.strip() for g in args.aims.split(",") if g.strip()}
    if unknown := args.groups - set(GROUPS):
        parser.error(f"unknown aims: {', '.join(sorted(unknown))} (choose from {', '.join(GROUPS)})")
    args.kpis = 200 if args.quick else 1000
    args.growth = 10
    args.raid_rows = 100_000
    if args.groups & {"requests", "workers"} and shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "backend"))
    run = Run(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), os.cpu_count(), args.quick)
    with tempfile.TemporaryDirectory(prefix="pmo-aims-") as tmp:
        work = Path(tmp)
        if args.only in (None, "sqlite"):
            run_database(run, "SQLite", f"sqlite:///{work / 'aims.db'}", args, work)
        if args.only in (None, "postgresql"):
            cluster = Path(tempfile.mkdtemp(prefix="pmo-aims-pg-"))
            script = str(ROOT / "scripts" / "postgres.sh")
            url = subprocess.run(  # noqa: S603 - our own script
                [script, "start", str(cluster)], capture_output=True, text=True, check=True
            ).stdout.strip()
            try:
                run_database(run, "PostgreSQL", url, args, work)
            finally:
                kpi_feed._reset_settings()
                subprocess.run([script, "stop", str(cluster)], check=False)  # noqa: S603
                shutil.rmtree(cluster, ignore_errors=True)
    print("\n" + table(run))
    if args.json:
        args.json.write_text(json.dumps(asdict(run), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
