"""Global intents: what a patient's message means before any flow gets to read it.

The engine calls `classify_global` on every inbound message, before the current state's
expectations, and acts on the answer:

- ``urgent`` (category crisis | abuse | medical): suicidal thoughts, self-harm, abuse, chest
  pain, trouble breathing, stroke signs, overdose, in any shipped language, with typos and
  slang. Checked FIRST: "stop texting me, I want to die" is urgent. Misses are worse than
  false alarms, so every shipped lexicon is consulted, whatever the patient's locale.
- ``stop``: Twilio's one-word keywords (``carrier_keyword=True``: Twilio itself has blocked
  the number and later sends fail with 21610), their equivalents in every shipped language, and
  plain phrasings ("stop texting me", "remove me from this list") - the FCC's 2024 rule accepts
  revocation by any reasonable means. Ordinary answers ("I can't stop by the pharmacy today",
  "cancel my appointment") are not opt-outs.
- ``start``: START / UNSTOP (and YES, but only from an opted-out patient: that is when
  Twilio lifts its block on it) and equivalents.
- ``help``: HELP / INFO and equivalents, as a whole message ("I need help paying" is a flow
  answer, not the HELP keyword).
- ``language``: a message that is just a language name ("ESPAÑOL", "中文", "Tiếng Việt").

Twilio's own keyword matching is case-insensitive on a single-word message; we mirror it on the
message with surrounding whitespace removed, so that consent here agrees with Twilio's block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.understanding import lexicon
from bot.understanding.lexicon import Lexicon
from bot.understanding.lexicon.common_words import COMMON_WORDS
from bot.understanding.lexicon.normalize import light_normalize, normalize
from bot.understanding.lexicon.patterns import Hit, PatternSet, Vocabulary, correct_typos

__all__ = ["GlobalIntent", "classify_global", "detect_urgent", "is_minimum_necessary", "warm"]

STOP, START, HELP, URGENT, LANGUAGE = "stop", "start", "help", "urgent", "language"
CRISIS, ABUSE, MEDICAL = "crisis", "abuse", "medical"
#: Twilio's default opt-out, opt-in and help keywords on long codes (its Advanced Opt-Out docs).
CARRIER_STOP = ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout")
CARRIER_START = ("start", "unstop", "yes")
CARRIER_HELP = ("help", "info")
#: Clause breaks: "No, chest pain since this morning" must not read as "no chest pain".
_CLAUSES = re.compile(r"[,.;:!?\n\u060c\u061b\u061f\u3001\u3002\uff0c\uff1b\uff01\uff1f]+")
_URGENT_FIELDS = (CRISIS, ABUSE, MEDICAL)
#: Words a negator may reach over in Chinese ("没有感到胸痛").
_ZH_SKIP = ("感到", "觉得", "覺得", "再", "任何")


@dataclass(frozen=True)
class GlobalIntent:
    """What a message means outside any flow. `keyword` is the matched keyword or phrase
    pattern (for audit; never the message itself), `locale` the lexicon that matched."""

    kind: str
    keyword: str | None = None
    category: str | None = None
    locale: str | None = None
    carrier_keyword: bool = False


@cache
def _vocabulary() -> Vocabulary:
    sets = [lexicon.patterns(lex.locale, name) for lex in lexicon.all_lexicons()
            for name in _SAFETY_FIELDS]
    keep = {w for lex in lexicon.all_lexicons() for w in lex.keep} | COMMON_WORDS
    return Vocabulary.of(sets, keep)


#: Pattern fields `classify_global` compiles, in every shipped lexicon.
_SAFETY_FIELDS = (*_URGENT_FIELDS, "not_urgent", "stop_phrases")


def warm() -> None:
    """Build every locale's safety tables now (about a second), not on the first reply.

    A forking worker calls this in the parent so each work horse inherits the tables; the
    caches live for the process (`functools.cache`), so later calls cost nothing.
    """
    for lex in lexicon.all_lexicons():
        for name in _SAFETY_FIELDS:
            lexicon.patterns(lex.locale, name)
    _vocabulary()


@cache
def _ordered(locale: str) -> tuple[Lexicon, ...]:
    """The patient's lexicon, English, then every other shipped one."""
    first = list(lexicon.chain(locale))
    codes = {lex.locale for lex in first}
    return tuple(first + [lex for lex in lexicon.all_lexicons() if lex.locale not in codes])


@cache
def _exclusions(code: str, substring: bool) -> tuple[PatternSet, ...]:
    """Figures of speech to blank out before matching `code`'s urgent phrases."""
    english = lexicon.FALLBACK
    return tuple(lexicon.patterns(c, "not_urgent") for c in dict.fromkeys((code, english))
                 if lexicon.patterns(c, "not_urgent").substring == substring)


def _blocked(text: str, exclusions: list[PatternSet], substring: bool) -> str:
    """Blank out figures of speech ("dying to see", "热死了") so urgent phrases skip them."""
    if substring:
        chars = list(text.replace(" ", ""))
        for ps in exclusions:
            for hit in ps.finditer(text):
                chars[hit.start:hit.start + len(hit.text)] = "_" * len(hit.text)
        return "".join(chars)
    tokens = text.split()
    for ps in exclusions:
        for hit in ps.finditer(text):
            n = len(hit.text.split())
            tokens[hit.start:hit.start + n] = ["_"] * n
    return " ".join(tokens)


def _negated(text: str, hit: Hit, lex: Lexicon, substring: bool) -> bool:
    if substring:
        prefix = text[:hit.start]
        for word in _ZH_SKIP:
            prefix = prefix.removesuffix(word)
        return any(prefix.endswith(n) for n in lex.negators)
    english = lexicon.get(lexicon.FALLBACK)  # "not suicidal" also denies the Spanish stem
    negators = set(lex.negators) | set(english.negators)
    transparent = set(lex.transparent) | set(english.transparent)
    before = text.split()[:hit.start]
    for _ in range(4):
        if not before:
            return False
        word = before.pop()
        if word in negators:
            return True
        if word not in transparent:
            return False
    return False


def _urgent_in(clause: str, accented: str, locale: str) -> GlobalIntent | None:
    norm = normalize(clause)
    if not norm:
        return None
    corrected = correct_typos(norm, _vocabulary())
    blocked: dict[tuple[str, bool], str] = {}  # the same text for every category
    for category in _URGENT_FIELDS:
        for lex in _ordered(locale):
            ps = lexicon.patterns(lex.locale, category)
            key = (lex.locale, ps.substring)
            if key not in blocked:
                blocked[key] = _blocked(norm if ps.substring else corrected,
                                        list(_exclusions(*key)), ps.substring)
            text = blocked[key]
            for hit in ps.finditer(text, accented):
                if not _negated(text, hit, lex, ps.substring):
                    return GlobalIntent(URGENT, keyword=hit.pattern, category=category,
                                        locale=lex.locale)
    return None


def detect_urgent(text: str, locale: str) -> GlobalIntent | None:
    """An urgent or crisis message in any shipped language, else None (see module doc)."""
    clauses = [text] + [c for c in _CLAUSES.split(text) if c.strip()]
    for clause in dict.fromkeys(clauses):
        found = _urgent_in(clause, light_normalize(clause), locale)
        if found:
            return found
    return None


def _bare(norm: str, locales: Sequence[Lexicon]) -> str:
    """The message without polite padding ("STOP please" -> "stop"), repeats collapsed."""
    filler = {w for lex in locales for w in lex.filler}
    tokens: list[str] = []
    for token in norm.split():
        if token not in filler and (not tokens or tokens[-1] != token):
            tokens.append(token)
    return " ".join(tokens)


def _whole(norm: str, bare: str, field: str, locales: Sequence[Lexicon]) -> Lexicon | None:
    for lex in locales:
        words = getattr(lex, field)
        if norm in words or (bare and bare in words):
            return lex
        if lex.substring and bare.replace(" ", "") in {w.replace(" ", "") for w in words}:
            return lex
    return None


def _stop(text: str, norm: str, bare: str, locales: Sequence[Lexicon]) -> GlobalIntent | None:
    single = text.strip().casefold()
    if single in CARRIER_STOP:
        return GlobalIntent(STOP, keyword=single.upper(), locale="en", carrier_keyword=True)
    lex = _whole(norm, bare, "stop_words", locales)
    if lex:
        return GlobalIntent(STOP, keyword=bare or norm, locale=lex.locale)
    accented = light_normalize(text)
    for lex in locales:
        if accented in lex.stop_words_accented:
            return GlobalIntent(STOP, keyword=accented, locale=lex.locale)
    corrected = correct_typos(norm, _vocabulary())
    for lex in locales:
        hit = lexicon.patterns(lex.locale, "stop_phrases").search(corrected, accented)
        if hit:
            # A label, not the phrase pattern: consent history stores it (64 characters).
            return GlobalIntent(STOP, keyword=f"{lex.locale}:stop_phrase", locale=lex.locale)
    return None


def _language(norm: str, bare: str, locale: str, locales: Sequence[Lexicon]) -> GlobalIntent | None:
    lex = _whole(norm, bare, "language_names", locales)
    if lex is None:
        return None
    chosen = lex.locale
    # "中文" / "Chinese" from a patient already on Traditional Chinese keeps Traditional.
    if chosen == "zh_Hans" and lexicon.canonical(locale) == "zh_Hant" and bare in (
            "中文", "chinese", "zhongwen"):
        chosen = "zh_Hant"
    return GlobalIntent(LANGUAGE, keyword=bare or norm, locale=chosen)


def classify_global(text: str, locale: str, *, opted_out: bool = False) -> GlobalIntent | None:
    """The global intent of an inbound message, or None when the flow should read it."""
    if not text or not text.strip():
        return None
    urgent = detect_urgent(text, locale)
    if urgent:
        return urgent
    norm = normalize(text)
    locales = _ordered(locale)
    bare = _bare(norm, locales)
    stop = _stop(text, norm, bare, locales)
    if stop:
        return stop
    single = text.strip().casefold()
    if single in CARRIER_START and (single != "yes" or opted_out):
        return GlobalIntent(START, keyword=single.upper(), locale="en", carrier_keyword=True)
    lex = _whole(norm, bare, "start_words", locales)
    if lex:
        return GlobalIntent(START, keyword=bare or norm, locale=lex.locale)
    if single in CARRIER_HELP:
        return GlobalIntent(HELP, keyword=single.upper(), locale="en", carrier_keyword=True)
    lex = _whole(norm, bare, "help_words", locales)
    if lex:
        return GlobalIntent(HELP, keyword=bare or norm, locale=lex.locale)
    return _language(norm, bare, locale, locales)


# --- minimum necessary ------------------------------------------------------------------

#: Medication and diagnosis names a routine message should not carry (HIPAA minimum
#: necessary: an SMS may be read by anyone holding the phone). Common US outpatient drugs and
#: the conditions outreach programs serve; a flow that must name them sets `allow_phi`.
PHI_TERMS: tuple[str, ...] = (
    # medications (generic and frequent brand names)
    "metformin", "insulin", "lantus", "humalog", "ozempic", "semaglutide", "wegovy", "mounjaro",
    "trulicity", "jardiance", "farxiga", "glipizide", "lisinopril", "losartan", "amlodipine",
    "hydrochlorothiazide", "metoprolol", "carvedilol", "atorvastatin", "simvastatin",
    "rosuvastatin", "lipitor", "crestor", "warfarin", "coumadin", "eliquis", "apixaban",
    "xarelto", "clopidogrel", "plavix", "furosemide", "lasix", "spironolactone", "entresto",
    "levothyroxine", "synthroid", "albuterol", "ventolin", "advair", "symbicort", "montelukast",
    "prednisone", "sertraline", "zoloft", "fluoxetine", "prozac", "escitalopram", "lexapro",
    "citalopram", "bupropion", "wellbutrin", "trazodone", "quetiapine", "seroquel", "aripiprazole",
    "abilify", "risperidone", "olanzapine", "lithium", "lamotrigine", "buprenorphine",
    "suboxone", "methadone", "naloxone", "narcan", "naltrexone", "vivitrol", "oxycodone",
    "hydrocodone", "tramadol", "gabapentin", "biktarvy", "truvada", "descovy",
    "antiretroviral", "omeprazole", "pantoprazole", "methotrexate", "adderall", "xanax",
    "alprazolam", "lorazepam", "clonazepam", "antidepressant", "antipsychotic", "chemotherapy",
    "chemo",
    # diagnoses and sensitive conditions
    "diabetes", "diabetic", "hypertension", "high blood pressure", "heart failure", "chf",
    "copd", "asthma", "hiv", "hepatitis", "cancer", "tumor", "oncology", "depression",
    "anxiety disorder", "bipolar", "schizophrenia", "psychosis", "ptsd", "dementia",
    "alzheimer", "alzheimers", "opioid use disorder", "substance use", "addiction", "alcoholism",
    "overdose", "std", "sti", "chlamydia", "gonorrhea", "syphilis", "herpes", "pregnancy",
    "pregnant", "abortion", "miscarriage", "dialysis", "kidney disease", "ckd", "cirrhosis",
    "stroke", "epilepsy", "seizure disorder", "tuberculosis", "obesity", "eating disorder",
    "anorexia", "bulimia", "hypothyroidism", "mental health", "psychiatric", "rehab",
)
_PHI_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t) for t in sorted(PHI_TERMS, key=len, reverse=True))
    + r")(?!\w)")


def is_minimum_necessary(text: str) -> list[str]:
    """The medication/diagnosis terms in flow text (empty when the text is minimum necessary).

    Placeholders (``{due_date:date}``) are ignored: what they hold is checked where data is
    chosen, not here. The flow checker reports each term unless the flow sets ``allow_phi``.
    """
    plain = re.sub(r"\{[^}]*\}", " ", text)
    found = _PHI_PATTERN.findall(normalize(plain))
    return list(dict.fromkeys(found))
