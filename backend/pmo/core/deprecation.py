"""Operations being retired say so on every answer: `Deprecation` (RFC 9745: since when) and
`Sunset` (RFC 8594: when it goes), and a `Link` to what replaces it.

    @router.get("/old", deprecated=True, dependencies=[deprecated(since=..., sunset=...)])

`deprecated=True` marks the operation in the OpenAPI document; the dependency puts the
headers in the request's state, and `RequestContextMiddleware` sends them with the answer
(also when the route returns a `Response` of its own, which a `Response` parameter's headers
would not reach).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from fastapi import Depends, Request

from pmo.core.middleware import response_headers


def deprecation_headers(*, since: datetime, sunset: datetime, successor: str | None = None) -> dict[str, str]:
    headers = {
        "Deprecation": f"@{int(since.timestamp())}",  # an RFC 9651 date: seconds since 1970
        "Sunset": format_datetime(sunset, usegmt=True),  # an HTTP-date
    }
    if successor:
        headers["Link"] = f'<{successor}>; rel="successor-version"'
    return headers


def deprecated(*, since: datetime, sunset: datetime, successor: str | None = None) -> Any:
    """A route dependency: every answer of the operation carries the deprecation headers."""
    headers = deprecation_headers(since=since, sunset=sunset, successor=successor)

    def mark(request: Request) -> None:
        response_headers(request.scope).update(headers)

    return Depends(mark)
