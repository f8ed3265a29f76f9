"""The worker's tables: one row per scheduled job (its lease and last run), and heartbeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from pmo.core.db import UTCDateTime, timestamp_field


class ScheduledJob(SQLModel, table=True):
    """A job of the registry (`pmo.worker.jobs.JOBS`) and when it is next due.

    A worker takes a due job by setting `locked_by` and `locked_until` in one conditional
    UPDATE; `locked_until` lets another worker take it over if the first one died.
    """

    __tablename__ = "scheduled_jobs"

    name: str = Field(primary_key=True, max_length=100)
    next_run_at: datetime = Field(sa_type=UTCDateTime)
    locked_by: str | None = Field(default=None, max_length=200)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    runs: int = Field(default=0)


class WorkerHeartbeat(SQLModel, table=True):
    """Each running worker says here that it is alive; `pmo worker --check` reads it."""

    __tablename__ = "worker_heartbeats"

    worker_id: str = Field(primary_key=True, max_length=200)
    host: str = Field(max_length=200, index=True)
    pid: int
    started_at: datetime = timestamp_field()
    seen_at: datetime = timestamp_field()
