"""Delegation rules: who decides draw-downs up to what limit, after consulting whom, and where
a request above the limit goes. Every version of a rule is kept (`DelegationRuleVersion`):
a request records the version its route was worked out under.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Rule, Verdict
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.money import pence_from_text
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission, Role, enforce, for_whole_organisation, roles_granting
from pmo.core.schemas import Page
from pmo.finance.models import DelegationRule, DelegationRuleVersion, FundingSource
from pmo.finance.rules_schemas import (
    LimitBasis,
    ReferralBody,
    RuleAction,
    RuleCreate,
    RuleFields,
    RulePublic,
    RuleUpdate,
    RuleVersionEntry,
    RuleVersionPublic,
)
from pmo.organisations.models import Directorate, User

# DOMAIN.md section 7 (seed 002 paras 2.5 and 6.9): the Service Director, in consultation with
# the Section 151 officer and the Cabinet Member, up to £50,000.00 per project; above, Cabinet.
DEFAULT_RULE: dict[str, Any] = {
    "name": "Service Director delegation",
    "description": (
        "The Service Director, in consultation with the Section 151 officer (finance) and the "
        "Cabinet Member (member), may approve draw-downs of up to £50,000.00 per project in a "
        "financial year; above that the request is referred to Cabinet (and Council where "
        "appropriate)."
    ),
    "decider_role": Role.sponsor.value,
    "limit_pence": 5_000_000,
    "limit_basis": LimitBasis.cumulative_per_project_per_year.value,
    "consultee_roles": [Role.finance.value, Role.member.value],
    "referral_body": ReferralBody.cabinet.value,
}


def _fields(rule: DelegationRule) -> dict[str, Any]:
    return {**rule.model_dump(), "limit": rule.limit_pence, "council_limit": rule.council_limit_pence}


def _whole_organisation(actor: Actor, _rule: DelegationRule) -> Verdict:
    return for_whole_organisation(actor, Permission.delegation_rules_manage, "delegation rules")


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.
ACTIONS = ActionTable(
    RuleAction, {RuleAction.edit: Rule(Permission.delegation_rules_manage, _whole_organisation)}
)


def rule_public(actor: Actor, rule: DelegationRule) -> RulePublic:
    return RulePublic.model_validate({**_fields(rule), "allowed_actions": ACTIONS.allowed(actor, rule)})


def _snapshot(rule: DelegationRule) -> dict[str, Any]:
    fields = RuleFields.model_validate(_fields(rule))
    return fields.model_dump(mode="json", exclude={"id", "version", "created_at", "updated_at"})


def _write_version(
    session: Session, actor: Actor | None, rule: DelegationRule, effective_from: date | None = None
) -> DelegationRuleVersion:
    version = DelegationRuleVersion(
        organisation_id=rule.organisation_id,
        rule_id=rule.id,
        version=rule.version,
        rule=_snapshot(rule),
        effective_from=effective_from or today(),
        created_at=utcnow(),
        created_by_id=actor.id if actor is not None and actor.kind == "user" else None,
    )
    session.add(version)
    session.flush()
    return version


def install_default_rule(session: Session, organisation_id: uuid.UUID, actor: Actor | None = None) -> None:
    """Give an organisation the default rule, unless it has a rule already (idempotent)."""
    has_rule = session.execute(
        select(DelegationRule.id).where(DelegationRule.organisation_id == organisation_id)
    ).first()
    if has_rule:
        return
    rule = DelegationRule(organisation_id=organisation_id, **DEFAULT_RULE)
    audit.created(session, actor, rule, "delegation_rule")
    _write_version(session, actor, rule)


def get_rule(session: Session, actor: Actor, rule_id: uuid.UUID) -> DelegationRule:
    rule = session.get(DelegationRule, rule_id)
    if rule is None or rule.organisation_id != actor.organisation_id:
        raise NotFound("No delegation rule with that id in your organisation.")
    return rule


SORTS = {"name": DelegationRule.name, "created_at": DelegationRule.created_at}


def list_rules(
    session: Session, actor: Actor, page: PageParams, *, is_active: bool | None, sort: str
) -> Page[RulePublic]:
    statement = select(DelegationRule).where(DelegationRule.organisation_id == actor.organisation_id)
    if is_active is not None:
        statement = statement.where(DelegationRule.is_active == is_active)
    statement = statement.order_by(*order_by(sort, SORTS, DelegationRule.id))
    return paginate(session, statement, page, lambda rule: rule_public(actor, rule))


def list_versions(session: Session, rule: DelegationRule, page: PageParams) -> Page[RuleVersionEntry]:
    statement = (
        select(DelegationRuleVersion)
        .where(DelegationRuleVersion.rule_id == rule.id)
        .order_by(col(DelegationRuleVersion.version).desc())
    )
    found = paginate(session, statement, page, lambda v: v)
    numbers = [v.version - 1 for v in found.items]
    before = {
        v.version: v.rule
        for v in session.execute(
            select(DelegationRuleVersion).where(
                DelegationRuleVersion.rule_id == rule.id, col(DelegationRuleVersion.version).in_(numbers)
            )
        ).scalars()
    }
    user_ids = {v.created_by_id for v in found.items if v.created_by_id}
    rows = session.execute(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()
    names: dict[uuid.UUID, str] = {row[0]: row[1] for row in rows}

    def entry(version: DelegationRuleVersion) -> RuleVersionEntry:
        previous = before.get(version.version - 1)
        changed = [k for k, v in version.rule.items() if previous is None or previous.get(k) != v]
        return RuleVersionEntry.model_validate(
            {
                **RuleVersionPublic.model_validate(version).model_dump(),
                "changed": changed,
                "created_by_name": names.get(version.created_by_id) if version.created_by_id else None,
            }
        )

    return Page[RuleVersionEntry](
        items=[entry(v) for v in found.items], total=found.total, limit=found.limit, offset=found.offset
    )


def _check(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    """The rule's roles fit their jobs, its directorate and sources are the organisation's."""
    problems: list[FieldProblem] = []
    deciders = roles_granting(Permission.drawdowns_decide)
    if Role(values["decider_role"]) not in deciders:
        problems.append(
            FieldProblem(
                location=["body", "decider_role"],
                message=f"must be a role that may decide draw-downs: {', '.join(deciders)}",
                type="value_error",
            )
        )
    consultees = roles_granting(Permission.drawdowns_consult)
    roles = values["consultee_roles"]
    for i, role in enumerate(roles):
        if Role(role) not in consultees:
            problems.append(
                FieldProblem(
                    location=["body", "consultee_roles", i],
                    message=f"must be a role that may be consulted: {', '.join(consultees)}",
                    type="value_error",
                )
            )
    if len(set(roles)) != len(roles):
        problems.append(
            FieldProblem(
                location=["body", "consultee_roles"], message="names a role twice", type="value_error"
            )
        )
    council = values.get("council_limit_pence")
    if council is not None and council <= values["limit_pence"]:
        problems.append(
            FieldProblem(
                location=["body", "council_limit"], message="must be above limit", type="value_error"
            )
        )
    if problems:
        raise Unprocessable("The delegation rule does not hold together.", errors=problems)
    directorate_id = values.get("decider_directorate_id")
    if directorate_id is not None:
        directorate = session.get(Directorate, directorate_id)
        if directorate is None or directorate.organisation_id != actor.organisation_id:
            raise NotFound("No directorate with that id (decider_directorate_id) in your organisation.")
    for source_id in values["funding_source_ids"]:
        source = session.get(FundingSource, uuid.UUID(str(source_id)))
        if source is None or source.organisation_id != actor.organisation_id:
            raise NotFound(f"No funding source {source_id} (funding_source_ids) in your organisation.")


def _name_free(session: Session, organisation_id: uuid.UUID, name: str) -> None:
    taken = session.execute(
        select(DelegationRule.id).where(
            DelegationRule.organisation_id == organisation_id,
            func.lower(DelegationRule.name) == name.lower(),
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a delegation rule called '{name}'.")


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    """Body fields as columns: pounds fields to pence, enums and ids to stored text."""
    renames = {"limit": "limit_pence", "council_limit": "council_limit_pence"}
    values = {renames.get(k, k): v for k, v in data.items()}
    if "funding_source_ids" in values:
        values["funding_source_ids"] = sorted({str(s) for s in values["funding_source_ids"]})
    if "consultee_roles" in values:
        values["consultee_roles"] = [str(r) for r in values["consultee_roles"]]
    for name in ("decider_role", "limit_basis", "referral_body"):
        if values.get(name) is not None:
            values[name] = str(values[name])
    return values


def create_rule(session: Session, actor: Actor, data: RuleCreate) -> DelegationRule:
    enforce(for_whole_organisation(actor, Permission.delegation_rules_manage, "delegation rules"))
    # Attributes, not model_dump(): that would write the amounts back out as pounds text.
    fields = [name for name in type(data).model_fields if name != "effective_from"]
    values = _columns({name: getattr(data, name) for name in fields})
    _check(session, actor, values)
    effective_from = _effective_from(data.effective_from, None)
    _name_free(session, actor.organisation_id, data.name)
    rule = DelegationRule(organisation_id=actor.organisation_id, **values)
    audit.created(session, actor, rule, "delegation_rule")
    _write_version(session, actor, rule, effective_from)
    return rule


def _effective_from(wanted: date | None, latest: DelegationRuleVersion | None) -> date:
    """When a new version takes effect: today unless given, never in the past, and never before
    the latest version (versions take effect in the order they were made)."""
    earliest = max(today(), latest.effective_from) if latest else today()
    if wanted is None:
        return earliest
    if wanted < today():
        message = "The date the version takes effect must be today or in the future"
    elif wanted < earliest:
        message = (
            f"The date the version takes effect must be on or after {earliest:%-d %B %Y}, "
            f"when version {latest.version if latest else 1} takes effect"
        )
    else:
        return wanted
    raise Unprocessable(
        "The new version cannot take effect on that date.",
        errors=[FieldProblem(location=["body", "effective_from"], message=message, type="value_error")],
    )


def update_rule(session: Session, actor: Actor, rule: DelegationRule, data: RuleUpdate) -> DelegationRule:
    ACTIONS.guard(actor, RuleAction.edit, rule)
    given = {name: getattr(data, name) for name in data.model_fields_set if name != "effective_from"}
    nullable = {"decider_directorate_id", "council_limit"}
    changes = _columns({k: v for k, v in given.items() if v is not None or k in nullable})
    merged = {**rule.model_dump(), **changes}
    _check(session, actor, merged)
    if "name" in changes and changes["name"].lower() != rule.name.lower():
        _name_free(session, rule.organisation_id, changes["name"])
    changes = {k: v for k, v in changes.items() if getattr(rule, k) != v}
    effective_from = _effective_from(data.effective_from, latest_version(session, rule))
    if changes:
        audit.changed(session, actor, rule, "delegation_rule", changes)
        _write_version(session, actor, rule, effective_from)
    return rule


def version_limit(version: DelegationRuleVersion) -> tuple[int, int | None]:
    """The limit and council limit (pence) of a rule version."""
    council = version.rule.get("council_limit")
    return pence_from_text(version.rule["limit"]), pence_from_text(council) if council else None


def latest_version(session: Session, rule: DelegationRule) -> DelegationRuleVersion:
    """The rule's newest version (the rule's own fields), which may take effect later."""
    version: DelegationRuleVersion = session.execute(
        select(DelegationRuleVersion).where(
            DelegationRuleVersion.rule_id == rule.id, DelegationRuleVersion.version == rule.version
        )
    ).scalar_one()
    return version


def rule_as_of(rule: DelegationRule, version: DelegationRuleVersion) -> DelegationRule:
    """The rule as it stood at `version`: a detached copy for routing, never saved."""
    snapshot = version.rule
    directorate = snapshot.get("decider_directorate_id")
    council = snapshot.get("council_limit")
    return DelegationRule(
        id=rule.id,
        organisation_id=rule.organisation_id,
        version=version.version,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
        name=snapshot["name"],
        description=snapshot.get("description", ""),
        decider_role=snapshot["decider_role"],
        decider_directorate_id=uuid.UUID(str(directorate)) if directorate else None,
        limit_pence=pence_from_text(snapshot["limit"]),
        limit_basis=snapshot["limit_basis"],
        funding_source_ids=list(snapshot.get("funding_source_ids", [])),
        consultee_roles=list(snapshot.get("consultee_roles", [])),
        referral_body=snapshot.get("referral_body", ReferralBody.cabinet.value),
        council_limit_pence=pence_from_text(council) if council else None,
        is_active=bool(snapshot.get("is_active", True)),
    )


def applicable_rule(
    session: Session, source: FundingSource, on: date
) -> tuple[DelegationRule, DelegationRuleVersion] | None:
    """The rule for draw-downs from `source` submitted on `on`, as its version in force that day
    (the latest `effective_from` on or before it) stands: an active rule naming the source beats
    one covering every source; among equals the oldest (then the lowest id) wins, so the choice
    is stable.

    An organisation with no rule at all (one created before rules existed) gets the default
    rule now, once."""
    install_default_rule(session, source.organisation_id)
    rules = (
        session.execute(
            select(DelegationRule)
            .where(DelegationRule.organisation_id == source.organisation_id)
            .order_by(col(DelegationRule.created_at), col(DelegationRule.id))
        )
        .scalars()
        .all()
    )
    in_force: dict[uuid.UUID, DelegationRuleVersion] = {}
    for version in session.execute(
        select(DelegationRuleVersion)
        .where(
            DelegationRuleVersion.organisation_id == source.organisation_id,
            col(DelegationRuleVersion.effective_from) <= on,
        )
        .order_by(col(DelegationRuleVersion.effective_from), col(DelegationRuleVersion.version))
    ).scalars():
        in_force[version.rule_id] = version  # the last one wins: the latest in force
    candidates = [(rule_as_of(r, in_force[r.id]), in_force[r.id]) for r in rules if r.id in in_force]
    active = [(r, v) for r, v in candidates if r.is_active]
    naming = [(r, v) for r, v in active if str(source.id) in r.funding_source_ids]
    covering_all = [(r, v) for r, v in active if not r.funding_source_ids]
    chosen = naming or covering_all
    return chosen[0] if chosen else None
