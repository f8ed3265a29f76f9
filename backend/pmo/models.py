"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from pmo.audit.models import AuditChainHead, AuditEvent
from pmo.auth.models import ApiClient, RefreshToken
from pmo.core.models import IdempotencyRecord, RateLimitCounter
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User

__all__ = [
    "ApiClient",
    "AuditChainHead",
    "AuditEvent",
    "Directorate",
    "IdempotencyRecord",
    "Organisation",
    "RateLimitCounter",
    "RefreshToken",
    "RoleAssignment",
    "User",
]
