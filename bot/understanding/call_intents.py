"""Global intents of a phone answer: the call's own reading before any flow reads it.

A call is not a text. A spoken "stop" alone may answer the question ("stop by the pharmacy?"),
while "please don't call me again" is an opt-out in any language; nobody on a call types a
carrier keyword, and Twilio blocks nothing on a call. So a call reads an answer in this order:

1. ``urgent`` (crisis, abuse, medical): the same screen as texts (`safety.detect_urgent`),
   first, whatever else was said.
2. Keys the call reserved and offered (`Keypad`): 9 stops the calls, 0 asks for a person,
   * repeats the question. A key the question itself uses as an answer stays an answer.
3. ``stop`` from a call phrase ("stop calling", "Ya no me llamen", "不要再打了").
4. ``wrong_number`` ("wrong number", "打错了", "not me").
5. ``person`` ("operator", "a person") and ``repeat`` ("can you repeat that?", "what?").
6. ``confirm_stop``: one word that might be an opt-out ("stop", "cancel", "para"): asked back.
7. Everything else the text classifier knows (`safety.classify_global`): a clear opt-out
   phrase is an opt-out; a one-word carrier keyword is asked back (6); help, start, language.

Only the patient's own answer is read; the module keeps no state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from bot.understanding import call_phrases as cp
from bot.understanding import intents, lexicon
from bot.understanding.lexicon.normalize import normalize
from bot.understanding.safety import GlobalIntent, classify_global, detect_urgent

STOP, WRONG_NUMBER, PERSON, REPEAT, CONFIRM_STOP, URGENT = (
    "stop", "wrong_number", "person", "repeat", "confirm_stop", "urgent")

#: Below this recogniser confidence a spoken answer is asked back, not acted on (Twilio's
#: `Confidence` is 0..1; garbled speech from a noisy line scores well under it).
MIN_SPEECH_CONFIDENCE = 0.45

#: Keys every call reserves when the question does not use them as answers.
OPT_OUT_KEY, PERSON_KEY, REPEAT_KEY = "9", "0", "*"


@dataclass(frozen=True)
class Keypad:
    """Which reserved keys the current question leaves free (and therefore offers)."""

    opt_out: bool = True
    person: bool = True
    repeat: bool = True

    @classmethod
    def for_answers(cls, answer_keys: frozenset[str]) -> Keypad:
        """Reserve only the keys the question's own answers do not use."""
        return cls(opt_out=OPT_OUT_KEY not in answer_keys, person=PERSON_KEY not in answer_keys,
                   repeat=REPEAT_KEY not in answer_keys)


def _ordered(locale: str) -> tuple[str, ...]:
    """The caller's locale (and its fallbacks), then every other locale with call phrases."""
    first = [lex.locale for lex in lexicon.chain(locale)]
    return tuple(dict.fromkeys([*first, *cp.locales()]))


def phrase_hit(category: str, text: str, locale: str) -> GlobalIntent | None:
    """`category` (a `call_phrases` category) found in `text`, in any locale, or None."""
    norm = normalize(text)
    if not norm:
        return None
    for code in _ordered(locale):
        found = cp.phrases(category, code).matches(norm)
        if found:
            return GlobalIntent(category, keyword=f"{code}:{category}", locale=code)
    return None


def _keyed(text: str, keypad: Keypad) -> GlobalIntent | None:
    key = text.strip()
    if key == OPT_OUT_KEY and keypad.opt_out:
        return GlobalIntent(STOP, keyword="keypad:9", locale=None)
    if key == PERSON_KEY and keypad.person:
        return GlobalIntent(PERSON, keyword="keypad:0")
    if key == REPEAT_KEY and keypad.repeat:
        return GlobalIntent(REPEAT, keyword="keypad:*")
    return None


def classify_call(text: str, locale: str, *, keyed: bool = False, keypad: Keypad = Keypad(),
                  opted_out: bool = False) -> GlobalIntent | None:
    """The global intent of one answer on a call, or None when the question should read it.

    `keyed` is True when the answer came from the keypad (Twilio's `Digits`), so that a spoken
    "nine" is never taken for the opt-out key.
    """
    if not text or not text.strip():
        return None
    urgent = detect_urgent(text, locale)
    if urgent:
        return urgent
    if keyed:
        return _keyed(text, keypad)
    for category, kind in ((cp.STOP_CALLS, STOP), (cp.WRONG_NUMBER, WRONG_NUMBER),
                           (cp.PERSON, PERSON), (cp.REPEAT, REPEAT),
                           (cp.UNCLEAR_STOP, CONFIRM_STOP)):
        hit = phrase_hit(category, text, locale)
        if hit is not None:
            return GlobalIntent(kind, keyword=hit.keyword, locale=hit.locale)
    general = classify_global(text, locale, opted_out=opted_out)
    if general is not None and general.kind == STOP and (
            general.carrier_keyword or len(normalize(text).split()) == 1):
        return GlobalIntent(CONFIRM_STOP, keyword=general.keyword, locale=general.locale)
    return general


def garbled(text: str, locale: str) -> bool:
    """True when a spoken answer looks like noise around a word rather than an answer: it
    ends on a joining word ("the the okay and") or stutters one ("the the okay").

    The recogniser can be confident about such a transcript, and a yes-word buried in it
    ("okay") is no answer; the caller is asked again instead (a wrong guess confirms a refill
    nobody asked for). The caller's language and English are checked, as callers mix them.
    """
    tokens = normalize(text).split()
    if len(tokens) < 2:
        return False
    joining = cp.dangling(lexicon.canonical(locale)) | cp.dangling("en")
    if tokens[-1] in joining:
        return True
    return any(a == b and a in joining for a, b in pairwise(tokens))


def heard_clearly(text: str, keyed: bool, confidence: float, locale: str) -> bool:
    """Whether an answer may be acted on: keys always; speech when the recogniser was sure
    and the words are an answer, not noise around one (`garbled`). One rule for the identity
    question and every question after it, on a real call and in the simulator."""
    if keyed:
        return True
    return confidence >= MIN_SPEECH_CONFIDENCE and not garbled(text, locale)


def is_affirmation(text: str, locale: str) -> bool:
    """"Uh-huh", "speaking", "soy yo": a spoken yes the flow's yes-words may not list."""
    return phrase_hit(cp.AFFIRM, text, locale) is not None


def classifier(*, keyed: bool, keypad: Keypad) -> Callable[..., GlobalIntent | None]:
    """`classify_call` with this answer's keypad facts, in the engine's classifier shape."""

    def classify(text: str, locale: str, *, opted_out: bool = False) -> GlobalIntent | None:
        return classify_call(text, locale, keyed=keyed, keypad=keypad, opted_out=opted_out)

    return classify


def yes_or_no(text: str, locale: str) -> str | None:
    """"yes", "no" or None for a spoken answer, with the phone's own yeses ("uh-huh")."""
    if is_affirmation(text, locale):
        return "yes"
    verdict = intents.polarity(text, locale)
    if verdict is None:
        return None
    return "yes" if verdict else "no"


def spoken_number(text: str, locale: str) -> int | None:
    """The number a caller said as a word ("two", "dos", "二号", "이번"), or None."""
    norm = normalize(text)
    for affix in cp.NUMBER_AFFIXES:
        norm = norm.replace(affix, " ")
    tokens = [t for t in norm.split() if t not in cp.NUMBER_FILLER]
    if len(tokens) != 1:
        return None
    word = tokens[0]
    if word.isdigit():
        return int(word)
    for code in _ordered(locale):
        value = cp.number_words(code).get(word)
        if value is not None:
            return value
    return None


def spoken_answer(text: str, locale: str, keys: frozenset[str]) -> str:
    """A spoken number at a keypad question becomes its key ("Dos" -> "2") when the question
    takes that key, and a phone's "uh-huh" a yes; any other answer is passed on unchanged."""
    value = spoken_number(text, locale)
    if value is not None and str(value) in keys:
        return str(value)
    if is_affirmation(text, locale):
        return "yes"  # "uh-huh", "speaking": every lexicon's chain ends in English
    return text
