"""Writing notifications (in the caller's transaction, with the event that causes them),
reading and marking them, email choices, and sending the email outbox from the worker."""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage

from sqlalchemy import ColumnElement, and_, func, update
from sqlmodel import Session, col, select

from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import Forbidden, NotFound
from pmo.core.pagination import PageParams, paginate, public_url_of
from pmo.core.permissions import Actor
from pmo.core.schemas import Page
from pmo.organisations.models import User
from pmo.work.notifications_models import EmailMessage, Notification, NotificationPreference
from pmo.work.notifications_schemas import (
    EmailChoice,
    NotificationKind,
    NotificationPreferences,
    NotificationPreferencesUpdate,
    NotificationPublic,
)

# Sending: batches of BATCH, up to PER_RUN a run; a failed message waits longer each time, and
# is given up after MAX_ATTEMPTS (kept with its last error for the administrator).
BATCH = 50
PER_RUN = 1000
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)

SUBJECTS = {
    NotificationKind.decision_waiting: "A decision is waiting for you",
    NotificationKind.assigned: "Something was assigned to you",
    NotificationKind.kpi_value_due: "A KPI value is due",
    NotificationKind.review_overdue: "A review is overdue",
    NotificationKind.request_decided: "Your request was decided",
}


# Writing -------------------------------------------------------------------------------------


def _email_off(session: Session, user_ids: Iterable[uuid.UUID], kind: NotificationKind) -> set[uuid.UUID]:
    return set(
        session.execute(
            select(NotificationPreference.user_id).where(
                col(NotificationPreference.user_id).in_(list(user_ids)),
                NotificationPreference.kind == kind.value,
                col(NotificationPreference.email).is_(False),
            )
        ).scalars()
    )


def notify(
    session: Session,
    organisation_id: uuid.UUID,
    user_ids: Iterable[uuid.UUID | None],
    kind: NotificationKind,
    title: str,
    link: str,
) -> list[Notification]:
    """Tell these people (of `organisation_id`, active, each once) in the caller's transaction;
    and queue an email for those who have not turned email off for `kind`."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return []
    found = session.execute(
        select(User).where(
            col(User.id).in_(wanted), User.organisation_id == organisation_id, col(User.is_active).is_(True)
        )
    ).scalars()
    people = sorted(found, key=lambda u: str(u.id))
    no_email = _email_off(session, [p.id for p in people], kind)
    now = utcnow()
    written = []
    for person in people:
        notification = Notification(
            organisation_id=organisation_id, user_id=person.id, kind=kind.value, title=title[:300], link=link
        )
        session.add(notification)
        written.append(notification)
        if person.id not in no_email:
            session.flush()  # the notification's row first: the email points at it
            session.add(
                EmailMessage(
                    organisation_id=organisation_id,
                    notification_id=notification.id,
                    to_address=person.email,
                    subject=f"{SUBJECTS[kind]}: {title}"[:300],
                    body=f"Dear {person.display_name},\n\n{title}\n",
                    link=link,
                    next_attempt_at=now,
                )
            )
    session.flush()
    return written


# Reading and marking -------------------------------------------------------------------------


def _mine(actor: Actor) -> ColumnElement[bool]:
    return and_(
        col(Notification.organisation_id) == actor.organisation_id, col(Notification.user_id) == actor.id
    )


def list_notifications(
    session: Session, actor: Actor, page: PageParams, unread: bool
) -> Page[NotificationPublic]:
    statement = select(Notification).where(_mine(actor))
    if unread:
        statement = statement.where(col(Notification.read_at).is_(None))
    statement = statement.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    return paginate(session, statement, page, NotificationPublic.model_validate)


def unread_count(session: Session, actor: Actor) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(Notification)
            .where(_mine(actor), col(Notification.read_at).is_(None))
        ).scalar_one()
    )


def mark_read(session: Session, actor: Actor, notification_id: uuid.UUID) -> Notification:
    notification = session.get(Notification, notification_id)
    if (
        notification is None
        or notification.user_id != actor.id
        or notification.organisation_id != actor.organisation_id
    ):
        raise NotFound("You have no notification with that id.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
        session.flush()
    return notification


def mark_all_read(session: Session, actor: Actor) -> int:
    result = session.execute(
        update(Notification).where(_mine(actor), col(Notification.read_at).is_(None)).values(read_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# Email choices -------------------------------------------------------------------------------


def preferences(session: Session, actor: Actor) -> NotificationPreferences:
    stored = {
        p.kind: p.email
        for p in session.execute(
            select(NotificationPreference).where(NotificationPreference.user_id == actor.id)
        ).scalars()
    }
    return NotificationPreferences(
        choices=[EmailChoice(kind=kind, email=stored.get(kind.value, True)) for kind in NotificationKind]
    )


def update_preferences(
    session: Session, actor: Actor, data: NotificationPreferencesUpdate
) -> NotificationPreferences:
    if actor.kind != "user":
        raise Forbidden("An API client gets no notifications: it has no email choices to make.")
    stored = {
        p.kind: p
        for p in session.execute(
            select(NotificationPreference).where(NotificationPreference.user_id == actor.id)
        ).scalars()
    }
    for choice in data.choices:
        row = stored.get(choice.kind.value) or NotificationPreference(
            organisation_id=actor.organisation_id,
            user_id=actor.id,
            kind=choice.kind.value,
            email=choice.email,
        )
        row.email = choice.email
        session.add(row)
        stored[choice.kind.value] = row
    session.flush()
    return preferences(session, actor)


# Sending (the worker's job) ------------------------------------------------------------------


def _send(message: EmailMessage) -> None:
    settings = get_settings()
    if settings.smtp_host is None:
        raise smtplib.SMTPException("no SMTP server is configured (PMO_SMTP_HOST)")
    mime = MimeMessage()
    mime["From"] = settings.smtp_from
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Message-ID"] = f"<{message.id}@pmo>"
    url = public_url_of(message.link)
    mime.set_content(
        f"{message.body}\nOpen it here: {url}\n\n"
        "You can choose which notifications come by email on your account page.\n"
    )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(mime)


def deliver_email(session: Session, now: datetime) -> int:
    """Send due messages of the outbox, a batch at a time, up to PER_RUN; a failure is retried
    later (1, 2, 4... minutes), and given up after MAX_ATTEMPTS. Nothing is sent while no SMTP
    server is configured."""
    if get_settings().smtp_host is None:
        return 0
    sent = 0
    tried: set[uuid.UUID] = set()
    while len(tried) < PER_RUN:
        due = list(
            session.execute(
                select(EmailMessage)
                .where(
                    col(EmailMessage.sent_at).is_(None),
                    col(EmailMessage.failed_at).is_(None),
                    EmailMessage.next_attempt_at <= now,
                    col(EmailMessage.id).not_in(tried),
                )
                .order_by(col(EmailMessage.next_attempt_at), col(EmailMessage.id))
                .limit(BATCH)
            ).scalars()
        )
        if not due:
            break
        for message in due:
            tried.add(message.id)
            message.attempts += 1
            try:
                _send(message)
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.failed_at = now
                else:
                    message.next_attempt_at = now + FIRST_RETRY * 2 ** (message.attempts - 1)
            else:
                message.sent_at = now
                sent += 1
            session.add(message)
        session.flush()
    # The outcomes commit with the job's run (`pmo.worker.service.run_job`): delivery is at least
    # once, so a worker killed mid-run sends that run's messages again.
    return sent
