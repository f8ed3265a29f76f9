from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints, model_validator

from pmo.core.errors import FieldValueError
from pmo.core.permissions import ROLE_WORDS, SCOPABLE_ROLES, Role
from pmo.core.schemas import Description, Email, GivenPassword, InputModel, Name, Password, PublicModel
from pmo.kpis.schemas import DecimalString, TolerancePercent

# Delivery confidence scales: the IPA's five points (Green to Red) or three-point RAG.
ConfidenceScale = Literal["ipa5", "rag3"]
# Risk scoring scales (`pmo.raid.scoring`): 5x5, or 3-point high/medium/low.
RiskScale = Literal["5x5", "hml3"]


# An English local authority's ONS Government Statistical Service code.
GssCode = Annotated[str, StringConstraints(pattern=r"^E0[0-9]{7}$")]


class OrganisationPublic(PublicModel):
    id: uuid.UUID
    name: str
    confidence_scale: ConfidenceScale
    risk_scale: RiskScale = Field(description="How risks are scored: `5x5` (1-5 each) or `hml3` (1-3).")
    default_lifecycle_id: uuid.UUID | None = Field(
        description="The lifecycle new projects follow; change it with POST /lifecycles/{id}/make-default."
    )
    kpi_tolerance_percent: DecimalString = Field(
        description="A KPI value is amber within this percent of its target (unless the KPI or target "
        'sets its own), e.g. "5".'
    )
    highlight_report_due_day: int = Field(
        description="A month's highlight reports are late if not submitted by this day of the next month."
    )
    gss_code: str | None = Field(
        description="The council's ONS GSS code (`E07000034`, Chesterfield), shown in the KPI feed."
    )
    created_at: datetime
    updated_at: datetime


class OrganisationUpdate(InputModel):
    name: Name | None = None
    confidence_scale: ConfidenceScale | None = Field(
        default=None,
        description="New ratings use it; ratings already given keep the scale they were given on.",
    )
    risk_scale: RiskScale | None = Field(
        default=None,
        description="`5x5` or `hml3`. Refused (409) while the organisation has any risk.",
    )
    kpi_tolerance_percent: TolerancePercent | None = Field(
        default=None, description='0 to 100, e.g. "5": the default amber band of KPI values.'
    )
    highlight_report_due_day: StrictInt | None = Field(
        default=None,
        ge=1,
        le=28,
        description="1 to 28 (every month has it): highlight reports are due by this day of the next month.",
    )
    gss_code: GssCode | None = Field(
        default=None,
        description="The council's ONS GSS code: `E0` and seven digits, e.g. `E07000034`. Unique.",
        examples=["E07000034"],
    )


class DirectorateCreate(InputModel):
    name: Name
    description: Description = ""


class DirectorateUpdate(InputModel):
    name: Name | None = None
    description: Description | None = None


class DirectoratePublic(PublicModel):
    id: uuid.UUID
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


class GrantPublic(PublicModel):
    role: Role
    directorate_id: uuid.UUID | None = Field(
        description="Set when the role is held for one directorate only."
    )
    programme_id: uuid.UUID | None = Field(
        default=None, description="Set when the role is held for one programme only."
    )
    project_id: uuid.UUID | None = Field(
        default=None, description="Set when the role is held for one project only."
    )
    scope: str = Field(
        default="the whole organisation",
        description="Where the role is held, in words: 'the whole organisation', 'programme ICT'.",
    )


class UserCreate(InputModel):
    email: Email
    display_name: Name
    password: Password = Field(
        description="At least 12 characters, and not one of the most common passwords."
    )


class UserUpdate(InputModel):
    email: Email | None = None
    display_name: Name | None = None


class PasswordChange(InputModel):
    current_password: GivenPassword
    new_password: Password = Field(
        description="At least 12 characters, and not one of the most common passwords."
    )


class UserAction(StrEnum):
    """What an administrator can do to a person's account (`allowed_actions`)."""

    edit = "edit"  # PATCH /users/{id}: name or email
    deactivate = "deactivate"  # POST /users/{id}/deactivate
    reactivate = "reactivate"  # POST /users/{id}/reactivate
    delete = "delete"  # DELETE /users/{id}
    reissue_invitation = "reissue_invitation"  # POST /users/{id}/invitation: invited, no password set yet


class UserPublic(PublicModel):
    id: uuid.UUID
    email: str
    display_name: str
    is_active: bool
    roles: list[GrantPublic]
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[UserAction] = Field(
        description="What you may do to the account now: the checks its routes make, run for you."
    )


class RoleAssignmentCreate(InputModel):
    user_id: uuid.UUID
    role: Role
    directorate_id: uuid.UUID | None = Field(
        default=None,
        description="Hold the role for this directorate only (project_manager, sponsor, finance).",
    )
    programme_id: uuid.UUID | None = Field(
        default=None,
        description="Hold the role for this programme only (project_manager, sponsor, finance).",
    )
    project_id: uuid.UUID | None = Field(
        default=None,
        description="Hold the role for this project only (project_manager, sponsor, finance).",
    )

    @model_validator(mode="after")
    def _scope_fits_role(self) -> RoleAssignmentCreate:
        given = [n for n in ("directorate_id", "programme_id", "project_id") if getattr(self, n) is not None]
        if len(given) > 1:
            raise FieldValueError(
                given[1], "Choose one scope: a directorate, a programme or a project, not several"
            )
        if given and self.role not in SCOPABLE_ROLES:
            raise FieldValueError(
                given[0],
                f"The {ROLE_WORDS[self.role]} role is held for the whole organisation: "
                "only a project manager, sponsor or finance officer role can be held for one "
                "directorate, programme or project",
            )
        return self


class RoleAssignmentPublic(PublicModel):
    id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    directorate_id: uuid.UUID | None
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    scope: str = Field(
        default="the whole organisation",
        description="Where the role is held, in words: 'the whole organisation', 'programme ICT'.",
    )
    created_at: datetime


class OrganisationSummary(PublicModel):
    id: uuid.UUID
    name: str


class MePublic(PublicModel):
    """Who is asking."""

    kind: str = Field(description="'user' or 'client'.")
    id: uuid.UUID
    organisation: OrganisationSummary
    email: str | None = None
    display_name: str
    roles: list[GrantPublic]
    scopes: list[str]
    permissions: list[str]
