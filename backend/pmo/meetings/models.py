from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Field

from pmo.core.db import Tracked, id_field


class Meeting(Tracked, table=True):
    """A meeting of a governance body (Cabinet on 26 April 2022): what a report pack is for,
    and the date that bounds "decided since the last meeting"."""

    __tablename__ = "meetings"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    body_id: uuid.UUID = Field(foreign_key="governance_bodies.id", index=True)
    meets_on: date = Field(index=True)
    title: str = Field(max_length=200)
    location: str = Field(default="", max_length=200)
