"""The class of every domain's router (`pmo.main.DOMAIN_ROUTERS`).

FastAPI (0.163) tries an app's included routers in turn, and each router its routes in turn,
at a few µs a route: a path served by the thirty-first router cost 0.4 ms of matching before its
route ran, `GET /me` 44 µs. A domain router included under `API_PREFIX` first looks at the
path's first segment after the prefix and turns the path away in one set lookup when none of
its routes starts with that segment: no route of it could match such a path. A path outside
the prefix, and a router with a route whose first segment is a parameter, go through FastAPI's
own matching, so what is matched never changes, only how soon a router says "not mine".
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

from pmo.core.middleware import API_PREFIX

_PREFIX = API_PREFIX + "/"


class ApiRouter(APIRouter):
    """A domain's router, included under `API_PREFIX` by `pmo.main.create_app`."""

    # The count of routes the segments were read from, and the segments (None: not indexable).
    _first_segments_of: tuple[int, frozenset[str] | None] = (-1, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        segments = self._first_segments()
        if segments is not None:
            path = get_route_path(scope)
            if path.startswith(_PREFIX) and path[len(_PREFIX) :].partition("/")[0] not in segments:
                return Match.NONE, {}
        return super().matches(scope)

    def _first_segments(self) -> frozenset[str] | None:
        """The first path segment of each route (`me` of `/me/work`); read again when a route
        is added. None when a route has no path or starts with a parameter."""
        count, segments = self._first_segments_of
        if count != len(self.routes):
            paths = [getattr(route, "path", "") for route in self.routes]
            indexable = all(path.startswith("/") and "{" not in path.split("/")[1] for path in paths)
            segments = frozenset(path.split("/")[1] for path in paths) if indexable else None
            self._first_segments_of = (len(self.routes), segments)
        return segments
