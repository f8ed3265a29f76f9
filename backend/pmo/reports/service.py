"""Committee report packs: asked for through the API, made in the request when the scope is
small (at most `INLINE_PROJECTS` projects) and otherwise by the background worker
(`make_queued_packs`, the `make-report-packs` job), and stored, so that every download of a
pack is the same bytes.

The pack is read with its requester's view: the worker rebuilds the requester's `Actor` from
their roles when it makes the pack, so a queued pack shows no more than its requester may see.
"""

from __future__ import annotations

import io
import logging
import uuid
from datetime import datetime
from typing import Any

from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, Forbidden, NotFound, Unprocessable
from pmo.core.pagination import PageParams, paginate
from pmo.core.periods import today
from pmo.core.permissions import Actor
from pmo.core.schemas import Page
from pmo.documents import to_docx, to_pdf
from pmo.meetings.models import Meeting
from pmo.organisations.models import User
from pmo.organisations.service import grants_of
from pmo.portfolio.models import Portfolio, Programme, Project
from pmo.reports import content
from pmo.reports.models import ReportPack
from pmo.reports.schemas import ReportPackPublic, ReportPackRequest, ReportPackStatus

logger = logging.getLogger("pmo.reports")

# A scope with at most this many projects is made in the request (seconds: see the README); a larger
# one (the demo portfolio has 75) is queued for the worker.
INLINE_PROJECTS = 20
# Packs the worker makes per run, so one run stays well inside its lease.
PACKS_PER_RUN = 5


def public(session: Session, pack: ReportPack) -> ReportPackPublic:
    meeting = session.get_one(Meeting, pack.meeting_id)
    ready = pack.status == ReportPackStatus.ready.value
    base = f"/api/v1/report-packs/{pack.id}"
    return ReportPackPublic(
        id=pack.id,
        scope="programme" if pack.programme_id else "portfolio",
        programme_id=pack.programme_id,
        portfolio_id=pack.portfolio_id,
        meeting_id=pack.meeting_id,
        meeting_title=meeting.title,
        meeting_date=meeting.meets_on,
        title=pack.title,
        report_author=pack.report_author,
        wards_affected=pack.wards_affected,
        key_decision=pack.key_decision,
        exempt=pack.exempt,
        status=ReportPackStatus(pack.status),
        error=pack.error,
        requested_by_id=pack.requested_by_id,
        requested_at=pack.requested_at,
        finished_at=pack.finished_at,
        pages=pack.pages,
        docx_url=f"{base}/docx" if ready else None,
        pdf_url=f"{base}/pdf" if ready else None,
    )


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def _meeting(session: Session, actor: Actor, meeting_id: uuid.UUID) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id != actor.organisation_id:
        raise Unprocessable(
            "No meeting with that id in your organisation.",
            errors=[
                FieldProblem(
                    location=["body", "meeting_id"],
                    message="Choose a meeting of your organisation",
                    type="not_found",
                )
            ],
        )
    return meeting


def _project_count(session: Session, programme_ids: list[uuid.UUID]) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(Project).where(col(Project.programme_id).in_(programme_ids))
        ).scalar_one()
    )


def request_pack(
    session: Session, actor: Actor, scope: str, scope_id: uuid.UUID, data: ReportPackRequest
) -> ReportPack:
    if actor.kind != "user":
        raise Forbidden("Report packs are asked for by people, not API clients.")
    record = _own(session, actor, Programme if scope == "programme" else Portfolio, scope_id, scope)
    meeting = _meeting(session, actor, data.meeting_id)
    pack = ReportPack(
        organisation_id=actor.organisation_id,
        programme_id=scope_id if scope == "programme" else None,
        portfolio_id=scope_id if scope == "portfolio" else None,
        meeting_id=meeting.id,
        title=data.title or f"{record.name} progress report",
        report_author=data.report_author,
        wards_affected=data.wards_affected,
        key_decision=data.key_decision,
        exempt=data.exempt,
        exempt_reason=data.exempt_reason.strip(),
        purpose=data.purpose.strip(),
        recommendations=list(data.recommendations),
        background=data.background.strip(),
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    audit.created(session, actor, pack, "report_pack")
    if _project_count(session, content.scope_of(session, pack).programme_ids) <= INLINE_PROJECTS:
        make(session, actor, pack)
    return pack


def make(session: Session, actor: Actor, pack: ReportPack) -> None:
    """Make the documents and store them; a failure is stored too (never half a pack)."""
    document = content.build(session, actor, pack, today())
    pdf = to_pdf(document)
    docx = to_docx(document)
    pack.pdf, pack.docx = pdf, docx
    pack.pages = len(PdfReader(io.BytesIO(pdf)).pages)
    pack.status = ReportPackStatus.ready.value
    pack.finished_at = utcnow()
    session.add(pack)
    session.flush()


def _requester(session: Session, pack: ReportPack) -> Actor | None:
    """The requester as they are now (roles may have changed since), or None if they left."""
    user = session.get(User, pack.requested_by_id)
    if user is None or not user.is_active or user.organisation_id != pack.organisation_id:
        return None
    return Actor(
        kind="user",
        id=user.id,
        organisation_id=user.organisation_id,
        label=user.email,
        grants=tuple(grants_of(session, [user.id])[user.id]),
    )


def make_queued_packs(session: Session, now: datetime) -> int:
    """The worker's job: make the oldest queued packs (a few per run)."""
    queued = session.exec(
        select(ReportPack)
        .where(ReportPack.status == ReportPackStatus.queued.value)
        .order_by(col(ReportPack.requested_at), col(ReportPack.id))
        .limit(PACKS_PER_RUN)
    ).all()
    for pack in queued:
        actor = _requester(session, pack)
        if actor is None:
            pack.status, pack.error, pack.finished_at = (
                ReportPackStatus.failed.value,
                "The requester left.",
                now,
            )
            session.add(pack)
            continue
        try:
            with session.begin_nested():
                make(session, actor, pack)
        except Exception as exc:  # the pack says it failed; the next one is still made
            logger.exception("report pack failed", extra={"pack": str(pack.id)})
            pack.status = ReportPackStatus.failed.value
            pack.error = f"The pack could not be made ({type(exc).__name__}); ask for it again."
            pack.finished_at = now
            session.add(pack)
    session.flush()
    return len(queued)


def get_pack(session: Session, actor: Actor, pack_id: uuid.UUID) -> ReportPack:
    pack: ReportPack = _own(session, actor, ReportPack, pack_id, "report pack")
    return pack


def list_packs(
    session: Session, actor: Actor, page: PageParams, scope: str, scope_id: uuid.UUID
) -> Page[ReportPackPublic]:
    _own(session, actor, Programme if scope == "programme" else Portfolio, scope_id, scope)
    column = ReportPack.programme_id if scope == "programme" else ReportPack.portfolio_id
    statement = (
        select(ReportPack)
        .where(ReportPack.organisation_id == actor.organisation_id, column == scope_id)
        .order_by(col(ReportPack.requested_at).desc(), col(ReportPack.id))
    )
    return paginate(session, statement, page, lambda p: public(session, p))


def document(pack: ReportPack, kind: str) -> bytes:
    content_bytes = pack.docx if kind == "docx" else pack.pdf
    if pack.status != ReportPackStatus.ready.value or content_bytes is None:
        raise Conflict(
            "The pack is not made yet; its status says when it is ready."
            if pack.status == ReportPackStatus.queued.value
            else "The pack could not be made; ask for it again."
        )
    return content_bytes
