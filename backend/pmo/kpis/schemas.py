"""Input and output models of KPI definitions, targets, values and scorecards.

KPI numbers are exact decimals. In JSON they are strings (`"72.5"`) or whole numbers (`72`);
a JSON number with a fraction (`72.5`) is refused with 422, because a float has no exact
decimal value and a client that sends one has a rounding bug we should not hide (the same
rule as money). Responses give them as strings at the KPI's decimal places (`"72.5"`).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema

from pmo.core.periods import PERIOD_CODE_PATTERN
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
from pmo.kpis.calculations import MAX_DECIMAL_PLACES, KpiDirection, Polarity, Rag, Unit

# ASCII digits, matched whole, no surrounding space: Python's \d and Decimal() would also take
# Arabic-Indic or fullwidth digits and whitespace. (The schema's `\d` is ECMA's, ASCII only.)
_NUMBER_RE = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?", re.ASCII)
_NUMBER_PATTERN = r"^-?\d{1,15}(\.\d{1,6})?$"


def _exact_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError('must be a decimal string like "72.5" or a whole number')
    if isinstance(value, int):
        if abs(value) >= 10**15:
            raise ValueError("is too large")
        return Decimal(value)
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value):
        number = Decimal(value)
        if number == 0 and value.startswith("-"):
            raise ValueError('must not be negative zero; write "0"')
        return number
    if isinstance(value, float):
        raise ValueError(
            'must be a decimal string like "72.5" (or a whole number), not a JSON number with a fraction'
        )
    raise ValueError(
        'must be a decimal string like "72.5" (at most 15 digits before the point and 6 after) '
        "or a whole number"
    )


def decimal_text(value: Decimal) -> str:
    return format(value, "f")


_NUMBER_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "pattern": _NUMBER_PATTERN},
        {"type": "integer", "minimum": -(10**15) + 1, "maximum": 10**15 - 1},
    ],
    "description": 'An exact decimal: a string like "72.5", or a whole number. '
    "JSON numbers with a fraction are refused.",
    "examples": ["72.5"],
}
# In requests: an exact decimal (string, or whole number).
ExactNumber = Annotated[Decimal, BeforeValidator(_exact_decimal), WithJsonSchema(_NUMBER_SCHEMA)]
# In responses: a decimal string.
DecimalString = Annotated[
    Decimal,
    PlainSerializer(decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _NUMBER_PATTERN, "examples": ["72.5"]}),
]


def _tolerance(value: Any) -> Decimal:
    number = _exact_decimal(value)
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError("must be between 0 and 100 (percent of the target)")
    if -number.as_tuple().exponent > 2:  # type: ignore[operator]
        raise ValueError("has more than two decimal places")
    return number


_TOLERANCE_PATTERN = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
# A tolerance: percent of the target within which a miss is amber, 0 to 100, two places at most.
TolerancePercent = Annotated[
    Decimal,
    BeforeValidator(_tolerance),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": _TOLERANCE_PATTERN},
                {"type": "integer", "minimum": 0, "maximum": 100},
            ],
            "description": 'Percent of the target, 0 to 100, e.g. "5" or "2.5": a miss within it is amber.',
            "examples": ["5"],
        }
    ),
]

KpiCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
    ),
    Field(description="Unique in the organisation, e.g. `ICT-01`.", examples=["ICT-01"]),
]
PeriodCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=7, max_length=12, pattern=PERIOD_CODE_PATTERN),
    Field(
        description="`2022-23` (financial year), `2022-23-Q1` (quarter, Q1 April-June) or `2022-04` "
        "(month), matching the KPI's frequency.",
        examples=["2023-24-Q1"],
    ),
]
DataSource = Annotated[str, StringConstraints(max_length=500), _Clean]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
Places = Annotated[int, Field(ge=0, le=MAX_DECIMAL_PLACES, description="0 to 6: what values are rounded to.")]


class Frequency(StrEnum):
    annual = "annual"
    quarterly = "quarterly"
    monthly = "monthly"


class KpiStatus(StrEnum):
    active = "active"
    retired = "retired"


class ValueStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    verified = "verified"
    published = "published"


class KpiAction(StrEnum):
    """What can be done to a KPI definition (`allowed_actions`)."""

    edit = "edit"  # PATCH /kpis/{id}
    retire = "retire"  # POST /kpis/{id}/retire: it is active
    reinstate = "reinstate"  # POST /kpis/{id}/reinstate: it is retired
    add_target = "add_target"  # POST /kpis/{id}/targets
    record_value = "record_value"  # POST /kpis/{id}/values: it is active, and you may submit for it


class KpiTargetAction(StrEnum):
    """What can be done to a KPI target (`allowed_actions`)."""

    edit = "edit"  # PATCH /kpi-targets/{id}
    delete = "delete"  # DELETE /kpi-targets/{id}


class KpiValueAction(StrEnum):
    """What can be done to a KPI value (`allowed_actions`)."""

    edit = "edit"  # PATCH /kpi-values/{id} (a published one with a reason)
    delete = "delete"  # DELETE /kpi-values/{id}
    submit = "submit"  # POST /kpi-values/{id}/submit
    verify = "verify"  # POST /kpi-values/{id}/verify
    publish = "publish"  # POST /kpi-values/{id}/publish
    return_to_draft = "return_to_draft"  # POST /kpi-values/{id}/return


# Definitions -------------------------------------------------------------------------------


class KpiCreate(InputModel):
    code: KpiCode
    name: Name
    description: Description = ""
    unit: Unit
    polarity: Polarity = Field(description="`none`: no RAG, and direction is increasing or decreasing.")
    frequency: Frequency
    decimal_places: Places = 0
    owner_id: uuid.UUID | None = Field(default=None, description="A person of your organisation.")
    programme_id: uuid.UUID | None = Field(
        default=None, description="Give at most one of programme_id, project_id."
    )
    project_id: uuid.UUID | None = None
    data_source: DataSource = ""
    baseline_value: ExactNumber | None = Field(default=None, description="Give with baseline_period.")
    baseline_period: PeriodCode | None = None
    tolerance_percent: TolerancePercent | None = Field(
        default=None, description="Amber band; `null` takes the organisation's `kpi_tolerance_percent`."
    )


class KpiUpdate(InputModel):
    code: KpiCode | None = None
    name: Name | None = None
    description: Description | None = None
    unit: Unit | None = Field(default=None, description="Cannot change once the KPI has values (409).")
    polarity: Polarity | None = None
    frequency: Frequency | None = Field(
        default=None, description="Cannot change once the KPI has values or targets (409)."
    )
    decimal_places: Places | None = Field(
        default=None, description="Cannot go down once the KPI has values (409)."
    )
    owner_id: uuid.UUID | None = Field(default=None, description="`null` removes the owner.")
    programme_id: uuid.UUID | None = Field(default=None, description="`null` unlinks it.")
    project_id: uuid.UUID | None = Field(default=None, description="`null` unlinks it.")
    data_source: DataSource | None = None
    baseline_value: ExactNumber | None = None
    baseline_period: PeriodCode | None = None
    tolerance_percent: TolerancePercent | None = None


NULLABLE_KPI_FIELDS = frozenset(
    {"owner_id", "programme_id", "project_id", "baseline_value", "baseline_period", "tolerance_percent"}
)


class PeriodPublic(PublicModel):
    code: str = Field(examples=["2023-24-Q1"])
    label: str = Field(examples=["2023/24 Q1"])
    start: date
    end: date


class KpiPublic(PublicModel):
    id: uuid.UUID
    code: str
    name: str
    description: str
    unit: Unit
    polarity: Polarity
    frequency: Frequency
    decimal_places: int
    owner_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    project_id: uuid.UUID | None
    data_source: str
    baseline_value: DecimalString | None
    baseline_period: PeriodPublic | None
    tolerance_percent: DecimalString | None = Field(description="`null`: the organisation's is used.")
    status: KpiStatus
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[KpiAction] = Field(
        description="What you may do to the KPI now: the checks its routes make, run for you."
    )


# Targets -----------------------------------------------------------------------------------


class TargetCreate(InputModel):
    period_code: PeriodCode
    target: ExactNumber
    tolerance_percent: TolerancePercent | None = Field(
        default=None, description="Overrides the KPI's tolerance for this period only."
    )


class TargetUpdate(InputModel):
    target: ExactNumber | None = None
    tolerance_percent: TolerancePercent | None = Field(default=None, description="`null` removes it.")


class TargetPublic(PublicModel):
    id: uuid.UUID
    kpi_id: uuid.UUID
    period: PeriodPublic
    target: DecimalString
    tolerance_percent: DecimalString | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[KpiTargetAction] = Field(
        description="What you may do to the target now: the checks its routes make, run for you."
    )


# Values ------------------------------------------------------------------------------------


class ValueCreate(InputModel):
    period_code: PeriodCode
    actual: ExactNumber
    commentary: Description = ""


class ValueUpdate(InputModel):
    actual: ExactNumber | None = None
    commentary: Description | None = None
    reason: Reason | None = Field(
        default=None,
        description="Required to change a published value (PMO only): kept with the earlier version.",
    )


class ReturnToDraft(InputModel):
    reason: Reason


class AssessmentPublic(PublicModel):
    """Worked out by the server, exact at the KPI's decimal places (DOMAIN.md section 6)."""

    target: DecimalString | None = Field(description="The target for this period, if one is set.")
    tolerance_percent: DecimalString = Field(
        description="The one used: the target's, the KPI's or the organisation's."
    )
    rag: Rag | None = Field(
        description="`null` with no target or no polarity (never red for a missing target)."
    )
    previous_period: str
    previous_actual: DecimalString | None = Field(description="The published value of the previous period.")
    direction_vs_previous: KpiDirection | None
    change_vs_previous_percent: DecimalString | None = Field(description="% change, one decimal place.")
    year_before_period: str
    year_before_actual: DecimalString | None
    direction_vs_year_before: KpiDirection | None
    change_vs_year_before_percent: DecimalString | None


class ValuePublic(PublicModel):
    id: uuid.UUID
    kpi_id: uuid.UUID
    kpi_code: str
    period: PeriodPublic
    actual: DecimalString
    commentary: str
    status: ValueStatus
    entered_by_id: uuid.UUID | None
    submitted_by_id: uuid.UUID | None
    submitted_at: datetime | None
    verified_by_id: uuid.UUID | None
    verified_at: datetime | None
    published_by_id: uuid.UUID | None
    published_at: datetime | None
    assessment: AssessmentPublic
    version: int
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[KpiValueAction] = Field(
        description="What you may do to the value now: the checks its routes make, run for you."
    )


class RevisionPublic(PublicModel):
    """An earlier version of a value changed after it was published."""

    id: uuid.UUID
    value_id: uuid.UUID
    version: int
    actual: DecimalString
    commentary: str
    status: ValueStatus
    published_at: datetime | None
    published_by_id: uuid.UUID | None
    replaced_at: datetime
    replaced_by_id: uuid.UUID | None
    reason: str


class RevisionList(PublicModel):
    items: list[RevisionPublic] = Field(description="Oldest first.")


# Scorecards --------------------------------------------------------------------------------


class ScorecardKpi(PublicModel):
    id: uuid.UUID
    code: str
    name: str
    unit: Unit
    polarity: Polarity
    frequency: Frequency
    owner_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    project_id: uuid.UUID | None


class ScorecardRow(PublicModel):
    kpi: ScorecardKpi
    latest: ValuePublic | None = Field(description="The value of the latest period shown to you, if any.")
    last_ended_period: PeriodPublic = Field(
        description="The most recent period of its frequency that has ended."
    )
    missing_data: bool = Field(description="No value at all (in any state) for `last_ended_period`.")
    awaiting_publication: bool = Field(
        description="A value for `last_ended_period` is entered but not yet published (draft, submitted "
        "or verified): not missing, not yet shown to readers."
    )


class RagCounts(PublicModel):
    green: int
    amber: int
    red: int
    no_rag: int = Field(
        description="KPIs whose latest value has no RAG (no target, no polarity) or no value."
    )


class MissingData(PublicModel):
    kpi_id: uuid.UUID
    code: str
    name: str
    period: PeriodPublic


class Scorecard(PublicModel):
    scope: str = Field(description="`organisation`, `programme` or `portfolio`.")
    scope_id: uuid.UUID | None
    as_of: date = Field(description="Today in the UK: what 'ended' is counted from.")
    include_unpublished: bool
    counts: RagCounts
    rows: list[ScorecardRow] = Field(description="Every active KPI in scope, by code.")
    missing_data: list[MissingData]
