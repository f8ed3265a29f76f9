"""A Python client generated from the committed document works as is (issue 15, item 1).

`openapi-python-client` generates a client from `openapi/openapi.json` into a temporary
folder, as an integrator at another council would, and must print no warning. The client is
imported and used against a real server (uvicorn on a free port, on the test database):

* with an API client's credentials (the client-credentials grant, through the generated
  token operation), it pulls a page of the KPI feed, follows the page's `next` link, and
  pulls the same page as CSV from the CSV operation;
* signed in as officers (the password grant), a project manager requests a draw-down and,
  once the consultees have given their views, the sponsor decides it.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import socket
import subprocess
import sys
import time
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from conftest import PASSWORD
from finance.conftest import money  # noqa: F401 - the money tests' fixture: people, a project
from finance.money_support import Money
from kpis.test_feed import add_kpi, add_value
from pmo.cli import OPENAPI_PATH

PACKAGE = "pmo_client"
# What an integrator passes too: documents and spreadsheets are read as bytes.
GENERATOR_CONFIG = OPENAPI_PATH.parent / "openapi-python-client.yaml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package, generated and imported; it is removed from the import path after."""
    folder = tmp_path_factory.mktemp("generated")
    result = subprocess.run(  # noqa: S603 - our own tool and arguments
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(OPENAPI_PATH),
            "--meta",
            "none",
            "--config",
            str(GENERATOR_CONFIG),
            "--output-path",
            str(folder / PACKAGE),
        ],
        # The generator formats its output with ruff, which it looks for on PATH.
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Every generator warning (a dropped schema or operation, a skipped hook) says "warning".
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(engine: Any) -> Iterator[str]:
    """The product under uvicorn on the test database (the environment tests/conftest.py set)."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "pmo.main:create_app", "--factory", "--port", str(port)],
        # Its links are absolute on the public URL, which is where it listens.
        env={**os.environ, "PMO_LOG_LEVEL": "WARNING", "PMO_PUBLIC_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # generous: a loaded machine imports slowly
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _module(generated: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _token(generated: ModuleType, server: str, **form: str) -> Any:
    """An authenticated client, signed in through the generated token operation (use it in `with`)."""
    models = _module(generated, "models")
    issue_token = _module(generated, "api.auth.auth_issue_token")
    # The form's class, and its grant type enum, as the generator named them.
    form_class = typing.get_type_hints(issue_token.sync)["body"]
    grant = typing.get_type_hints(form_class)["grant_type"](form.pop("grant_type"))
    with generated.Client(base_url=server) as anonymous:
        answer = issue_token.sync(client=anonymous, body=form_class(grant_type=grant, **form))
    assert isinstance(answer, models.TokenResponse), answer
    return generated.AuthenticatedClient(base_url=server, token=answer.access_token)


def test_an_api_client_pulls_the_feed_follows_next_and_reads_the_csv(
    generated: ModuleType, server: str, client: Any, engine: Any, org: Any, admin: Any
) -> None:
    kpi = add_kpi(engine, org, "CS-01")
    for quarter in range(1, 4):
        add_value(engine, kpi, f"2022-23-Q{quarter}", f"7{quarter}.5")
    scopes = {"name": "Performance system", "scopes": ["kpis:read"]}
    created = client.post("/api/v1/api-clients", json=scopes, headers=admin.headers).json()
    with _token(
        generated,
        server,
        grant_type="client_credentials",
        client_id=created["client_id"],
        client_secret=created["client_secret"],
    ) as system:
        _pull_the_feed(generated, system)


def _pull_the_feed(generated: ModuleType, system: Any) -> None:
    models = _module(generated, "models")
    feed_values = _module(generated, "api.kpi_feed.kpi_feed_feed_values")
    feed_values_csv = _module(generated, "api.kpi_feed.kpi_feed_feed_values_csv")

    first = feed_values.sync(client=system, limit=2)

    assert isinstance(first, models.FeedValuePage), first
    first_two = [("2022-23-Q1", "71.5"), ("2022-23-Q2", "72.5")]
    assert [(v.period_code, v.actual) for v in first.items] == first_two
    # The `next` link, followed with the generated client's own HTTP client.
    followed = system.get_httpx_client().get(first.next_)
    assert followed.status_code == 200, followed.text
    second = models.FeedValuePage.from_dict(followed.json())
    assert [v.period_code for v in second.items] == ["2022-23-Q3"]
    assert second.next_ is None  # `next` is a Python builtin: the generator appends `_`
    # The same via the `cursor` parameter.
    by_cursor = feed_values.sync(client=system, limit=2, cursor=first.next_cursor)
    assert [v.period_code for v in by_cursor.items] == ["2022-23-Q3"]

    as_csv = feed_values_csv.sync_detailed(client=system, limit=2)
    assert as_csv.status_code == 200
    rows = list(csv.DictReader(io.StringIO(as_csv.parsed)))
    assert [(r["period_code"], r["actual"]) for r in rows] == first_two
    assert 'rel="next"' in as_csv.headers["link"]


def test_officers_request_and_decide_a_drawdown(generated: ModuleType, server: str, money: Money) -> None:  # noqa: F811
    models = _module(generated, "models")
    create_drawdown = _module(generated, "api.drawdowns.drawdowns_create_drawdown")
    decide_drawdown = _module(generated, "api.drawdowns.drawdowns_decide_drawdown")

    def signed_in(person: Any) -> Any:
        return _token(generated, server, grant_type="password", username=person.user.email, password=PASSWORD)

    with signed_in(money.pm) as manager, signed_in(money.sponsor) as sponsor:
        _request_and_decide(models, create_drawdown, decide_drawdown, money, manager, sponsor)


def _request_and_decide(
    models: Any, create_drawdown: Any, decide_drawdown: Any, setup: Money, manager: Any, sponsor: Any
) -> None:
    reserve = setup.source("555000.00")
    body = setup.body(reserve, "30000.00")
    requested = create_drawdown.sync(client=manager, body=models.DrawdownCreate.from_dict(body))

    assert isinstance(requested, models.DrawdownDetail), requested
    assert (requested.reference, requested.route, requested.amount) == ("DD-0001", "delegated", "30000.00")
    # The sponsor may not decide before the consultees have given their views: a typed problem.
    early = decide_drawdown.sync_detailed(
        requested.id,
        client=sponsor,
        body=models.DrawdownDecisionCreate(
            decision=models.DrawdownDecisionChoice.APPROVE, reason="Early.", alternatives_considered="None."
        ),
    )
    assert early.status_code == 409
    assert isinstance(early.parsed, models.Problem)
    setup.consult_all({"id": str(requested.id)})

    decided = decide_drawdown.sync(
        requested.id,
        client=sponsor,
        body=models.DrawdownDecisionCreate(
            decision=models.DrawdownDecisionChoice.APPROVE,
            reason="Within the approved business case.",
            alternatives_considered="Deferring to next year: rejected, the contract starts in April.",
        ),
    )

    assert isinstance(decided, models.DrawdownDetail), decided
    assert (decided.status, decided.decided_by_id) == ("approved", setup.sponsor.id)
    # Someone who is not the decider is refused, through the generated client too.
    refused = decide_drawdown.sync_detailed(
        requested.id,
        client=manager,
        body=models.DrawdownDecisionCreate(
            decision=models.DrawdownDecisionChoice.REJECT, reason="No.", alternatives_considered="None."
        ),
    )
    assert refused.status_code == 403
