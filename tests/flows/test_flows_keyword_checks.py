"""The checker's warning for answers a language has no words for (bot/flows/keyword_checks.py)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.flows.keyword_checks import locales_without_words
from bot.flows.loader import load_dir, load_file
from bot.flows.schema import Expectation
from bot.i18n import SHIPPED_LOCALES
from bot.i18n.reply_words import REPLY_WORDS_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
OTHERS = [code for code in SHIPPED_LOCALES if code != "en"]

FLOW = """\
format: 1
flow: demo
version: 1
context: [first_name]
start: ask
states:
  ask:
    say: "Hi {first_name}, reply 1 for food, or tell us when you are free."
    expect:
      - {keywords: ["1", "groceries please"], topics: [food], goto: done}
      - {keywords: ["maybe later", "not today"], goto: done}
    no_reply: {after: 24h, goto: done}
    not_understood: {reprompt: 1, then: helped}
  helped:
    task: {team: outreach, priority: routine, reason: "Read the patient's words."}
    goto: done
  done:
    end: completed
"""


def _warnings(tmp_path: Path) -> list[str]:
    path = tmp_path / "demo.yaml"
    path.write_text(FLOW, encoding="utf-8")
    flow, issues = load_file(path)
    assert flow is not None
    return [f"{i.line}: {i.message}" for i in issues if i.severity == "warning"]


def test_an_answer_with_only_untranslated_words_is_named_with_every_language(tmp_path: Path) -> None:
    found = [w for w in _warnings(tmp_path) if "matched only by its keywords" in w]
    assert found == [
        '11: expected reply 2 of state "ask" is matched only by its keywords, which have no words in '
        f"{', '.join(OTHERS)}: patients writing in those languages cannot give this answer "
        '(translate its msgctxt "reply words" entry, or add topics: or a number)']


def test_words_beside_a_number_and_topics_are_still_named_per_language(tmp_path: Path) -> None:
    found = [w for w in _warnings(tmp_path) if w.startswith("10: the keywords of expected reply 1")]
    assert len(found) == 1 and f"have no words in {', '.join(OTHERS)}:" in found[0]


def test_the_shipped_flows_have_words_in_every_language() -> None:
    result = load_dir(ROOT / "conversation_flows")
    assert not result.errors
    flows = [f for f in result.registry.latest()]
    assert {f.name for f in flows} >= {"refill_reminder", "engagement_checkin", "appointment_recovery"}
    words = [e for f in flows for s in f.states.values() for e in s.expect
             if any(not k.isdigit() for k in e.keywords)]
    assert words, "the shipped flows have answers given by words"
    assert {e.keywords: locales_without_words(e) for e in words} == {e.keywords: () for e in words}


def _po(directory: Path, locale: str, msgid: str, string: str, *, fuzzy: bool = False) -> None:
    catalog = Catalog(locale=locale)
    catalog.add(msgid, string, context=REPLY_WORDS_CONTEXT, flags=["fuzzy"] if fuzzy else [])
    path = directory / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as fp:
        write_po(fp, catalog)


def test_only_a_reviewed_word_list_of_the_language_itself_counts(tmp_path: Path) -> None:
    exp = Expectation(goto="done", keywords=("1", "maybe later", "not today"))
    msgid = "maybe later | not today"
    _po(tmp_path, "es", msgid, "quizás luego | hoy no")
    _po(tmp_path, "ko", msgid, "나중에", fuzzy=True)       # not reviewed
    _po(tmp_path, "ru", msgid, msgid)                     # a copy of the English
    _po(tmp_path, "vi", msgid, " | ")                     # no words at all
    missing = locales_without_words(exp, tmp_path)
    assert "es" not in missing
    assert {"ko", "ru", "vi", "zh_Hant", "ar"} <= set(missing)
    assert locales_without_words(Expectation(goto="done", keywords=("1", "2")), tmp_path) == ()


def test_two_ways_in_one_language_is_a_warning(tmp_path: Path) -> None:
    flow = FLOW.replace('["1", "groceries please"], topics: [food], goto: done',
                        '["0", "none", "nothing"], goto: done') \
               .replace('["maybe later", "not today"], goto: done',
                        '["4", "none", "none of these"], goto: helped')
    path = tmp_path / "demo.yaml"
    path.write_text(flow, encoding="utf-8")
    _, issues = load_file(path)
    found = [i.message for i in issues if "reply word" in i.message and "leads two ways" in i.message]
    assert ('the es reply word "ninguno" leads two ways in state "ask": to "done" and to "helped" '
            '(change one of its msgctxt "reply words" entries)') in found
    assert not any('reply word "none"' in m for m in found)  # English against English: not this check
