"""What the app's PostgreSQL connections are set to: a lock waited on no longer than the busy
timeout, and each run of a statement planned for its own values (`pmo.core.db.make_engine`)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from pmo.core.config import get_settings


def test_each_run_is_planned_for_its_values(engine: Engine) -> None:
    """psycopg prepares a statement on its fifth run; a generic plan from the sixth read ranked
    search four times slower at scale. `force_custom_plan` keeps every run planned for its values."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        timeout_ms = int(get_settings().database_busy_timeout_seconds * 1000)
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() in (
            f"{timeout_ms}ms",
            f"{timeout_ms // 1000}s",
        )
