"""The portfolio register and stage gates: portfolios, programmes, projects, milestones,
governance bodies, lifecycles and gate reviews; organisation settings for them.

Revision ID: c46c3e2a6519
Revises: 574f6fd53d35
Create Date: 2026-11-22 05:50:34.434927
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "c46c3e2a6519"
down_revision: str | None = "574f6fd53d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lifecycles",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("builtin_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("stages", JSONDocument, nullable=False),
        sa.Column("gates", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name", name="uq_lifecycle_name"),
    )
    with op.batch_alter_table("lifecycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lifecycles_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "portfolios",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name", name="uq_portfolio_name"),
    )
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolios_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "reference_counters",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("organisation_id", "prefix"),
    )
    op.create_table(
        "governance_bodies",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("directorate_id", sa.Uuid(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.ForeignKeyConstraint(
            ["directorate_id"],
            ["directorates.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name", name="uq_governance_body_name"),
    )
    with op.batch_alter_table("governance_bodies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_governance_bodies_directorate_id"), ["directorate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_governance_bodies_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "governance_body_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("body_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["governance_bodies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "user_id", name="uq_governance_body_member"),
    )
    with op.batch_alter_table("governance_body_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_governance_body_members_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_governance_body_members_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_governance_body_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "programmes",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ambition", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("resident_outcomes", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("success_measures", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("strategic_outcomes", JSONDocument, nullable=False),
        sa.Column("sro_id", sa.Uuid(), nullable=True),
        sa.Column("governance_body_id", sa.Uuid(), nullable=True),
        sa.Column("lead_directorate_id", sa.Uuid(), nullable=True),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["governance_body_id"],
            ["governance_bodies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_directorate_id"],
            ["directorates.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sro_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name", name="uq_programme_name"),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programmes_governance_body_id"), ["governance_body_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_programmes_lead_directorate_id"), ["lead_directorate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_programmes_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_programmes_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_programmes_sro_id"), ["sro_id"], unique=False)

    op.create_table(
        "projects",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("ambition", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("resident_outcomes", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("success_measures", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("strategic_outcomes", JSONDocument, nullable=False),
        sa.Column("lead_directorate_id", sa.Uuid(), nullable=True),
        sa.Column("sro_id", sa.Uuid(), nullable=True),
        sa.Column("project_manager_id", sa.Uuid(), nullable=True),
        sa.Column("governance_body_id", sa.Uuid(), nullable=True),
        sa.Column("lifecycle_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["governance_body_id"],
            ["governance_bodies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_directorate_id"],
            ["directorates.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lifecycle_id"],
            ["lifecycles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_manager_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sro_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_project_reference"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_confidence"), ["confidence"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_projects_governance_body_id"), ["governance_body_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_projects_lead_directorate_id"), ["lead_directorate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projects_lifecycle_id"), ["lifecycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_projects_project_manager_id"), ["project_manager_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projects_sro_id"), ["sro_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_stage"), ["stage"], unique=False)

    op.create_table(
        "confidence_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("scale", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("rating", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("commentary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("assessed_by_id", sa.Uuid(), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("confidence_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confidence_assessments_assessed_at"), ["assessed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_confidence_assessments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_confidence_assessments_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "gate_reviews",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("lifecycle_id", sa.Uuid(), nullable=False),
        sa.Column("gate_key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("from_stage", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("to_stage", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("answers", JSONDocument, nullable=False),
        sa.Column("business_case", JSONDocument, nullable=True),
        sa.Column("decider_ids", JSONDocument, nullable=False),
        sa.Column("approval", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("outcome_reason", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.ForeignKeyConstraint(
            ["lifecycle_id"],
            ["lifecycles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gate_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gate_reviews_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gate_reviews_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_gate_reviews_requested_by_id"), ["requested_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gate_reviews_status"), ["status"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("planned_quarter", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_status"), ["status"], unique=False)

    op.create_table(
        "gate_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("decider_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decider_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["gate_reviews.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "decider_id", name="uq_gate_decision"),
    )
    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gate_decisions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gate_decisions_review_id"), ["review_id"], unique=False)

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_lifecycle_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "confidence_scale",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="ipa5",  # existing organisations keep the default scale
            )
        )

    _install_builtin_lifecycles()


def _install_builtin_lifecycles() -> None:
    """Organisations made before this revision get the built-in lifecycles, Chesterfield's the
    default (new ones get them from `create_organisation`). Plain inserts from the template
    data; a deployment step, so not in the audit trail."""
    from pmo.gates.templates import BUILTIN_LIFECYCLES, DEFAULT_BUILTIN

    bind = op.get_bind()
    organisations = sa.table(
        "organisations", sa.column("id", sa.Uuid()), sa.column("default_lifecycle_id", sa.Uuid())
    )
    lifecycles = sa.table(
        "lifecycles",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("description", sa.String()),
        sa.column("builtin_key", sa.String()),
        sa.column("stages", JSONDocument),
        sa.column("gates", JSONDocument),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
        sa.column("version", sa.Integer()),
    )
    now = datetime.now(UTC)
    for (organisation_id,) in bind.execute(sa.select(organisations.c.id)).all():
        default_id = None
        for template in BUILTIN_LIFECYCLES:
            lifecycle_id = uuid.uuid4()
            bind.execute(
                lifecycles.insert().values(
                    id=lifecycle_id,
                    organisation_id=organisation_id,
                    name=template["name"],
                    description=template["description"],
                    builtin_key=template["builtin_key"],
                    stages=template["stages"],
                    gates=template["gates"],
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            if template["builtin_key"] == DEFAULT_BUILTIN:
                default_id = lifecycle_id
        bind.execute(
            organisations.update()
            .where(organisations.c.id == organisation_id)
            .values(default_lifecycle_id=default_id)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("confidence_scale")
        batch_op.drop_column("default_lifecycle_id")

    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_decisions_review_id"))
        batch_op.drop_index(batch_op.f("ix_gate_decisions_organisation_id"))

    op.drop_table("gate_decisions")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_status"))
        batch_op.drop_index(batch_op.f("ix_milestones_project_id"))
        batch_op.drop_index(batch_op.f("ix_milestones_owner_id"))
        batch_op.drop_index(batch_op.f("ix_milestones_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_milestones_due_date"))

    op.drop_table("milestones")
    with op.batch_alter_table("gate_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_gate_reviews_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_gate_reviews_project_id"))
        batch_op.drop_index(batch_op.f("ix_gate_reviews_organisation_id"))

    op.drop_table("gate_reviews")
    with op.batch_alter_table("confidence_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confidence_assessments_project_id"))
        batch_op.drop_index(batch_op.f("ix_confidence_assessments_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_confidence_assessments_assessed_at"))

    op.drop_table("confidence_assessments")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_stage"))
        batch_op.drop_index(batch_op.f("ix_projects_sro_id"))
        batch_op.drop_index(batch_op.f("ix_projects_project_manager_id"))
        batch_op.drop_index(batch_op.f("ix_projects_programme_id"))
        batch_op.drop_index(batch_op.f("ix_projects_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_projects_lifecycle_id"))
        batch_op.drop_index(batch_op.f("ix_projects_lead_directorate_id"))
        batch_op.drop_index(batch_op.f("ix_projects_governance_body_id"))
        batch_op.drop_index(batch_op.f("ix_projects_confidence"))

    op.drop_table("projects")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_sro_id"))
        batch_op.drop_index(batch_op.f("ix_programmes_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_programmes_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_programmes_lead_directorate_id"))
        batch_op.drop_index(batch_op.f("ix_programmes_governance_body_id"))

    op.drop_table("programmes")
    with op.batch_alter_table("governance_body_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_governance_body_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_governance_body_members_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_governance_body_members_body_id"))

    op.drop_table("governance_body_members")
    with op.batch_alter_table("governance_bodies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_governance_bodies_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_governance_bodies_directorate_id"))

    op.drop_table("governance_bodies")
    op.drop_table("reference_counters")
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolios_organisation_id"))

    op.drop_table("portfolios")
    with op.batch_alter_table("lifecycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lifecycles_organisation_id"))

    op.drop_table("lifecycles")
