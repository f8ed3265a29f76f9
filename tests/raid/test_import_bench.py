"""The RAID import benchmark's own code (bench/raid_import.py) on a tiny dataset, so that it
cannot rot: every log's generated file imports through the route's own function.

Nothing here is timed: the benchmark is run by hand (see the README).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from pmo.raid.models import Assumption, Dependency, Issue, Risk

BENCH = Path(__file__).resolve().parents[2] / "bench" / "raid_import.py"


@pytest.fixture(scope="module")
def bench() -> Any:
    sys.path.insert(0, str(BENCH.parents[1]))  # the bench imports its neighbours as `bench.*`
    spec = importlib.util.spec_from_file_location("raid_import_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["raid_import_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_every_log_the_bench_writes_imports_whole(bench: Any, engine: Engine) -> None:
    bench.prepare()
    models = {"risks": Risk, "issues": Issue, "assumptions": Assumption, "dependencies": Dependency}
    assert set(bench.CSV) == set(models)
    for log, model in models.items():
        seconds, cpu_seconds, status = bench.service_import(log, 30)
        assert status == 200
        assert seconds > 0
        assert cpu_seconds > 0
        with Session(engine) as session:
            count = session.execute(select(func.count()).select_from(model)).scalar_one()
        assert count == 30 + (1 if log == "risks" else 0)  # the small council has one risk
    figure = bench.Figure("SQLite", "30 risks", 30, 0.01, 3000, 200, 1.0, 0.005)
    assert "| 6,000 |" in bench.table([figure])
