"""Human references (`P-0042`, `R-0012`): unique per organisation and prefix, never reused.

One counter row per organisation and prefix, bumped by a single upsert that returns the new
number. On PostgreSQL the upsert locks the row until the transaction ends, so concurrent
creations queue and each gets its own number; a rolled-back creation gives its number back
only because no one else could have seen it. SQLite serialises writers at BEGIN anyway.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from pmo.core.models import ReferenceCounter

PREFIX = re.compile(r"^[A-Z]{1,4}$")

# A reference in an answer, its pattern in the document so that clients can check and parse
# it: the prefix, a hyphen, and the number with four digits at least (`format_reference`).
ProjectReference = Annotated[str, StringConstraints(pattern=r"^P-[0-9]{4,}$")]
RiskReference = Annotated[str, StringConstraints(pattern=r"^R-[0-9]{4,}$")]
IssueReference = Annotated[str, StringConstraints(pattern=r"^I-[0-9]{4,}$")]
AssumptionReference = Annotated[str, StringConstraints(pattern=r"^A-[0-9]{4,}$")]
DependencyReference = Annotated[str, StringConstraints(pattern=r"^D-[0-9]{4,}$")]
RaidReference = Annotated[str, StringConstraints(pattern=r"^[RIAD]-[0-9]{4,}$")]  # any of the four logs
DrawdownReference = Annotated[str, StringConstraints(pattern=r"^DD-[0-9]{4,}$")]
BenefitReference = Annotated[str, StringConstraints(pattern=r"^B-[0-9]{4,}$")]
ForwardPlanReference = Annotated[str, StringConstraints(pattern=r"^FP-[0-9]{4,}$")]
OfficerDecisionReference = Annotated[str, StringConstraints(pattern=r"^OD-[0-9]{4,}$")]


def format_reference(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


def next_reference(session: Session, organisation_id: uuid.UUID, prefix: str) -> str:
    """The next reference for `prefix` in the organisation: "P-0001", "P-0002", ..."""
    return next_references(session, organisation_id, prefix, 1)[0]


def next_references(session: Session, organisation_id: uuid.UUID, prefix: str, count: int) -> list[str]:
    """The next `count` references for `prefix`, taken in one step (a bulk import numbers
    100,000 items with one statement and one row lock, not one each)."""
    if count < 1:
        raise ValueError("count references, at least one")
    if not PREFIX.match(prefix):
        raise ValueError(f"a reference prefix is 1 to 4 capital letters, not {prefix!r}")
    table = ReferenceCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(organisation_id=organisation_id, prefix=prefix, last_number=count)
        .on_conflict_do_update(
            index_elements=[table.c.organisation_id, table.c.prefix],
            set_={"last_number": table.c.last_number + count},
        )
        .returning(table.c.last_number)
    )
    last = int(session.execute(statement).scalar_one())
    return [format_reference(prefix, number) for number in range(last - count + 1, last + 1)]
