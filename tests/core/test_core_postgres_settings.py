"""What the app's PostgreSQL transactions are set to (`pmo.core.db`): a lock waited on no
longer than the busy timeout, and a read's statements each planned for their own values."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from pmo.core.config import get_settings
from pmo.core.db import read_only


def _setting(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        return str(connection.exec_driver_sql(f"SHOW {name}").scalar())


def test_reads_are_planned_for_their_values_and_writes_keep_their_plans(engine: Engine) -> None:
    """psycopg prepares a statement on its fifth run; a generic plan from the sixth read ranked
    search four times slower at scale. A read transaction plans each run for its values; a
    write keeps the generic plans that spare an import's inserts a plan each."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert _setting(read_only(engine), "plan_cache_mode") == "force_custom_plan"
    assert _setting(read_only(engine), "transaction_read_only") == "on"
    assert _setting(engine, "plan_cache_mode") == "auto"
    assert _setting(engine, "transaction_read_only") == "off"


def test_a_lock_is_waited_on_for_the_busy_timeout(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    timeout_ms = int(get_settings().database_busy_timeout_seconds * 1000)
    assert _setting(engine, "lock_timeout") in (f"{timeout_ms}ms", f"{timeout_ms // 1000}s")
