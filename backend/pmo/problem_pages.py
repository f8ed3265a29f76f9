"""The pages that problem `type` URIs name: `/problems` and `/problems/<slug>`, plain HTML."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from pmo.auth.dependencies import PUBLIC
from pmo.core.errors import problem_response
from pmo.core.problem_types import PROBLEM_TYPES, PROBLEMS_PATH, problem_type_uri


def _code(text: str) -> str:
    """Escaped text, with `backticks` as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts))


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}: PMO API problem</title></head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def problems_router() -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

    @router.get(PROBLEMS_PATH)
    def problem_index() -> Response:
        items = "\n".join(
            f'<li><a href="{PROBLEMS_PATH}/{slug}">{kind.status} {html.escape(kind.title)}</a> '
            f"(<code>{slug}</code>)</li>"
            for slug, kind in PROBLEM_TYPES.items()
        )
        body = (
            "<h1>Problems the PMO API reports</h1>\n<p>Every error is an RFC 9457 problem document "
            "(<code>application/problem+json</code>) whose <code>type</code> is one of these pages.</p>"
            f"\n<ul>\n{items}\n</ul>"
        )
        return HTMLResponse(PAGE.format(title="Problems", body=body))

    @router.get(PROBLEMS_PATH + "/{slug}")
    def problem_page(slug: str, request: Request) -> Response:
        kind = PROBLEM_TYPES.get(slug)
        if kind is None:
            return problem_response(request, 404, detail=f"No problem type '{slug}'.")
        body = (
            f"<h1>{html.escape(kind.title)}</h1>\n"
            f"<p>HTTP status {kind.status}. "
            f"Problem type <code>{html.escape(problem_type_uri(slug))}</code>.</p>\n"
            f"<h2>What it means</h2>\n<p>{_code(kind.meaning)}</p>\n"
            f"<h2>What to do</h2>\n<p>{_code(kind.what_to_do)}</p>\n"
            f'<p><a href="{PROBLEMS_PATH}">Every problem type</a></p>'
        )
        return HTMLResponse(PAGE.format(title=html.escape(kind.title), body=body))

    return router
