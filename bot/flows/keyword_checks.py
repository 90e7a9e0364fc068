"""Checks that every answer a flow offers can be given in every shipped language.

An expected answer's `keywords` words are translated in the catalogs (msgctxt "reply words",
bot/i18n/reply_words.py). A language whose catalog has no words of its own for an answer -
missing, fuzzy, empty or a copy of the English - hears that answer only in English, so its
patients cannot give it in their own words:

- an answer that has nothing else to go by (no intent, no topics, no menu number) is then
  English-only in that language;
- an answer that also has a number or topics still works, but its words are English-only.

Both are warnings naming the languages, so a flow can be tried before its words are translated.
A translated word given for two answers of the same question is a warning too.
"""

from __future__ import annotations

from pathlib import Path

from bot.flows.issues import WARNING, IssueList
from bot.flows.marked import MarkedDict
from bot.flows.schema import Expectation, Flow
from bot.flows.where import reply_marks
from bot.i18n import SHIPPED_LOCALES, SOURCE_LOCALE
from bot.i18n.reply_words import has_own_words, reply_words, words_only
from bot.understanding.intents import normalize


def locales_without_words(exp: Expectation, directory: Path | None = None) -> tuple[str, ...]:
    """The shipped languages whose catalog gives no words of its own for this answer."""
    if not words_only(exp.keywords):
        return ()
    return tuple(loc for loc in SHIPPED_LOCALES
                 if loc != SOURCE_LOCALE and not has_own_words(exp.keywords, loc, directory))


def _only_words(exp: Expectation) -> bool:
    return not (exp.intent or exp.topics or any(k.strip().isdigit() for k in exp.keywords))


def check_reply_words_in_every_language(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    for name, st in flow.states.items():
        for n, (exp, edoc) in enumerate(zip(st.expect, reply_marks(doc, name), strict=False), 1):
            missing = locales_without_words(exp)
            kw_mark = edoc.value_mark("keywords") if "keywords" in edoc else edoc.mark
            if not missing:
                continue
            if _only_words(exp):
                issues.add(edoc.mark, f'expected reply {n} of state "{name}" is matched only by its '
                                      f"keywords, which have no words in {', '.join(missing)}: patients "
                                      "writing in those languages cannot give this answer (translate its "
                                      'msgctxt "reply words" entry, or add topics: or a number)', WARNING)
            else:
                issues.add(kw_mark, f'the keywords of expected reply {n} of state "{name}" have no words '
                                    f"in {', '.join(missing)}: patients there can give this answer only "
                                    'by number, topic or in English (translate its msgctxt "reply words" '
                                    "entry in those catalogs)", WARNING)

def check_reply_words_lead_one_way(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """A translated word given for two answers of one question would make every reply that
    uses it ambiguous in that language."""
    for name, st in flow.states.items():
        marks = reply_marks(doc, name)
        for locale in SHIPPED_LOCALES:
            if locale == SOURCE_LOCALE:
                continue
            owner: dict[str, tuple[str, bool]] = {}  # word -> (goto, an English keyword)
            for exp, edoc in zip(st.expect, marks, strict=False):
                english = {normalize(k) for k in exp.keywords}
                for word in reply_words(exp.keywords, locale):
                    norm = normalize(word)
                    goto, was_english = owner.setdefault(norm, (exp.goto, norm in english))
                    # Two English keywords colliding is check_replies' warning, not a language's.
                    if goto != exp.goto and not (was_english and norm in english):
                        issues.add(edoc.mark, f'the {locale} reply word "{word}" leads two ways in state '
                                              f'"{name}": to "{goto}" and to "{exp.goto}" '
                                              '(change one of its msgctxt "reply words" entries)', WARNING)

CHECKS = (check_reply_words_in_every_language, check_reply_words_lead_one_way)
