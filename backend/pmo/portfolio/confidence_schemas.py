"""Delivery confidence assessments: the scales, input and output models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from pmo.core.schemas import InputModel, PublicModel, _Clean


class ConfidenceRating(StrEnum):
    """Every rating of either scale. `ipa5`: all five; `rag3`: green, amber, red."""

    green = "green"
    amber_green = "amber_green"
    amber = "amber"
    amber_red = "amber_red"
    red = "red"


CONFIDENCE_SCALES: dict[str, tuple[ConfidenceRating, ...]] = {
    "ipa5": (
        ConfidenceRating.green,
        ConfidenceRating.amber_green,
        ConfidenceRating.amber,
        ConfidenceRating.amber_red,
        ConfidenceRating.red,
    ),
    "rag3": (ConfidenceRating.green, ConfidenceRating.amber, ConfidenceRating.red),
}


class ConfidenceCreate(InputModel):
    rating: ConfidenceRating = Field(
        description="On the organisation's scale: ipa5 (all five) or rag3 (green, amber, red)."
    )
    commentary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean
    ] = Field(description="Why: required.")


class ConfidencePublic(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    scale: str
    rating: ConfidenceRating
    commentary: str
    assessed_by_id: uuid.UUID | None
    assessed_at: datetime
