"""Load the demo portfolio (`pmo.portfolio.demo_data`) through the services.

Everything goes through the `pmo.portfolio` services and `pmo.gates.service`, acting as the demo
people, so the audit trail records each record and who made it: the PMO builds the register;
projects reach the stage Appendix B gives through gate reviews requested by their project
manager (or the PMO) and approved by the Service Director; delivery confidence is set by the
SRO; a few reviews are left waiting for a decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from pmo.core.permissions import Actor
from pmo.gates import service as gates
from pmo.gates.models import Lifecycle
from pmo.gates.schemas import Answer, GateDecisionChoice, GateDecisionCreate, GateReviewCreate
from pmo.organisations.models import Directorate, Organisation, User
from pmo.organisations.service import grants_of
from pmo.portfolio import (
    confidence_service,
    governance_bodies_service,
    milestones_service,
    portfolios_service,
    programmes_service,
    projects_service,
)
from pmo.portfolio.confidence_schemas import ConfidenceCreate, ConfidenceRating
from pmo.portfolio.demo_data import (
    CHESTERFIELD_PORTFOLIO,
    PMO,
    SPONSOR,
    GateRequestSpec,
    PortfolioSpec,
    ProgrammeSpec,
    ProjectSpec,
)
from pmo.portfolio.governance_bodies_schemas import (
    GovernanceBodyCreate,
    GovernanceBodyKind,
    GovernanceBodyMemberCreate,
    MemberRole,
)
from pmo.portfolio.milestones_schemas import MilestoneCreate
from pmo.portfolio.models import GovernanceBody, Portfolio, Programme, Project
from pmo.portfolio.portfolios_schemas import PortfolioCreate
from pmo.portfolio.programmes_schemas import ProgrammeCreate
from pmo.portfolio.projects_schemas import ProjectCreate


def actor_for(session: Session, user: User) -> Actor:
    """The actor a signed-in `user` would be, with their roles."""
    return Actor(
        kind="user",
        id=user.id,
        organisation_id=user.organisation_id,
        label=user.email,
        grants=tuple(grants_of(session, [user.id])[user.id]),
    )


class _Loader:
    def __init__(
        self,
        session: Session,
        organisation: Organisation,
        users_by_email: Mapping[str, User],
        directorates_by_name: Mapping[str, Directorate],
        author: str,
    ) -> None:
        self.session = session
        self.organisation = organisation
        self.users = users_by_email
        self.directorates = directorates_by_name
        self.author_email = author
        self.author = self.actor(author)
        self.bodies: dict[str, GovernanceBody] = {}

    def actor(self, email: str) -> Actor:
        return actor_for(self.session, self.users[email])

    def user_id(self, email: str | None) -> uuid.UUID | None:
        return self.users[email].id if email else None

    def directorate_id(self, name: str | None) -> uuid.UUID | None:
        return self.directorates[name].id if name else None

    # The register ------------------------------------------------------------------------

    def portfolio(self, spec: PortfolioSpec) -> Portfolio:
        portfolio = portfolios_service.create_portfolio(
            self.session,
            self.author,
            PortfolioCreate(
                name=spec.name,
                description=spec.description,
                start_date=spec.start_date,
                end_date=spec.end_date,
            ),
        )
        for body_spec in spec.bodies:
            body = governance_bodies_service.create_governance_body(
                self.session,
                self.author,
                GovernanceBodyCreate(
                    name=body_spec.name,
                    kind=GovernanceBodyKind(body_spec.kind),
                    directorate_id=self.directorate_id(body_spec.directorate),
                    description=body_spec.description,
                ),
            )
            for member in body_spec.members:
                governance_bodies_service.add_member(
                    self.session,
                    self.author,
                    body,
                    GovernanceBodyMemberCreate(
                        user_id=self.users[member.email].id, role=MemberRole(member.role)
                    ),
                )
            self.bodies[body_spec.key] = body
        for programme_spec in spec.programmes:
            self.programme(portfolio, programme_spec)
        return portfolio

    def programme(self, portfolio: Portfolio, spec: ProgrammeSpec) -> Programme:
        programme = programmes_service.create_programme(
            self.session,
            self.author,
            ProgrammeCreate(
                portfolio_id=portfolio.id,
                name=spec.name,
                ambition=spec.ambition,
                resident_outcomes=spec.resident_outcomes,
                success_measures=spec.success_measures,
                strategic_outcomes=list(spec.strategic_outcomes),
                sro_id=self.user_id(spec.sro),
                governance_body_id=self.bodies[spec.board].id,
                lead_directorate_id=self.directorate_id(spec.lead_directorate),
                phase=spec.phase,
                planned_start=spec.planned_start,
                planned_end=spec.planned_end,
            ),
        )
        for project_spec in spec.projects:
            self.project(programme, project_spec)
        return programme

    def project(self, programme: Programme, spec: ProjectSpec) -> Project:
        description = "\n\n".join(part for part in (spec.description, f"Source: {spec.source}.") if part)
        project = projects_service.create_project(
            self.session,
            self.author,
            ProjectCreate(
                programme_id=programme.id,
                name=spec.name,
                description=description,
                lead_directorate_id=self.directorate_id(spec.directorate),
                sro_id=self.user_id(spec.sro),
                project_manager_id=self.user_id(spec.project_manager),
                governance_body_id=self.bodies[spec.board].id,
            ),
        )
        for milestone in spec.milestones:
            milestones_service.create_milestone(
                self.session,
                self.author,
                project,
                MilestoneCreate(
                    title=milestone.title,
                    description=milestone.description,
                    owner_id=self.user_id(spec.project_manager),
                    planned_quarter=milestone.quarter,
                ),
            )
        self.move_to(project, spec)
        if spec.confidence is not None:
            confidence_service.assess_confidence(
                self.session,
                self.actor(spec.sro or self.author_email),
                project,
                ConfidenceCreate(
                    rating=ConfidenceRating(spec.confidence.rating),
                    commentary=spec.confidence.commentary,
                ),
            )
        if spec.gate_request is not None:
            self.request(project, spec.gate_request)
        return project

    # Stages, through gate reviews ---------------------------------------------------------

    def move_to(self, project: Project, spec: ProjectSpec) -> None:
        """Take the project to the stage Appendix B gives, one approved gate at a time."""
        lifecycle = self.session.get_one(Lifecycle, project.lifecycle_id)
        stages = [stage["key"] for stage in lifecycle.stages]
        requester = spec.project_manager or self.author_email
        while stages.index(project.stage) < stages.index(spec.stage):
            gate = next(g for g in lifecycle.gates if g["from_stage"] == project.stage)
            review = self.request(project, _approved_request(gate, spec, requester))
            gates.decide(
                self.session,
                self.actor(SPONSOR),
                review,
                GateDecisionCreate(
                    decision=GateDecisionChoice.approve,
                    reason=(
                        f"{_stage_name(lifecycle, gate['to_stage'])} is the stage the Cabinet "
                        f"report of 26 April 2022 gives for this project (Appendix B)."
                    ),
                ),
            )
            self.session.refresh(project)

    def request(self, project: Project, spec: GateRequestSpec) -> Any:
        return gates.request_review(
            self.session,
            self.actor(spec.requested_by),
            project,
            GateReviewCreate(
                summary=spec.summary,
                answers=[Answer(criterion=key, answer=text) for key, text in spec.answers.items()],
                business_case=dict(spec.business_case) if spec.business_case is not None else None,
            ),
        )


def _stage_name(lifecycle: Lifecycle, key: str) -> str:
    return next(str(stage["name"]) for stage in lifecycle.stages if stage["key"] == key)


def _approved_request(gate: dict[str, Any], spec: ProjectSpec, requester: str) -> GateRequestSpec:
    """The evidence for a gate the report says the project has already passed.

    The report gives the stage, not the papers behind it: each answer says so and points at
    what the report does say (paragraphs 4.7-4.9, 4.20-4.22 and the appendix the project is in).
    """
    answers = {
        criterion["key"]: (
            f"Demo record: the report places the project at this stage ({spec.source}); "
            "it serves Council Plan priority three, delivering value for money services (para 4.20)."
        )
        for criterion in gate["criteria"]
    }
    sections = gate.get("business_case_sections") or []
    not_given = "Not given in the Cabinet report of 26 April 2022, which records the stage only."
    business_case = (
        {
            section: (spec.description or not_given) if section in ("costs", "benefits") else not_given
            for section in sections
        }
        if sections
        else None
    )
    return GateRequestSpec(
        requested_by=requester,
        summary=f"{gate['name']}: {spec.name}.",
        answers=answers,
        business_case=business_case,
    )


def load_portfolio_demo(
    session: Session,
    organisation: Organisation,
    users_by_email: Mapping[str, User],
    directorates_by_name: Mapping[str, Directorate],
    *,
    spec: PortfolioSpec = CHESTERFIELD_PORTFOLIO,
    author: str = PMO,
) -> bool:
    """Create the demo portfolio in `organisation`, acting as `author` (a `pmo` user).

    Returns False, changing nothing, if the organisation already has a portfolio of that name.
    """
    exists = session.execute(
        select(Portfolio.id).where(Portfolio.organisation_id == organisation.id, Portfolio.name == spec.name)
    ).first()
    if exists:
        return False
    _Loader(session, organisation, users_by_email, directorates_by_name, author).portfolio(spec)
    session.flush()
    return True
