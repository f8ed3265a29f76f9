"""Answers already written out, kept in the process to be sent again: a least-recently-read
cache bounded by the bytes of their bodies.

Exactness is the caller's: the key must carry everything the body was made from, including a
revision read from the database on every request (the KPI feed's revision, the organisation's
audit chain head), so that a body of an older state is never looked up again and only ages
out. The KPI feed's pages (`pmo.kpis.feed_service.PAGES`) and the financial summaries
(`pmo.finance.summary_service.WRITTEN`) each keep one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar

MEGABYTE = 1024 * 1024


class Written(Protocol):
    @property
    def body(self) -> bytes: ...


W = TypeVar("W", bound=Written)


class WrittenCache(Generic[W]):
    """At most `max_bytes` of bodies (given on each `put`, so a setting's change applies at
    once; 0 keeps none), the least recently read dropped first."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Hashable, W] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # sync routes run in the thread pool

    def get(self, key: Hashable) -> W | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: Hashable, written: W, max_bytes: int) -> None:
        """Keep `written`, then drop the least recently read until `max_bytes` hold them all."""
        with self._lock:
            if key not in self._kept:
                self._kept[key] = written
                self._size += len(written.body)
            while self._size > max_bytes:
                _, oldest = self._kept.popitem(last=False)
                self._size -= len(oldest.body)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0
