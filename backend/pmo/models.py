"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from pmo.audit.models import AuditChainHead, AuditEvent
from pmo.auth.models import ApiClient, RefreshToken
from pmo.core.models import IdempotencyRecord, RateLimitCounter, ReferenceCounter
from pmo.decisions.models import DecisionSettings, ForwardPlanEntry, OfficerDecision
from pmo.finance.models import (
    Benefit,
    BenefitProfileEntry,
    CostLine,
    DelegationRule,
    DelegationRuleVersion,
    Drawdown,
    DrawdownConsultation,
    FundingSource,
)
from pmo.gates.models import GateDecision, GateReview, Lifecycle
from pmo.identity.models import DirectoryIdentity, DirectorySession, IdentityProvider, SignInAttempt
from pmo.invitations.models import Invitation
from pmo.kpis.models import Kpi, KpiFeedState, KpiTarget, KpiValue, KpiValueRevision
from pmo.meetings.models import Meeting
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User
from pmo.portfolio.models import (
    ConfidenceAssessment,
    GovernanceBody,
    GovernanceBodyMember,
    Milestone,
    MilestoneBaseline,
    Portfolio,
    Programme,
    Project,
)
from pmo.raid.models import Assumption, Dependency, Issue, Risk, RiskAction
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.models import ReportPack
from pmo.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from pmo.work.notifications_models import EmailMessage, Notification, NotificationPreference
from pmo.worker.models import ScheduledJob, WorkerHeartbeat

__all__ = [
    "ApiClient",
    "Assumption",
    "AuditChainHead",
    "AuditEvent",
    "Benefit",
    "BenefitProfileEntry",
    "ConfidenceAssessment",
    "CostLine",
    "DecisionSettings",
    "DelegationRule",
    "DelegationRuleVersion",
    "Dependency",
    "Directorate",
    "DirectoryIdentity",
    "DirectorySession",
    "Drawdown",
    "DrawdownConsultation",
    "EmailMessage",
    "ForwardPlanEntry",
    "FundingSource",
    "GateDecision",
    "GateReview",
    "GovernanceBody",
    "GovernanceBodyMember",
    "HighlightReport",
    "IdempotencyRecord",
    "IdentityProvider",
    "Invitation",
    "Issue",
    "Kpi",
    "KpiFeedState",
    "KpiTarget",
    "KpiValue",
    "KpiValueRevision",
    "Lifecycle",
    "Meeting",
    "Milestone",
    "MilestoneBaseline",
    "Notification",
    "NotificationPreference",
    "OfficerDecision",
    "Organisation",
    "Portfolio",
    "Programme",
    "Project",
    "RateLimitCounter",
    "ReferenceCounter",
    "RefreshToken",
    "ReportPack",
    "Risk",
    "RiskAction",
    "RoleAssignment",
    "ScheduledJob",
    "SignInAttempt",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "WorkerHeartbeat",
]
