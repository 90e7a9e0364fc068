"""Which message variant a patient gets: a stable hash of (campaign, patient).

The same patient in the same campaign always lands on the same variant, however often the
campaign is re-run or its scheduler re-plays a batch, so no patient sees two wordings of one
question and no result mixes them. Different campaigns draw independently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def assign(names: Sequence[str], campaign: str, patient_key: str) -> str | None:
    """One of `names` for this patient in this campaign (None when there is nothing to pick)."""
    if not names:
        return None
    digest = hashlib.sha256(f"{campaign}\x1f{patient_key}".encode()).digest()
    return names[int.from_bytes(digest[:8], "big") % len(names)]
