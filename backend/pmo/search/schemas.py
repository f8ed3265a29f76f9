from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from pmo.core.schemas import Page

SearchKind = Literal["project", "programme", "risk", "issue", "action", "kpi", "drawdown"]


class SearchResult(BaseModel):
    """One record the search found."""

    model_config = {"title": "SearchResult"}

    kind: SearchKind = Field(description="Which register the record is in.")
    id: uuid.UUID
    reference: str | None = Field(
        description="R-0003, DD-0012, a KPI's code; none for programmes and actions."
    )
    title: str
    rank: float = Field(
        description="How well it matches: higher first. An exact reference ranks above words."
    )


class SearchResultPage(Page[SearchResult]):
    """A page of search results, best match first."""
