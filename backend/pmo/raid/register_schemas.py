from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field

from pmo.core.references import RaidReference
from pmo.core.schemas import Page, PublicModel
from pmo.raid.scoring import Band


class RaidType(StrEnum):
    risk = "risk"
    issue = "issue"
    assumption = "assumption"
    dependency = "dependency"


class RaidRegisterItem(PublicModel):
    """One item of the portfolio-wide RAID register, whatever its log."""

    type: RaidType
    id: uuid.UUID
    reference: RaidReference
    title: str
    status: str
    owner_id: uuid.UUID | None
    owner_name: str | None
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None = Field(
        description="The programme it hangs on, or its project's programme."
    )
    review_or_due: date | None = Field(
        description="A risk's review date, an issue's due date, an assumption's validate-by, "
        "a dependency's needed-by."
    )
    residual_likelihood: int | None = Field(description="Risks only.")
    residual_impact: int | None = Field(description="Risks only.")
    residual_score: int | None = Field(description="Risks only.")
    rating: Band | None = Field(
        description="A risk's RAG band on its residual score; none for the other logs."
    )


class RaidRegisterPage(Page[RaidRegisterItem]):
    """A page of the RAID register."""
