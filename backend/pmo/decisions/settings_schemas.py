"""An organisation's key-decision thresholds and what it publishes without signing in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from pmo.core.money import Amount, Pounds
from pmo.core.schemas import InputModel, PublicModel


class DecisionSettingsPublic(PublicModel):
    key_decision_spending_threshold: Pounds = Field(
        description="Spending ABOVE this is a key decision (exactly the threshold is not)."
    )
    key_decision_saving_threshold: Pounds = Field(description="Saving ABOVE this is a key decision.")
    key_decision_min_wards: int = Field(
        description="A decision significant for the communities of at least this many wards is a "
        "key decision."
    )
    publish_officer_decisions: bool = Field(
        description="The record of officer decisions is readable without signing in."
    )
    publish_forward_plan: bool = Field(description="The forward plan is readable without signing in.")


class DecisionSettingsUpdate(InputModel):
    key_decision_spending_threshold: Amount | None = None
    key_decision_saving_threshold: Amount | None = None
    key_decision_min_wards: Annotated[int, Field(ge=1, le=100)] | None = None
    publish_officer_decisions: bool | None = None
    publish_forward_plan: bool | None = None
