"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from pmo.audit.models import AuditChainHead, AuditEvent
from pmo.auth.models import ApiClient, RefreshToken
from pmo.core.models import IdempotencyRecord, RateLimitCounter, ReferenceCounter
from pmo.gates.models import GateDecision, GateReview, Lifecycle
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User
from pmo.portfolio.models import (
    ConfidenceAssessment,
    GovernanceBody,
    GovernanceBodyMember,
    Milestone,
    Portfolio,
    Programme,
    Project,
)

__all__ = [
    "ApiClient",
    "AuditChainHead",
    "AuditEvent",
    "ConfidenceAssessment",
    "Directorate",
    "GateDecision",
    "GateReview",
    "GovernanceBody",
    "GovernanceBodyMember",
    "IdempotencyRecord",
    "Lifecycle",
    "Milestone",
    "Organisation",
    "Portfolio",
    "Programme",
    "Project",
    "RateLimitCounter",
    "ReferenceCounter",
    "RefreshToken",
    "RoleAssignment",
    "User",
]
