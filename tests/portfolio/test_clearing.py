"""A null in a PATCH clears a person, a board or a date of a programme or project (the app's
"Not set"); a null for a required field changes nothing."""

from __future__ import annotations

from support.api import Api, problem
from support.database import audit_events


def test_null_clears_people_and_dates(client, engine, pmo, manager, viewer) -> None:
    api = Api(client)
    programme = api.programme(pmo, sro_id=str(pmo.id), planned_start="2027-04-01", planned_end="2028-03-31")
    path = f"/programmes/{programme['id']}"
    changed = api.patch(pmo, path, {"sro_id": None, "planned_end": None, "name": None})
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["sro_id"], after["planned_end"]) == (None, None)
    assert (after["name"], after["planned_start"]) == (programme["name"], "2027-04-01")
    event = audit_events(engine, programme["id"])[-1]
    assert (event["before"]["sro_id"], event["after"]["sro_id"]) == (str(pmo.id), None)

    project = api.project(pmo, programme, project_manager_id=str(manager.id), planned_end="2028-01-31")
    cleared = api.patch(pmo, f"/projects/{project['id']}", {"project_manager_id": None, "planned_end": None})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["project_manager_id"], cleared.json()["planned_end"]) == (None, None)
    # Who may not change the register may not clear anything either.
    problem(api.patch(viewer, path, {"sro_id": None}), 403)
