"""Every problem `type` the code can emit is a page of the product explaining it (issue 15)."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

import pmo
from pmo.core.config import get_settings
from pmo.core.errors import ProblemError
from pmo.core.problem_types import PROBLEM_TYPES

BACKEND = Path(pmo.__file__).parent
# Problems made from a status alone take its phrase (core.errors.problem_response): the
# routing's 404 and 405, a 400 from the middleware, the readiness check's 503.
STATUS_SLUGS = {"not-found", "method-not-allowed", "bad-request", "service-unavailable"}


def _subclasses(cls: type[ProblemError]) -> set[type[ProblemError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def emitted_slugs() -> set[str]:
    """Every slug: the problem classes', those named in the source, and the status phrases."""
    import pmo.main  # noqa: F401 - every domain's problem classes are imported with the app

    slugs = {cls.slug for cls in _subclasses(ProblemError)} | {ProblemError.slug}
    for source in BACKEND.rglob("*.py"):
        slugs |= set(re.findall(r'slug="([a-z-]+)"', source.read_text(encoding="utf-8")))
        slugs |= set(re.findall(r'problem_type_uri\("([a-z-]+)"\)', source.read_text(encoding="utf-8")))
    return slugs | STATUS_SLUGS


def test_every_problem_type_the_code_emits_has_a_page(client: TestClient) -> None:
    slugs = emitted_slugs()
    assert len(slugs) >= 15
    missing = sorted(slugs - PROBLEM_TYPES.keys())
    assert not missing, f"problem types without an explanation in pmo.core.problem_types: {missing}"
    for slug in sorted(slugs):
        kind = PROBLEM_TYPES[slug]
        assert HTTPStatus(kind.status).phrase  # a real status
        page = client.get(f"/problems/{slug}")
        assert page.status_code == 200, slug
        assert page.headers["content-type"].startswith("text/html")
        assert f"<h1>{kind.title}</h1>" in page.text.replace("&#x27;", "'")
    index = client.get("/problems")
    assert all(f'href="/problems/{slug}"' in index.text for slug in PROBLEM_TYPES)
    assert client.get("/problems/no-such-problem").status_code == 404


def test_a_problem_type_is_an_absolute_url_of_the_product_that_resolves(client: TestClient, admin) -> None:  # type: ignore[no-untyped-def]
    problem = client.get("/api/v1/projects/not-a-uuid", headers=admin.headers).json()
    public = get_settings().public_url.rstrip("/")
    assert problem["type"] == f"{public}/problems/validation-error"
    page = client.get(urlsplit(problem["type"]).path)
    assert page.status_code == 200
    assert "The request is not valid" in page.text
    unauthorised = client.get("/api/v1/projects").json()
    assert client.get(urlsplit(unauthorised["type"]).path).status_code == 200
