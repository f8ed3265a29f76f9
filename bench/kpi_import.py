"""The KPI import alone: CPU and wall time of importing 100,000 values, on a fresh database.

    .venv/bin/python bench/kpi_import.py                       # SQLite, in a temporary directory
    PMO_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/kpi_import.py
    .venv/bin/python bench/kpi_import.py --runs 5 --profile /tmp/import.prof

Each run imports `--kpis` definitions into a new organisation, then `--kpis` x `--periods`
monthly values (`bench/kpi_feed.py`'s files, as `bench/aims.py --aims imports` does),
measuring the values import alone: `read_file`, `import_kpis` and the commit, as
`kpi_feed.import_file` does. CPU time is this process's (`time.process_time()`), so on a
shared machine it moves far less than the wall time; on PostgreSQL the server's own CPU is
not in it. Prints each run and the medians, with the one-minute load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "backend"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=100)
    parser.add_argument("--profile", help="write a cProfile of the last run's import to this file")
    args = parser.parse_args()

    temporary = None
    if "PMO_DATABASE_URL" not in os.environ:
        temporary = tempfile.mkdtemp(prefix="pmo-kpi-import-")
        os.environ["PMO_DATABASE_URL"] = f"sqlite:///{temporary}/bench.db"
    os.environ.setdefault("PMO_SECRET_KEY", "bench-" + "k" * 40)

    from bench import kpi_feed
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.kpis.import_service import import_kpis, read_file

    organisation_ids = [kpi_feed.prepare()[0] for _ in range(args.runs)]
    definitions = kpi_feed.definitions_csv(args.kpis)
    values = kpi_feed.values_csv(args.kpis, args.periods)
    database = get_engine().dialect.name
    cpu: list[float] = []
    wall: list[float] = []
    imported = 0
    for run, organisation_id in enumerate(organisation_ids, start=1):
        kpi_feed.import_file(organisation_id, definitions)
        profiler = cProfile.Profile() if args.profile and run == args.runs else None
        load = os.getloadavg()[0]
        started_cpu, started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        with Session(get_engine()) as session:
            result = import_kpis(session, None, organisation_id, read_file(values))
            session.commit()
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        imported = result.values
        print(
            f"{database} run {run}: {imported:,} values, CPU {cpu[-1]:.2f} s "
            f"({cpu[-1] * 1000 / imported * 1000:.1f} ms per 1,000), wall {wall[-1]:.2f} s "
            f"({imported / wall[-1]:,.0f} values/s), load {load:.1f}",
            flush=True,
        )
    _check(organisation_ids[-1], imported)
    cpu_median, wall_median = statistics.median(cpu), statistics.median(wall)
    print(
        f"{database} median of {args.runs}: CPU {cpu_median:.2f} s "
        f"({cpu_median * 1_000_000 / imported:.1f} ms per 1,000 values, {imported / cpu_median:,.0f} values "
        f"per CPU second), wall {wall_median:.2f} s ({imported / wall_median:,.0f} values/s), "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if temporary:
        import shutil

        shutil.rmtree(temporary, ignore_errors=True)


def _check(organisation_id: uuid.UUID, imported: int) -> None:
    """The values are stored, published, and share one feed sequence number."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from pmo.core.db import get_engine
    from pmo.kpis.models import KpiFeedState, KpiValue

    with Session(get_engine()) as session:
        count, sequences = session.execute(
            select(func.count(), func.count(func.distinct(KpiValue.feed_sequence))).where(
                KpiValue.organisation_id == organisation_id, KpiValue.status == "published"
            )
        ).one()
        revision = session.get(KpiFeedState, organisation_id)
    if count != imported or sequences != 1:
        raise SystemExit(
            f"expected {imported} published values with one sequence number: {count}, {sequences}"
        )
    print(
        f"checked: {count:,} published values, one sequence number, revision {revision and revision.revision}"
    )


if __name__ == "__main__":
    main()
