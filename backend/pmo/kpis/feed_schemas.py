"""What the KPI feed returns to other council systems: definitions and published values."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field, PlainSerializer

from pmo.core.schemas import page_schema_name
from pmo.kpis.calculations import KpiDirection, Rag

# Exact decimals travel as strings ("72.5"), never as JSON numbers a client would read as floats.
T = TypeVar("T")

DecimalString = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str)]


class FeedDefinition(BaseModel):
    id: uuid.UUID
    code: str = Field(description="The KPI's code, e.g. `CS-01`: what values refer to.")
    name: str
    description: str
    unit: str = Field(description="number, percentage, money, ratio, yes_no or duration.")
    polarity: str = Field(description="higher_is_better, lower_is_better or none.")
    frequency: str = Field(description="monthly, quarterly or annual.")
    decimal_places: int
    programme_id: uuid.UUID | None
    project_id: uuid.UUID | None
    data_source: str
    baseline_value: DecimalString | None
    baseline_period: str | None
    tolerance_percent: DecimalString | None = Field(
        description="Amber band in percent of the target; null: the organisation's default."
    )
    status: str = Field(description="active or retired.")
    updated_at: datetime
    version: int


class FeedValue(BaseModel):
    id: uuid.UUID
    kpi_id: uuid.UUID
    kpi_code: str
    period_code: str = Field(description="`2022-23` (year), `2022-23-Q1` (quarter) or `2022-04` (month).")
    period_label: str = Field(description='As people write it: "2022/23 Q1", "April 2022".')
    period_start: date
    period_end: date
    actual: DecimalString = Field(description="Exact decimal, as a string.")
    commentary: str
    published_at: datetime | None
    updated_at: datetime = Field(description="Last change to the value itself: what `updated_since` uses.")
    version: int = Field(description="Goes up with every change, including a correction after publication.")
    target: DecimalString | None
    tolerance_percent: DecimalString
    rag: Rag | None = Field(description="Against the target; null without a target or polarity.")
    previous_period: str
    previous_actual: DecimalString | None = Field(description="The previous period's published actual.")
    direction_vs_previous: KpiDirection | None
    change_vs_previous_percent: DecimalString | None
    year_before_period: str
    year_before_actual: DecimalString | None
    direction_vs_year_before: KpiDirection | None
    change_vs_year_before_percent: DecimalString | None
    sequence: int = Field(
        description="The number of this value's latest change in the feed's change sequence (commit "
        "order; the paging order). Resume with `after_sequence` set to the largest you hold."
    )
    organisation_gss_code: str | None = Field(
        description="The council's ONS GSS code (e.g. `E07000034`), to join with other data; null "
        "until the administrator sets it."
    )


class FeedPage(BaseModel, Generic[T]):
    """One page (values in `sequence` order, definitions by `updated_at`); follow `next` until null."""

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return page_schema_name(params)

    items: list[T]
    limit: int
    next: str | None = Field(
        description="The next page's absolute URL (also in the `Link` header); null on the last."
    )
    next_cursor: str | None = Field(description="The `cursor` of the next page.")


FEED_DEFINITION_COLUMNS = list(FeedDefinition.model_fields)
FEED_VALUE_COLUMNS = list(FeedValue.model_fields)
