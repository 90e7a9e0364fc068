"""Labelled replies per flow state and language, run through the real engine (reply_scores.py).

The development set is what the lexicons were built against; the held-out set was written as
patients would write and is not tuned against. Both must never produce a false confirmation.
A failure names each development case it concerns, but only counts for the held-out set
(where and how many), so that the held-out figures stay a measurement; the held-out files are
frozen by labelled/heldout/FROZEN.sha256.
"""

from __future__ import annotations

from collections import Counter

import labelled_sets
import reply_scores
from reply_scores import load_cases, score

from bot.understanding.lexicon import LOCALES

MENU_STATES = {
    "refill_reminder/ask", "refill_reminder/barrier", "engagement_checkin/checkin",
    "engagement_checkin/symptoms", "engagement_checkin/needs", "appointment_recovery/ask",
    "appointment_recovery/offer", "appointment_recovery/confirm_slot", "appointment_recovery/ask_why",
}


def _where(cases: list[reply_scores.Case]) -> set[str]:
    return {f"{c.flow}/{c.state}" for c in cases}


def test_sets_cover_every_language_and_every_menu_state() -> None:
    dev, held = load_cases("dev"), load_cases("heldout")
    assert {c.locale for c in dev} == set(LOCALES) == {c.locale for c in held}
    assert _where(dev) == MENU_STATES
    for locale in LOCALES:  # every language has the refill questions and the check-in needs
        mine = _where([c for c in dev if c.locale == locale])
        assert {"refill_reminder/ask", "refill_reminder/barrier"} <= mine, locale
    assert len(dev) >= 800 and len(held) >= 150


def test_no_false_confirmation_in_the_development_set() -> None:
    wrong = score("dev").false_confirmations()
    assert not wrong, [(c.locale, c.text, c.expected, got) for c, got in wrong]


def _counted(wrong: list[tuple[reply_scores.Case, str]]) -> dict[str, int]:
    """Held-out misses as counts per language and flow state (never the replies)."""
    return dict(Counter(f"{c.locale} {c.flow}/{c.state}" for c, _ in wrong))


def test_held_out_files_are_the_frozen_ones() -> None:
    heldout = reply_scores.HERE / "heldout"
    assert labelled_sets.current_digests(heldout) == labelled_sets.frozen_digests(heldout), (
        "a held-out file changed: the held-out part grows only by adding unseen cases, in a "
        "commit that updates heldout/FROZEN.sha256 and says so")


def test_no_false_confirmation_in_the_held_out_set() -> None:
    wrong = score("heldout").false_confirmations()
    assert not wrong, f"false confirmations in the held-out set: {_counted(wrong)}"


def test_development_set_is_understood() -> None:
    scores = score("dev")
    right = len(scores.cases) - len(scores.wrong())
    assert right / len(scores.cases) >= 0.98, [(c.locale, c.text, c.expected, got)
                                                for c, got in scores.wrong()]


def test_held_out_set_stays_above_its_floor() -> None:
    scores = score("heldout")
    right = len(scores.cases) - len(scores.wrong())
    assert right / len(scores.cases) >= 0.90, (
        f"held-out {right}/{len(scores.cases)}; misses by place: {_counted(scores.wrong())}")


def test_a_yes_beside_any_other_answer_is_never_a_confirmation() -> None:
    # Every ask_back case of the refill question, also as an engine outcome, is not "confirmed".
    for split in ("dev", "heldout"):
        for case, got in score(split).cases:
            if case.expected == "ask_back":
                shown = case.text if split == "dev" else f"held-out {case.flow}/{case.state}"
                assert got != "confirmed", (case.locale, shown)
