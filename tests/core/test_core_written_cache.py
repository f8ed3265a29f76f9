"""The cache of answers written out (`pmo.core.written_cache`), which the KPI feed's pages and
the financial summaries use: bounded by bytes, the least recently read dropped first."""

from __future__ import annotations

from dataclasses import dataclass

from pmo.core.written_cache import WrittenCache


@dataclass(frozen=True)
class Body:
    body: bytes


def test_written_answers_are_bounded_least_recently_read_first() -> None:
    kept: WrittenCache[Body] = WrittenCache()

    def put(name: str, body: bytes = b"1234") -> None:
        kept.put((name,), Body(body), max_bytes=10)

    for name in "abc":
        put(name)
    assert kept.get(("a",)) is None  # 12 bytes would exceed 10: the oldest went
    assert kept.get(("b",)) == Body(b"1234")
    assert kept.get(("c",)) is not None
    kept.get(("b",))  # read: now the newest
    put("d")
    assert kept.get(("c",)) is None
    assert kept.get(("b",)) is not None
    put("huge", b"x" * 11)  # larger than all: nothing is kept
    assert kept.get(("huge",)) is None
    assert kept.get(("d",)) is None
    kept.put(("e",), Body(b"1"), max_bytes=0)  # a setting of 0 MB
    assert kept.get(("e",)) is None


def test_clearing_keeps_nothing_and_counts_from_nought() -> None:
    kept: WrittenCache[Body] = WrittenCache()
    kept.put("a", Body(b"12345"), max_bytes=10)
    kept.clear()
    assert kept.get("a") is None
    kept.put("b", Body(b"1234567890"), max_bytes=10)  # fits: the cleared body no longer counts
    assert kept.get("b") is not None
