"""A flow's reply words in the patient's language (bot/i18n/reply_words.py), as the engine
reads them: every shipped language's own words give the answer, English words still do, and a
word after a negator does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.reply_match import decide
from bot.flows.loader import load_dir
from bot.flows.schema import Flow
from bot.i18n import SHIPPED_LOCALES
from bot.i18n.reply_words import msgid_for, reply_words, split

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def flows() -> dict[str, Flow]:
    result = load_dir(ROOT / "conversation_flows")
    assert not result.errors
    return {f.name: f for f in result.registry.latest()}


def test_the_msgid_is_the_words_without_the_menu_digits() -> None:
    assert msgid_for(["1", "good", " all good "]) == "good | all good"
    assert msgid_for(["1", "2"]) is None
    assert split(" bien |muy bien|| bien ") == ("bien", "muy bien")


def test_the_patients_language_comes_first_and_english_stays() -> None:
    words = reply_words(["0", "none", "nothing"], "es")
    assert words[0] == "no necesito nada" and words[-2:] == ("none", "nothing")
    assert reply_words(["0", "none", "nothing"], "en") == ("none", "nothing")


#: (locale, how patients there say "doing well" at the check-in, the same negated)
DOING_WELL = [
    ("en", "all good", "not good"),
    ("es", "todo bien", "no estoy bien"),
    ("zh_Hans", "一切都好", "不是很好"),
    ("zh_Hant", "一切都好", "不是很好"),
    ("vi", "khỏe lắm", "không khỏe"),
    ("ko", "잘 지내요", "안 좋아요"),
    ("tl", "mabuti naman", "hindi mabuti"),
    ("ru", "vse khorosho", "ne khorosho"),
    ("ar", "الحمد لله بخير", "مش كويس"),
    ("ht", "mwen byen", "mwen pa byen"),
    ("pt_BR", "tudo bem", "não estou bem"),
]


def test_every_language_is_in_the_table() -> None:
    assert {row[0] for row in DOING_WELL} == set(SHIPPED_LOCALES)


@pytest.mark.parametrize(("locale", "well", "unwell"), DOING_WELL)
def test_doing_well_in_the_patients_words_and_never_when_negated(
        flows: dict[str, Flow], locale: str, well: str, unwell: str) -> None:
    state = flows["engagement_checkin"].states["checkin"]
    chosen = decide(state.expect, well, locale, {}).chosen
    assert chosen is not None and state.expect[chosen.index].goto == "all_good"
    # "Not good" is never "doing well" (it may be a low rating in words).
    negated = decide(state.expect, unwell, locale, {}).chosen
    assert negated is None or state.expect[negated.index].goto != "all_good"


#: (locale, "another time" at the confirm question, written as patients there write it)
ANOTHER_TIME = [
    ("en", "a different time please"), ("es", "otro dia"), ("zh_Hans", "换个时间吧"),
    ("zh_Hant", "換個時間"), ("vi", "ngay khac"), ("ko", "다른 날 주세요"), ("tl", "ibang araw po"),
    ("ru", "drugoy den"), ("ar", "يوم تاني"), ("ht", "yon lot jou"), ("pt_BR", "outro horario"),
]


@pytest.mark.parametrize(("locale", "text"), ANOTHER_TIME)
def test_another_time_by_its_words_in_every_language(flows: dict[str, Flow], locale: str,
                                                     text: str) -> None:
    state = flows["appointment_recovery"].states["confirm_slot"]
    chosen = decide(state.expect, text, locale, {}).chosen
    assert chosen is not None and state.expect[chosen.index].goto == "offer"


def test_english_words_work_in_every_language(flows: dict[str, Flow]) -> None:
    state = flows["appointment_recovery"].states["offer"]
    slots = {"slots": ["a", "b", "c"]}
    for locale in SHIPPED_LOCALES:
        chosen = decide(state.expect, "none of these", locale, slots).chosen
        assert chosen is not None and state.expect[chosen.index].goto == "none_work", locale


def test_a_call_hints_the_recogniser_with_the_callers_words(flows: dict[str, Flow]) -> None:
    from bot.services.voice_turns import hints_for

    hints = hints_for(flows["appointment_recovery"], "confirm_slot", "es")
    # The caller's own words come before the English ones, beside the yes- and no-words.
    assert hints.index("otra hora") < hints.index("another time")
    assert {"si", "no"} <= set(hints)
    english = hints_for(flows["appointment_recovery"], "confirm_slot")
    assert [h for h in english if "time" in h or "day" in h] == [
        "another time", "different time", "other time", "other day"]
