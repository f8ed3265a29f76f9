"""`/api/v1/me/notifications` and `/api/v1/me/notification-preferences`: your own only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response

from pmo.auth.dependencies import Authenticated
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.pagination import PageDep
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.work import notifications_service as service
from pmo.work.notifications_schemas import (
    NotificationPreferences,
    NotificationPreferencesUpdate,
    NotificationPublic,
    NotificationsMarkedRead,
    UnreadNotifications,
)

router = ApiRouter(tags=["me"])


@router.get(
    "/me/notifications",
    response_model=Page[NotificationPublic],
    responses=declare(),
    summary="List my notifications",
)
def list_my_notifications(
    session: SessionDep,
    actor: Authenticated,
    page: PageDep,
    unread: Annotated[bool, Query(description="Only those not yet read.")] = False,
) -> Page[Any]:
    """Your notifications, newest first: decisions waiting for you, items assigned to you, KPI
    values due, reviews overdue, your requests decided. Each links to its record's page."""
    return service.list_notifications(session, actor, page, unread)


@router.get(
    "/me/notifications/unread-count",
    response_model=UnreadNotifications,
    responses=declare(304),
    summary="Count my unread notifications",
)
def my_unread_count(session: SessionDep, actor: Authenticated, if_none_match: IfNoneMatch = None) -> Response:
    """How many of your notifications you have not read (the number in the app's header)."""
    return json_with_etag(UnreadNotifications(unread=service.unread_count(session, actor)), if_none_match)


@router.post(
    "/me/notifications/{notification_id}/read",
    response_model=NotificationPublic,
    responses=declare(404),
    summary="Mark a notification read",
)
def mark_notification_read(notification_id: uuid.UUID, session: SessionDep, actor: Authenticated) -> Any:
    """Mark one of your notifications read (again: no change). Another person's is a 404."""
    return NotificationPublic.model_validate(service.mark_read(session, actor, notification_id))


@router.post(
    "/me/notifications/read-all",
    response_model=NotificationsMarkedRead,
    responses=declare(),
    summary="Mark all my notifications read",
)
def mark_all_notifications_read(session: SessionDep, actor: Authenticated) -> NotificationsMarkedRead:
    """Mark every unread notification of yours read; says how many."""
    return NotificationsMarkedRead(marked=service.mark_all_read(session, actor))


@router.get(
    "/me/notification-preferences",
    response_model=NotificationPreferences,
    responses=declare(),
    summary="My email choices",
)
def my_notification_preferences(session: SessionDep, actor: Authenticated) -> NotificationPreferences:
    """For each kind of notification, whether it also comes by email (on unless you turned it
    off). Notifications always show in the app."""
    return service.preferences(session, actor)


@router.put(
    "/me/notification-preferences",
    response_model=NotificationPreferences,
    responses=declare(403),
    summary="Choose which notifications come by email",
)
def set_my_notification_preferences(
    body: NotificationPreferencesUpdate, session: SessionDep, actor: Authenticated
) -> NotificationPreferences:
    """Turn email on or off for the kinds named; the others keep their setting. People only:
    an API client is refused (403)."""
    return service.update_preferences(session, actor, body)
