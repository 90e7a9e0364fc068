"""A reply at a reading question that no answer took: ask for the rest, check the number, and
never let a dangerous number wait in a routine queue.

One function, `judge`, decides this for every channel (a text, a call's keypad `184*96` or its
recogniser's words all reach the engine as text):

- a part of the reading ("184"): ask only for the missing part ("What was the bottom number?");
- a number no person's reading has ("1840/96"): ask back, with the nearest that fits
  ("did you mean 184/96?");
- a plain number outside the range of an `intent: number` question ("7" on a 1 to 5 scale):
  ask back with the range;
- a number at or above an alert level (`alerts:` of the expectation) in a reply that cannot be
  read fully: a task at that level's priority now, then ask back. Never "not understood"
  alone, which would reach a person only later and at routine priority.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core import messages
from bot.defaults import TASK_PRIORITIES
from bot.flows.schema import Expectation, ReadingAlert
from bot.understanding import readings
from bot.understanding.reply_numbers import whole_number

#: Context keys (engine-internal): the part of a reading heard at the current question, and
#: the wait token whose alert task was already created.
PARTIAL_KEY = "_reading_part"
NUMBER = "number"  # Heard.kind for a plain `intent: number` reply
ALERTED_KEY = "_reading_alerted"

#: How a reading is shown in "please send it like ..." (numbers only: no translation needed).
EXAMPLES = {"blood_pressure": "120/80", "glucose": "110", "weight": "180", "temperature": "98.6",
            "pulse": "72", "oxygen": "97", "pain": "4"}


@dataclass(frozen=True)
class Verdict:
    index: int
    heard: readings.Heard
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    alert: ReadingAlert | None = None

    @property
    def partial(self) -> bool:
        return bool(self.heard.values) and bool(self.heard.missing) and self.heard.doubtful is None

    def understood(self) -> str:
        """For the task: what was read, numbers only ("blood pressure: part 184", "numbers 190")."""
        if self.heard.kind == NUMBER:
            return f"number {readings.describe_number(self.heard.doubtful or 0)} out of range"
        name = self.heard.kind.replace("_", " ")
        if self.partial:
            parts = ", ".join(f"{k} {readings.describe_number(v)}" for k, v in self.heard.values.items())
            return f"{name}: {parts}, {', '.join(self.heard.missing)} missing"
        if self.heard.doubtful is not None:
            return f"{name}: {readings.describe_number(self.heard.doubtful)} out of range"
        found = ", ".join(readings.describe_number(n) for n in self.heard.numbers)
        return f"{name}: could not be read fully (numbers {found})"


def _reaches(alert: ReadingAlert, heard: readings.Heard) -> bool:
    """A part read (or, for a slip of a finger, the reading suggested) at or above its level;
    with neither, any number in the reply at or above the lowest level."""
    read = heard.suggested if heard.doubtful is not None else heard.values
    if read:
        return any(value >= level for part, value in read.items()
                   if (level := alert.level_of(part)) is not None)
    lowest = min(alert.at_least.values())
    return any(n >= lowest for n in heard.numbers)


def alert_for(exp: Expectation, heard: readings.Heard) -> ReadingAlert | None:
    """The most urgent of `exp.alerts` that a number in the reply reaches (see the docstring)."""
    reached = [a for a in exp.alerts if _reaches(a, heard)]
    return min(reached, key=lambda a: TASK_PRIORITIES.index(a.priority)) if reached else None


def judge(expect: Sequence[Expectation], text: str, locale: str,
          partial: Mapping[str, Any] | None = None) -> Verdict | None:
    """What to do with `text` at a question expecting a reading that it did not complete;
    None when no reading expectation has anything to say about it."""
    for n, exp in enumerate(expect):
        if exp.intent != "reading" or exp.reading is None:
            continue
        heard = readings.hear(exp.reading, text, locale, unit=exp.unit, partial=partial)
        if heard.complete:
            return None
        alert = alert_for(exp, heard)
        if heard.doubtful is not None:
            if heard.suggestion:
                return Verdict(n, heard, messages.READING_CHECK, {"suggestion": heard.suggestion}, alert)
            return Verdict(n, heard, messages.READING_OUT_OF_RANGE, {}, alert)
        if heard.values and heard.missing:
            ask = messages.READING_ASK_BOTTOM if "diastolic" in heard.missing else messages.READING_ASK_TOP
            return Verdict(n, heard, ask, {}, alert)
        if alert is not None:
            return Verdict(n, heard, messages.READING_SEEN_BY_NURSE,
                           {"example": EXAMPLES.get(exp.reading, "")}, alert)
    return _number_out_of_range(expect, text, locale)


def _number_out_of_range(expect: Sequence[Expectation], text: str, locale: str) -> Verdict | None:
    """A reply that is just a number outside every `intent: number` range ("7" on a 1 to 5
    scale, "300"): asked back with the range, rather than "not understood"."""
    ranged = [(n, e) for n, e in enumerate(expect)
              if e.intent == "number" and e.min is not None and e.max is not None]
    value = whole_number(text, locale) if ranged else None
    if value is None or any(e.min is not None and e.max is not None and e.min <= value <= e.max
                            for _, e in ranged):
        return None
    n, exp = ranged[0]
    heard = readings.Heard(NUMBER, numbers=(float(value),), doubtful=float(value))
    return Verdict(n, heard, messages.NUMBER_OUT_OF_RANGE, {"min": exp.min, "max": exp.max})
