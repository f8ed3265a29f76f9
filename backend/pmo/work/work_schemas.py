"""The work list: what waits for the person asking, section by section, with counts."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from pmo.core.schemas import PublicModel
from pmo.portfolio.overview_schemas import MyWork


class WorkItem(PublicModel):
    """One thing on a person's work list, with where to open it."""

    kind: str = Field(
        description="`project`, `programme`, `drawdown`, `kpi`, `kpi_value`, `risk` or `highlight_report`."
    )
    id: uuid.UUID = Field(
        description="The record's id (for a late highlight report: the project's; for one to "
        "review: the report's)."
    )
    reference: str | None = Field(description="Its reference or code, e.g. `CBC-0001`, `DD-0004`, `CS-01`.")
    title: str
    action: str = Field(
        description="What you are to do: `manage`, `sponsor`, `consult`, `decide`, `record_decision`, "
        "`enter_value`, `verify`, `publish`, `review`, `chase_report`, `review_report`."
    )
    detail: str = Field(description="One line saying why it is on the list.")
    due_on: date | None = None
    overdue: bool = Field(description="`due_on` is before today.")
    link: str = Field(description="The web app's page for it, e.g. `/drawdowns/{id}`.")
    api_url: str = Field(description="The API's URL of the record, e.g. `/api/v1/drawdowns/{id}`.")


class WorkCounts(PublicModel):
    """How many items each section holds in all (a list shows at most 200)."""

    gate_reviews_to_decide: int
    milestones_due: int
    actions_due: int
    my_projects: int
    my_programmes: int
    drawdowns_awaiting_me: int
    kpi_values_due: int
    kpi_values_to_verify: int
    risk_reviews_due: int
    late_highlight_reports: int
    highlight_reports_to_review: int


class MyWorkList(MyWork):
    """Everything waiting for the person asking, each list with its count in `counts`."""

    as_of: date
    counts: WorkCounts
    my_projects: list[WorkItem] = Field(
        description="Projects you are the SRO or project manager of, not closed (`action`: "
        "`sponsor` or `manage`)."
    )
    my_programmes: list[WorkItem] = Field(description="Programmes you are the SRO of.")
    drawdowns_awaiting_me: list[WorkItem] = Field(
        description="Open draw-down requests you can act on now: give your view as a consultee "
        "(`consult`), decide within delegation (`decide`), or record the Cabinet or Council "
        "outcome as democratic services (`record_decision`)."
    )
    kpi_values_due: list[WorkItem] = Field(
        description="Active KPIs you own or whose project you manage, that you may submit for, "
        "with no submitted value for the last period that has ended (`due_on`: that period's end)."
    )
    kpi_values_to_verify: list[WorkItem] = Field(
        description="The PMO's queue: submitted values to verify and verified values to publish."
    )
    risk_reviews_due: list[WorkItem] = Field(
        description="Open risks you own, that you may change, whose review date is past or within 30 days."
    )
    late_highlight_reports: list[WorkItem] = Field(
        description="For the PMO and admins: projects whose highlight report for the last due month "
        "is late (as `GET /highlight-reports/late`)."
    )
    highlight_reports_to_review: list[WorkItem] = Field(
        description="For sponsors: submitted highlight reports you may review now, accepting or "
        "returning them (`review_report`). Not those you submitted yourself."
    )
