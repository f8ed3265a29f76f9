from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.finance import rules_service as service
from pmo.finance.rules_schemas import RuleCreate, RulePublic, RuleUpdate, RuleVersionEntry

router = ApiRouter(tags=["delegation-rules"])

Read = Annotated[Actor, require(Permission.finance_read)]
Manage = Annotated[Actor, require(Permission.delegation_rules_manage)]
Sort = Annotated[str, sort_query("name", "created_at")]


@router.get("/delegation-rules", response_model=Page[RulePublic], responses=declare())
def list_delegation_rules(
    session: SessionDep, actor: Read, page: PageDep, is_active: bool | None = None, sort: Sort = "created_at"
) -> Page[RulePublic]:
    """Who may approve draw-downs, up to what limit, after consulting whom; and where requests
    above the limit go. Every organisation starts with the default rule (DOMAIN.md section 7)."""
    return service.list_rules(session, actor, page, is_active=is_active, sort=sort)


@router.post("/delegation-rules", status_code=201, response_model=RulePublic, responses=declare(404, 409))
def create_delegation_rule(
    request: Request,
    body: RuleCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a rule (finance, admin). The decider must be a role that may decide draw-downs
    (sponsor, finance), consultees roles that may be consulted (sponsor, finance, member); a
    council limit is above the limit. The rule's first version is kept."""

    def create() -> tuple[RulePublic, str]:
        rule = service.create_rule(session, actor, body)
        return service.rule_public(actor, rule), f"/api/v1/delegation-rules/{rule.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/delegation-rules/{rule_id}", response_model=RulePublic, responses=declare(304, 404))
def get_delegation_rule(
    rule_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One delegation rule with its current version: who approves draw-downs, to what limit."""
    return json_with_etag(
        service.rule_public(actor, service.get_rule(session, actor, rule_id)), if_none_match
    )


@router.patch("/delegation-rules/{rule_id}", response_model=RulePublic, responses=declare(404, 409, 412, 428))
def update_delegation_rule(
    rule_id: uuid.UUID, body: RuleUpdate, session: SessionDep, actor: Manage, if_match: IfMatch = None
) -> Response:
    """Change a rule: a new version is kept, in force from `effective_from` (today unless
    given; never in the past, nor before the latest version). Requests already submitted keep
    the route and rule version they were given; a request is routed by the version in force on
    the day it is submitted.
    Rules are never deleted (decisions refer to them): set `is_active` false instead."""
    rule = service.get_rule(session, actor, rule_id)
    check_if_match(if_match, service.rule_public(actor, rule))
    service.update_rule(session, actor, rule, body)
    return json_with_etag(service.rule_public(actor, rule), None)


@router.get(
    "/delegation-rules/{rule_id}/versions",
    response_model=Page[RuleVersionEntry],
    responses=declare(404),
)
def list_delegation_rule_versions(
    rule_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[RuleVersionEntry]:
    """Every version of the rule, newest first, each with the day it takes effect, the fields it
    changed and who made it: what each request and decision refers to."""
    return service.list_versions(session, service.get_rule(session, actor, rule_id), page)
