"""Which records have a history, who may read it, and the words an auditor reads it in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from pmo.core.permissions import Actor, Permission
from pmo.finance import drawdowns_service, funding_service, rules_service
from pmo.gates import service as gates_service
from pmo.kpis import service as kpis_service
from pmo.kpis import values_service
from pmo.portfolio import milestones_service, programmes_service, projects_service
from pmo.raid import items_service, risks_service


class HistoryKind(StrEnum):
    project = "project"
    programme = "programme"
    milestone = "milestone"
    risk = "risk"
    issue = "issue"
    assumption = "assumption"
    dependency = "dependency"
    drawdown = "drawdown"
    funding_source = "funding_source"
    delegation_rule = "delegation_rule"
    gate_review = "gate_review"
    kpi = "kpi"
    kpi_value = "kpi_value"


@dataclass(frozen=True)
class Kind:
    record_type: str  # the audit events' record_type
    permission: Permission  # needed to read the record, as its own GET route needs
    # Finds the record, refusing one of another organisation or one hidden from the caller
    # (a KPI value not yet published): the record's own read rules, not a copy of them.
    read: Callable[[Session, Actor, uuid.UUID], Any]
    # Records whose events belong to this history: (record_type, the field naming the parent).
    parts: tuple[tuple[str, str], ...] = ()


KINDS: dict[HistoryKind, Kind] = {
    HistoryKind.project: Kind("project", Permission.portfolio_read, projects_service.get_project),
    HistoryKind.programme: Kind("programme", Permission.portfolio_read, programmes_service.get_programme),
    HistoryKind.milestone: Kind("milestone", Permission.portfolio_read, milestones_service.get_milestone),
    HistoryKind.risk: Kind(
        "risk", Permission.raid_read, risks_service.get_risk, (("risk_action", "risk_id"),)
    ),
    HistoryKind.issue: Kind("issue", Permission.raid_read, items_service.get_issue),
    HistoryKind.assumption: Kind("assumption", Permission.raid_read, items_service.get_assumption),
    HistoryKind.dependency: Kind("dependency", Permission.raid_read, items_service.get_dependency),
    HistoryKind.drawdown: Kind(
        "drawdown",
        Permission.finance_read,
        drawdowns_service.get_drawdown,
        (("drawdown_consultation", "drawdown_id"),),
    ),
    HistoryKind.funding_source: Kind("funding_source", Permission.finance_read, funding_service.get_source),
    HistoryKind.delegation_rule: Kind("delegation_rule", Permission.finance_read, rules_service.get_rule),
    HistoryKind.gate_review: Kind(
        "gate_review", Permission.portfolio_read, gates_service.get_review, (("gate_decision", "review_id"),)
    ),
    HistoryKind.kpi: Kind("kpi", Permission.kpis_read, kpis_service.get_kpi, (("kpi_target", "kpi_id"),)),
    HistoryKind.kpi_value: Kind(
        "kpi_value", Permission.kpis_read, values_service.get_value, (("kpi_value_revision", "value_id"),)
    ),
}

RECORD_LABELS = {
    "project": "Project",
    "programme": "Programme",
    "milestone": "Milestone",
    "risk": "Risk",
    "risk_action": "Response action",
    "issue": "Issue",
    "assumption": "Assumption",
    "dependency": "Dependency",
    "drawdown": "Draw-down request",
    "drawdown_consultation": "Consultation",
    "funding_source": "Funding source",
    "delegation_rule": "Delegation rule",
    "gate_review": "Gate review",
    "gate_decision": "Gate decision",
    "kpi": "KPI",
    "kpi_target": "KPI target",
    "kpi_value": "KPI value",
    "kpi_value_revision": "Earlier version of the value",
}

ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "escalate": "Escalated",
    "de-escalate": "De-escalated",
    "close": "Closed",
    "occurred": "Occurred, became an issue",
    "invalidate": "Found invalid",
    "submit": "Submitted",
    "withdraw": "Withdrawn",
    "decide": "Decided",
    "review": "Reviewed",
    "rebaseline": "Re-baselined",
    "stage_change": "Moved to another stage",
    "verify": "Verified",
    "publish": "Published",
    "return": "Returned",
}

# Field names whose words alone would not say it plainly.
FIELD_LABELS = {
    "sro_id": "Senior responsible owner",
    "owner_id": "Owner",
    "manager_id": "Project manager",
    "decider_id": "Decider",
    "actionee_id": "Actionee",
    "raised_by_id": "Raised by",
    "requested_by_id": "Requested by",
    "amount_pence": "Amount",
    "rag": "RAG status",
    "kpi_id": "KPI",
    "ict": "ICT",
    "lead_directorate_id": "Lead directorate",
    "directorate_id": "Directorate",
    "inherent_likelihood": "Likelihood before the response",
    "inherent_impact": "Impact before the response",
    "inherent_score": "Score before the response",
    "residual_likelihood": "Likelihood after the response",
    "residual_impact": "Impact after the response",
    "residual_score": "Score after the response",
    "target_likelihood": "Target likelihood",
    "target_impact": "Target impact",
}

# Bookkeeping every record has: not what an auditor asks about.
HIDDEN_FIELDS = frozenset({"id", "organisation_id", "created_at", "updated_at", "version"})


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    words = name.removesuffix("_id").removesuffix("_pence").replace("_", " ")
    return words[:1].upper() + words[1:]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or (action.replace("_", " ").replace("-", " ").capitalize())
