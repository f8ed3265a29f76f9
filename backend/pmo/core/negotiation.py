"""Content negotiation: which of the media types an operation offers the client's `Accept` prefers.

RFC 9110 12.5.1: each range (`text/csv`, `text/*`, `*/*`) may carry a weight `q` from 0 to 1;
an offered type takes the weight of the most specific range that matches it, `q=0` means
"not this", and no `Accept` at all means anything. Ties go to the operation's own order.
"""

from __future__ import annotations

from collections.abc import Sequence

from pmo.core.errors import NotAcceptable


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0  # a weight that cannot be read accepts nothing
        ranges.append((media_range.lower(), weight))
    return ranges


def _weight(media_type: str, ranges: list[tuple[str, float]]) -> float:
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None  # (specificity, weight)
    for media_range, weight in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, weight)
    return best[1] if best else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type (`offered` lists them, the default first) the client prefers.

    Raises `NotAcceptable` (406) when the client accepts none of them."""
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    weights = [(_weight(media_type, ranges), -index) for index, media_type in enumerate(offered)]
    weight, index = max(weights)
    if weight <= 0:
        raise NotAcceptable(
            f"This operation answers with {', '.join(offered)}; `Accept` allows none of them."
        )
    return offered[-index]
