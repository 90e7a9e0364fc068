"""Pilot stages (5 -> 25 -> 125 -> everyone): who is drawn, and moving to the next stage.

A patient's place in the draw is a hash of the campaign name and their stable id, so the same
panel always yields the same pilot patients (outcomes can be attributed); the draw takes
patients from each language in turn, so a small stage is not all one language. A stage's size
is the number of patients enrolled so far; the next stage opens only when a person approves it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from itertools import zip_longest

from sqlalchemy.orm import Session

from bot.campaigns.schema import Campaign
from bot.campaigns.sync import state_for
from bot.errors import OutreachError


class PilotError(OutreachError):
    """A stage cannot be advanced (no pilot, or already running for everyone)."""


def rank(campaign: str, patient_key: str) -> str:
    return hashlib.sha256(f"{campaign}\x00{patient_key}".encode()).hexdigest()


def draw_order(campaign: str, candidates: Sequence[tuple[int, str, str]]) -> list[int]:
    """Candidate ids [(id, patient key, language)] in draw order: by hash, languages in turn."""
    by_language: dict[str, list[tuple[str, int]]] = {}
    for cid, key, language in candidates:
        by_language.setdefault(language, []).append((rank(campaign, key), cid))
    queues = [sorted(items) for _, items in sorted(
        by_language.items(), key=lambda kv: min(kv[1]))]
    order: list[int] = []
    for row in zip_longest(*queues):
        order.extend(cid for _, cid in (item for item in row if item is not None))
    return order


def stage_label(campaign: Campaign, stage: int) -> str:
    size = campaign.stage_size(stage)
    if not campaign.pilot:
        return "everyone"
    return f"stage {stage + 1} of {len(campaign.pilot) + 1}: " + (
        f"{size} patients" if size is not None else "everyone")


def advance(session: Session, campaign: Campaign, by: str, now: datetime) -> int:
    """Open the next stage; returns the new stage index."""
    if not campaign.pilot:
        raise PilotError(f"campaign {campaign.name} has no pilot stages")
    state = state_for(session, campaign.name)
    if state.stage >= len(campaign.pilot):
        raise PilotError(f"campaign {campaign.name} already runs for everyone")
    state.stage += 1
    state.stage_approved_by, state.stage_approved_at, state.updated_at = by, now, now
    return state.stage
