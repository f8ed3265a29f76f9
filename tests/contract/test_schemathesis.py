"""The contract: schemathesis runs every operation of the committed OpenAPI document against the
application, signed in as an admin of a seeded organisation, through every phase (examples,
coverage, fuzzing, stateful), and finds no server error and no response that breaks the document.

Deterministic (fixed seed, derandomized Hypothesis, no example database) so CI does not flake; a
failure prints the request that reproduces it as a curl command.
"""

from __future__ import annotations

import uuid
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st

from pmo.cli import OPENAPI_PATH
from pmo.main import create_app
from support.database import empty_database

from .helpers import seed_once

SEED = 20261122
FUZZ_EXAMPLES = 25  # generated cases per operation in the fuzzing phase
STATEFUL_SCENARIOS = 25
STATEFUL_STEPS = 8

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"deterministic": True, "max-examples": FUZZ_EXAMPLES, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
        },
        # Every built-in check (not_a_server_error, status_code_conformance, content_type_conformance,
        # response_schema_conformance, response_headers_conformance, negative_data_rejection,
        # use_after_free, ensure_resource_availability, ignored_auth, unsupported_method, ...)
        # but one: positive_data_acceptance wants 2xx for every schema-valid request, and this API
        # refuses some on purpose with statuses the document declares: 428 (no If-Match), 412 (a
        # stale one), 422 (an Idempotency-Key reused for another body; an organisation-wide role
        # given for one directorate). status_code_conformance still checks each is documented.
        # missing_required_header keeps its statuses and adds RFC 6585's 428, the answer to a
        # write without the required `If-Match` (the only required header but Authorization).
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"enabled": False},
            "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
        },
        # The reproducing curl command shows the real (test-only, short-lived) token and bodies.
        "output": {"sanitization": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_path(OPENAPI_PATH, config=CONFIG)
schema.app = create_app()

# The seeded records of the test that is running: the database is emptied after every test.
CURRENT: dict[str, Any] = {}  # "seeded": tests/contract/conftest.py's Seeded


@pytest.fixture(autouse=True)
def _current(seeded: Any) -> Any:
    CURRENT["seeded"] = seeded
    yield
    CURRENT.clear()


# Schemathesis builds the example and coverage cases when pytest collects the tests, long before
# the admin exists; the auth provider marks a case as signed in, and the `before_call` hook puts
# in a token minted for the admin just before each request (`fresh_token`).
SIGNED_IN = "Bearer contract-admin-token"


@schema.auth(refresh_interval=None)
class AdminToken:
    def get(self, _case: schemathesis.Case, _context: schemathesis.AuthContext) -> str:
        return SIGNED_IN

    def set(self, case: schemathesis.Case, data: str, _context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


def fresh_token(case: schemathesis.Case) -> dict[str, str]:
    """The headers to call with: a token minted for the seeded admin, put back the way the seed
    made them if an earlier request deleted, deactivated or demoted them, or signed them out
    everywhere. Cases made without credentials (to test refusals) stay without."""
    if (case.headers or {}).get("Authorization") != SIGNED_IN:
        return {}
    return {"Authorization": f"Bearer {CURRENT['seeded'].admin_token()}"}


def _seeded_id(name: str) -> str | None:
    seeded = CURRENT["seeded"]
    return {
        "api_client_id": seeded.api_client_id,
        "directorate_id": seeded.directorate_id,
        "user_id": seeded.member_id,
        "role_assignment_id": seeded.role_assignment_id,
        "event_id": seeded.audit_event_id,
        "portfolio_id": seeded.portfolio_id,
        "body_id": seeded.body_id,
        "programme_id": seeded.programme_id,
        "project_id": seeded.project_id,
        "milestone_id": seeded.milestone_id,
        "lifecycle_id": seeded.lifecycle_id,
        "review_id": seeded.review_id,
        "kpi_id": seeded.kpi_id,
        "target_id": seeded.kpi_target_id,
        "value_id": seeded.kpi_value_id,
        "cost_line_id": seeded.cost_line_id,
        "benefit_id": seeded.benefit_id,
        "funding_source_id": seeded.funding_source_id,
        "rule_id": seeded.rule_id,
        "drawdown_id": seeded.drawdown_id,
    }.get(name)


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@schema.hook("flatmap_path_parameters")
def _reach_real_records(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Random UUIDs only ever find nothing (404): half the time, aim at a seeded record instead."""
    names = [n for n, value in (path_parameters or {}).items() if _is_uuid(value) and n.endswith("_id")]
    if not names:
        return st.just(path_parameters)

    def choose(use_seeded: bool) -> dict[str, Any]:
        if not use_seeded:
            return path_parameters
        return {**path_parameters, **{n: _seeded_id(n) or path_parameters[n] for n in names}}

    return st.booleans().map(choose)


@schema.parametrize()
def test_operation(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=fresh_token(case))


class APIWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Every scenario starts from the same seeded database: what a step can do next depends
        # on earlier responses, and Hypothesis needs the same choices to lead to the same steps.
        seeded = CURRENT["seeded"]
        empty_database(seeded.factory.engine)
        CURRENT["seeded"] = seed_once(seeded.factory, CURRENT["client"])

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": fresh_token(case)}


def test_stateful_workflows(client: Any) -> None:
    CURRENT["client"] = client
    APIWorkflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
    )
