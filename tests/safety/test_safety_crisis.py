"""The crisis and opt-out regression phrases: recall must be 100%, precision at least 95%.

These lists grew with the lexicons (each phrase a reviewer saw slip through was added with the
fix that catches it), so their 100% is a pass condition, not a measurement: the end-of-run
table shows them as "regression". What the screen does on phrases it was not fitted to is the
held-out part of tests/safety/labelled (test_safety_heldout.py).
"""

from __future__ import annotations

from pathlib import Path

import labelled_sets
import pytest
import yaml
from labelled_sets import Ratio

from bot.understanding.lexicon import LOCALES
from bot.understanding.safety import classify_global

HERE = Path(__file__).parent
CRISIS = yaml.safe_load((HERE / "crisis_cases.yaml").read_text(encoding="utf-8"))
OPTOUT = yaml.safe_load((HERE / "optout_cases.yaml").read_text(encoding="utf-8"))
#: Stated threshold: false alarms cost a nurse's call, misses can cost a life.
MIN_PRECISION = 0.95


def _score(rows: list[tuple[str, bool, bool]]) -> tuple[int, int, int, int]:
    tp = sum(1 for _, want, got in rows if want and got)
    fn = sum(1 for _, want, got in rows if want and not got)
    fp = sum(1 for _, want, got in rows if not want and got)
    tn = sum(1 for _, want, got in rows if not want and not got)
    return tp, fn, fp, tn


def _report(report: list, title: str, results: dict[str, list[tuple[str, bool, bool]]]) -> None:
    rows = [(locale, *_score(r)) for locale, r in results.items()]
    everything = [row for r in results.values() for row in r]
    rows.append(("overall", *_score(everything)))
    report.append((title, rows))
    for label, tp, fn, fp, _tn in rows:
        print(f"{title} {label}: recall {tp}/{tp + fn}, precision {tp}/{tp + fp}")


def test_every_locale_has_enough_cases() -> None:
    assert set(CRISIS) == set(LOCALES) and set(OPTOUT) == set(LOCALES)
    for locale, cases in CRISIS.items():
        minimum = (25, 8) if locale in ("en", "es") else (10, 5)
        assert len(cases["positive"]) >= minimum[0], locale
        assert len(cases["negative"]) >= minimum[1], locale


def test_crisis_recall_and_precision(safety_report: list) -> None:
    results: dict[str, list[tuple[str, bool, bool]]] = {}
    misses, wrong_category, false_alarms = [], [], []
    for locale, cases in CRISIS.items():
        rows = results.setdefault(locale, [])
        for text, category in cases["positive"].items():
            got = classify_global(text, locale)
            fired = got is not None and got.kind == "urgent"
            rows.append((text, True, fired))
            if not fired:
                misses.append((locale, text, got))
            elif got is not None and got.category != category:
                wrong_category.append((locale, text, category, got.category))
        for text in cases["negative"]:
            got = classify_global(text, locale)
            fired = got is not None and got.kind == "urgent"
            rows.append((text, False, fired))
            if fired:
                false_alarms.append((locale, text, got.keyword if got else None))
    _report(safety_report, "crisis classifier, regression phrases (fitted)", results)
    tp, fn, fp, _ = _score([row for r in results.values() for row in r])
    labelled_sets.record("safety screen", "regression", "urgent recall", Ratio(tp, tp + fn))
    assert not misses, f"missed urgent messages: {misses}"
    assert not wrong_category, f"wrong category: {wrong_category}"
    assert tp / (tp + fp) >= MIN_PRECISION, f"false alarms: {false_alarms}"


def test_optout_recall_and_precision(safety_report: list) -> None:
    results: dict[str, list[tuple[str, bool, bool]]] = {}
    problems = []
    for locale, cases in OPTOUT.items():
        rows = results.setdefault(locale, [])
        for text in cases.get("carrier", []):
            got = classify_global(text, locale)
            ok = got is not None and got.kind == "stop" and got.carrier_keyword
            rows.append((text, True, ok))
            if not ok:
                problems.append(("carrier", locale, text, got))
        for text in cases["stop"]:
            got = classify_global(str(text), locale)
            # A wrong number stops outreach to that phone by its own path (no opt-out).
            ok = got is not None and got.kind in ("stop", "wrong_number")
            rows.append((str(text), True, ok))
            if not ok:
                problems.append(("missed", locale, text, got))
        for text in cases["ordinary"]:
            got = classify_global(str(text), locale)
            fired = got is not None and got.kind == "stop"
            rows.append((str(text), False, fired))
            if fired:
                problems.append(("false opt-out", locale, text, got))
    _report(safety_report, "opt-out classifier, regression phrases (fitted)", results)
    tp, fn, _, _ = _score([row for r in results.values() for row in r])
    labelled_sets.record("safety screen", "regression", "opt-out recall", Ratio(tp, tp + fn))
    assert not problems, problems


@pytest.mark.parametrize(
    ("text", "locale", "kind", "category"),
    [("STOP I want to die", "en", "urgent", "crisis"),
     ("stop texting me, my chest hurts", "en", "urgent", "medical"),
     ("PARAR quiero morir", "es", "urgent", "crisis")],
)
def test_urgent_wins_over_stop(text: str, locale: str, kind: str, category: str) -> None:
    got = classify_global(text, locale)
    assert got is not None and (got.kind, got.category) == (kind, category)


def test_urgent_found_whatever_the_patient_locale() -> None:
    got = classify_global("quiero morir", "en")
    assert got is not None and got.kind == "urgent" and got.locale == "es"
