"""Notifications in the app and a person's choice of email for each kind."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field, StrictBool

from pmo.core.schemas import InputModel, PublicModel


class NotificationKind(StrEnum):
    decision_waiting = "decision_waiting"  # a gate review or draw-down waits for your decision
    assigned = "assigned"  # a risk action was given to you
    kpi_value_due = "kpi_value_due"  # a KPI value of yours is due
    review_overdue = "review_overdue"  # a risk you own is past its review date
    request_decided = "request_decided"  # a gate review or draw-down you requested was decided


class NotificationPublic(PublicModel):
    """One notification: what happened, where to see it, and whether you have read it."""

    id: uuid.UUID
    kind: NotificationKind
    title: str
    link: str = Field(description="The web app's page of the record, e.g. `/gate-reviews/{id}`.")
    created_at: datetime
    read_at: datetime | None = Field(description="`null` while unread.")


class UnreadNotifications(PublicModel):
    """How many of your notifications you have not read."""

    unread: int


class NotificationsMarkedRead(PublicModel):
    """How many notifications this call marked read."""

    marked: int


class EmailChoice(PublicModel):
    """Whether notifications of one kind also come by email (they always show in the app)."""

    kind: NotificationKind
    email: bool


class NotificationPreferences(PublicModel):
    """Your choice of email, one entry per kind of notification."""

    choices: list[EmailChoice]


class EmailChoiceUpdate(InputModel):
    kind: NotificationKind
    # Strict: "yes", 1 or "false" are not a choice a person made.
    email: StrictBool


class NotificationPreferencesUpdate(InputModel):
    """The kinds whose email you turn on or off (kinds not named keep their setting)."""

    choices: list[EmailChoiceUpdate] = Field(min_length=1, max_length=len(NotificationKind))
