"""The RAID log: risks and their actions, issues, assumptions and dependencies, and the
organisation's risk scale.

Revision ID: 281d96093a6d
Revises: c46c3e2a6519
Create Date: 2026-11-22 06:28:22.737524
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import UTCDateTime

revision: str = "281d96093a6d"
down_revision: str | None = "c46c3e2a6519"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dependencies",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("other_project_id", sa.Uuid(), nullable=True),
        sa.Column("external_party", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("escalation_level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("escalation_reason", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["other_project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_dependency_reference"),
    )
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dependencies_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dependencies_escalation_level"), ["escalation_level"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dependencies_needed_by"), ["needed_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dependencies_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dependencies_other_project_id"), ["other_project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dependencies_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_status"), ["status"], unique=False)

    op.create_table(
        "risks",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("effect", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("nature", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("scale", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("inherent_likelihood", sa.Integer(), nullable=False),
        sa.Column("inherent_impact", sa.Integer(), nullable=False),
        sa.Column("residual_likelihood", sa.Integer(), nullable=False),
        sa.Column("residual_impact", sa.Integer(), nullable=False),
        sa.Column("target_likelihood", sa.Integer(), nullable=True),
        sa.Column("target_impact", sa.Integer(), nullable=True),
        sa.Column("inherent_score", sa.Integer(), nullable=False),
        sa.Column("residual_score", sa.Integer(), nullable=False),
        sa.Column("proximity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("response_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("escalation_level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("escalation_reason", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_risk_reference"),
    )
    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risks_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_escalation_level"), ["escalation_level"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_inherent_score"), ["inherent_score"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_residual_score"), ["residual_score"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_review_date"), ["review_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_risks_status"), ["status"], unique=False)

    op.create_table(
        "raid_issues",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("issue_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_by_id", sa.Uuid(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("escalation_level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("escalation_reason", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("risk_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_issue_reference"),
        sa.UniqueConstraint("risk_id"),
    )
    with op.batch_alter_table("raid_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raid_issues_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_raid_issues_escalation_level"), ["escalation_level"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_raid_issues_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_issues_status"), ["status"], unique=False)

    op.create_table(
        "risk_actions",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("risk_id", sa.Uuid(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("actionee_id", sa.Uuid(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["actionee_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_actions_actionee_id"), ["actionee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_actions_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_actions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_risk_actions_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "assumptions",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("validate_by", sa.Date(), nullable=True),
        sa.Column("raised_risk_id", sa.Uuid(), nullable=True),
        sa.Column("raised_issue_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_issue_id"],
            ["raid_issues.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_risk_id"],
            ["risks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_assumption_reference"),
    )
    with op.batch_alter_table("assumptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assumptions_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumptions_validate_by"), ["validate_by"], unique=False)

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "risk_scale",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="5x5",  # existing organisations keep the default scale
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("risk_scale")

    with op.batch_alter_table("assumptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assumptions_validate_by"))
        batch_op.drop_index(batch_op.f("ix_assumptions_status"))
        batch_op.drop_index(batch_op.f("ix_assumptions_project_id"))
        batch_op.drop_index(batch_op.f("ix_assumptions_programme_id"))
        batch_op.drop_index(batch_op.f("ix_assumptions_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_assumptions_owner_id"))
        batch_op.drop_index(batch_op.f("ix_assumptions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_assumptions_category"))

    op.drop_table("assumptions")
    with op.batch_alter_table("risk_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_actions_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_actions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_risk_actions_due_date"))
        batch_op.drop_index(batch_op.f("ix_risk_actions_actionee_id"))

    op.drop_table("risk_actions")
    with op.batch_alter_table("raid_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raid_issues_status"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_project_id"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_programme_id"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_owner_id"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_escalation_level"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_due_date"))
        batch_op.drop_index(batch_op.f("ix_raid_issues_category"))

    op.drop_table("raid_issues")
    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risks_status"))
        batch_op.drop_index(batch_op.f("ix_risks_review_date"))
        batch_op.drop_index(batch_op.f("ix_risks_residual_score"))
        batch_op.drop_index(batch_op.f("ix_risks_project_id"))
        batch_op.drop_index(batch_op.f("ix_risks_programme_id"))
        batch_op.drop_index(batch_op.f("ix_risks_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_risks_owner_id"))
        batch_op.drop_index(batch_op.f("ix_risks_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_risks_inherent_score"))
        batch_op.drop_index(batch_op.f("ix_risks_escalation_level"))
        batch_op.drop_index(batch_op.f("ix_risks_category"))

    op.drop_table("risks")
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependencies_status"))
        batch_op.drop_index(batch_op.f("ix_dependencies_project_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_programme_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_owner_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_other_project_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_needed_by"))
        batch_op.drop_index(batch_op.f("ix_dependencies_escalation_level"))
        batch_op.drop_index(batch_op.f("ix_dependencies_category"))

    op.drop_table("dependencies")
