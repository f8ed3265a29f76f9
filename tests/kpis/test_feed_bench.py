"""The benchmark's own code (bench/kpi_feed.py) on a tiny dataset, so that it cannot rot.

Nothing here is timed: the benchmark is run by hand (see the README).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from pmo.kpis.models import Kpi, KpiValue

BENCH = Path(__file__).resolve().parents[2] / "bench" / "kpi_feed.py"

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:4000/api/v1/kpi-feed/values?limit=100
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.10ms    1.20ms  20.00ms   90.00%
    Req/Sec     1.57k   100.00     1.70k    80.00%
  Latency Distribution
     50%  850.00us
     75%    5.50ms
     90%    6.00ms
     99%    1.20s
  3130 requests in 2.00s, 1.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1565.12
Transfer/sec:    500.00KB
"""


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kpi_feed_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kpi_feed_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_seeding_importing_and_growing_then_the_feed_serves_it(bench, client, engine):
    organisation_id, token = bench.prepare()
    assert bench.import_file(organisation_id, bench.definitions_csv(3))[0] == 3
    imported, seconds = bench.import_file(organisation_id, bench.values_csv(3, 4))
    assert imported == 12
    assert seconds > 0
    bench.grow(organisation_id, 2, 4, first=3, chunk=5)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Kpi)).scalar_one() == 5
        assert session.execute(select(func.count()).select_from(KpiValue)).scalar_one() == 20

    response = client.get(bench.FEED_PATH, params={"limit": 10}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    page = response.json()
    assert len(page["items"]) == 10
    rest = client.get(page["next"], headers={"Authorization": f"Bearer {token}"}).json()["items"]
    codes = {item["period_code"] for item in page["items"] + rest}
    assert codes == {"2010-04", "2010-05", "2010-06", "2010-07"}
    assert bench.month_code(9) == "2011-01"


def test_the_database_is_settled_before_anything_is_measured(bench, engine):
    """Statistics fresh and, on SQLite, the write-ahead log merged (PostgreSQL: vacuumed)."""
    bench.prepare()
    bench.analyse()
    if engine.dialect.name == "sqlite":
        log = Path(engine.url.database + "-wal")
        assert not log.exists() or log.stat().st_size == 0


def test_wrk_output_is_read_in_milliseconds(bench):
    load = bench.parse_wrk(WRK_OUTPUT)
    assert (load.requests_per_second, load.p50_ms, load.p99_ms) == (1565.12, 0.85, 1200.0)
    assert (load.requests, load.errors) == (3130, 3)


def test_the_table_gives_ratios_to_the_bare_app(bench):
    load = bench.parse_wrk(WRK_OUTPUT)
    half = bench.Load(load.requests_per_second / 2, 1.7, 2400.0, 1000, 0)
    figures = bench.Figures("SQLite", 100_000, 10.0, 1.0, half, load, half, load, half, load, half)
    table = bench.table([figures])
    assert "10,000 values/s" in table
    assert "| 0.50 |" in table
    assert "1.00 x the p50" in table
