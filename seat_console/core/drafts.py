"""Autosaved ticket drafts: one per agent, kept until the ticket is submitted or discarded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import Draft


def slot_for(agent_id: str) -> str:
    return f"agent:{agent_id}"


@dataclass(frozen=True)
class SavedDraft:
    fields: dict[str, Any]
    call_started_at: str | None
    updated_at: str


# Fields that always hold a default (电话, 一般) say nothing about whether anything was typed.
DEFAULTED = frozenset({"channel", "urgency"})


def has_content(fields: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and v.strip() for k, v in fields.items() if k not in DEFAULTED)


def save_draft(db: Database, slot: str, fields: dict[str, Any], call_started_at: str | None) -> str:
    """Upsert the draft; returns the time it was saved."""
    at = clock.now_iso()
    with db.write() as session:
        draft = session.get(Draft, slot) or Draft(slot=slot, updated_at=at)
        draft.fields = dict(fields)
        draft.call_started_at = call_started_at
        draft.updated_at = at
        session.add(draft)
    return at


def load_draft(db: Database, slot: str) -> SavedDraft | None:
    with db.read() as session:
        draft = session.get(Draft, slot)
        if draft is None or not has_content(draft.fields):
            return None
        return SavedDraft(dict(draft.fields), draft.call_started_at, draft.updated_at)


def discard_draft(db: Database, slot: str) -> None:
    with db.write() as session:
        draft = session.get(Draft, slot)
        if draft is not None:
            session.delete(draft)
