"""Portfolios: input and output models, and the status and date checks the register shares."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, model_validator

from pmo.core.periods import IsoDate
from pmo.core.schemas import Description, InputModel, Name, PublicModel


class RecordStatus(StrEnum):
    """A portfolio or programme: `active`, or `closed` (kept, read-only for new work)."""

    active = "active"
    closed = "closed"


STATUS_DESCRIPTION = (
    "`closed` closes it (a programme once all its projects are in their last stage; a portfolio "
    "once all its programmes are closed); `active` opens it again."
)


class PortfolioAction(StrEnum):
    """What can be done to a portfolio (`allowed_actions`)."""

    edit = "edit"  # PATCH /portfolios/{id}
    close = "close"  # PATCH /portfolios/{id} with status closed: it is active, its programmes all closed
    reopen = "reopen"  # PATCH /portfolios/{id} with status active: it is closed
    delete = "delete"  # DELETE /portfolios/{id}: it has no programmes


def dates_in_order(start: date | None, end: date | None, names: str = "planned_start") -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"the end date must not be before {names}")


class PortfolioCreate(InputModel):
    name: Name
    description: Description = ""
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _order(self) -> PortfolioCreate:
        dates_in_order(self.start_date, self.end_date, "start_date")
        return self


class PortfolioUpdate(InputModel):
    name: Name | None = None
    description: Description | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    status: RecordStatus | None = Field(default=None, description=STATUS_DESCRIPTION)


class PortfolioPublic(PublicModel):
    id: uuid.UUID
    name: str
    description: str
    start_date: date | None
    end_date: date | None
    status: RecordStatus
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[PortfolioAction] = Field(
        description="What you may do to the portfolio now: the checks its routes make, run for you."
    )
