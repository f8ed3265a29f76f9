"""Key-decision thresholds and publication switches, one row per organisation."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from pmo.audit import service as audit
from pmo.core.permissions import Actor
from pmo.decisions.models import DecisionSettings
from pmo.decisions.settings_schemas import DecisionSettingsPublic, DecisionSettingsUpdate


def settings_of(session: Session, organisation_id: uuid.UUID) -> DecisionSettings:
    """The organisation's settings; the defaults (not yet saved) when it has set none."""
    saved = session.execute(
        select(DecisionSettings).where(DecisionSettings.organisation_id == organisation_id)
    ).scalar_one_or_none()
    return saved or DecisionSettings(organisation_id=organisation_id)


def settings_public(settings: DecisionSettings) -> DecisionSettingsPublic:
    return DecisionSettingsPublic(
        key_decision_spending_threshold=settings.key_decision_spending_threshold_pence,
        key_decision_saving_threshold=settings.key_decision_saving_threshold_pence,
        key_decision_min_wards=settings.key_decision_min_wards,
        publish_officer_decisions=settings.publish_officer_decisions,
        publish_forward_plan=settings.publish_forward_plan,
    )


_COLUMNS = {
    "key_decision_spending_threshold": "key_decision_spending_threshold_pence",
    "key_decision_saving_threshold": "key_decision_saving_threshold_pence",
}


def update_settings(session: Session, actor: Actor, data: DecisionSettingsUpdate) -> DecisionSettings:
    settings = session.execute(
        select(DecisionSettings)
        .where(DecisionSettings.organisation_id == actor.organisation_id)
        .with_for_update()
    ).scalar_one_or_none()
    if settings is None:
        settings = DecisionSettings(organisation_id=actor.organisation_id)
        audit.created(session, actor, settings, "decision_settings")
    # Attributes, not model_dump(): the amounts are pence, which dumping would write as pounds.
    changes = {
        _COLUMNS.get(name, name): getattr(data, name)
        for name in sorted(data.model_fields_set)
        if getattr(data, name) is not None
    }
    audit.changed(session, actor, settings, "decision_settings", changes)
    return settings
