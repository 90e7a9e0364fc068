"""How a call reads an answer before the flow does, and what the one mapping answers on a call."""

from __future__ import annotations

import pytest

from bot.core import call_messages as cm
from bot.core import effects as fx
from bot.core import global_intents, messages
from bot.understanding import call_intents as ci
from bot.understanding import call_phrases as cp
from bot.understanding.safety import GlobalIntent

OPT_OUTS = [
    ("es", "Ya no me llamen"), ("zh_Hans", "不要再打了"), ("zh_Hans", "别再给我打电话了"),
    ("zh_Hant", "唔好再打嚟"), ("ru", "Больше не звоните"), ("pt_BR", "Não me ligue mais"),
    ("ar", "لا تتصلوا بي مرة أخرى"), ("ko", "전화하지 마세요"), ("en", "Please stop calling me"),
    ("en", "don't call me again"), ("en", "take me off your list"), ("vi", "Đừng gọi nữa"),
    ("tl", "Huwag na kayong tumawag"),
]


@pytest.mark.parametrize(("locale", "text"), OPT_OUTS)
def test_spoken_opt_outs_in_every_voiced_language(locale: str, text: str) -> None:
    hit = ci.classify_call(text, locale)
    assert hit is not None and hit.kind == "stop", hit


@pytest.mark.parametrize(("locale", "text"), OPT_OUTS)
def test_an_opt_out_is_heard_whatever_language_the_call_is_in(locale: str, text: str) -> None:
    hit = ci.classify_call(text, "en")
    assert hit is not None and hit.kind == "stop"


@pytest.mark.parametrize(("locale", "text"), [
    ("zh_Hans", "打错了"), ("zh_Hant", "打錯了"), ("en", "You have the wrong number"),
    ("es", "Número equivocado"), ("ru", "Вы ошиблись номером"), ("ko", "잘못 거셨어요"),
    ("pt_BR", "Número errado"), ("vi", "Gọi nhầm số rồi"), ("ar", "الرقم غلط"),
    ("tl", "Maling numero po"),
])
def test_wrong_number_in_every_voiced_language(locale: str, text: str) -> None:
    hit = ci.classify_call(text, locale)
    assert hit is not None and hit.kind == "wrong_number"


@pytest.mark.parametrize("text", ["stop", "Cancel", "END", "quit"])
def test_a_lone_carrier_word_is_asked_back_on_a_call(text: str) -> None:
    hit = ci.classify_call(text, "en")
    assert hit is not None and hit.kind == "confirm_stop"


@pytest.mark.parametrize("text", ["cancel my appointment", "I can't stop by today", "yes", "2"])
def test_ordinary_answers_are_left_to_the_flow(text: str) -> None:
    assert ci.classify_call(text, "en") is None


def test_a_crisis_comes_first_even_with_an_opt_out() -> None:
    hit = ci.classify_call("stop calling me, I want to die", "en")
    assert hit is not None and (hit.kind, hit.category) == ("urgent", "crisis")


def test_reserved_keys_only_when_the_question_leaves_them_free() -> None:
    free = ci.Keypad.for_answers(frozenset({"1", "2"}))
    assert ci.classify_call("9", "en", keyed=True, keypad=free).kind == "stop"  # type: ignore[union-attr]
    assert ci.classify_call("0", "en", keyed=True, keypad=free).kind == "person"  # type: ignore[union-attr]
    assert ci.classify_call("*", "en", keyed=True, keypad=free).kind == "repeat"  # type: ignore[union-attr]
    scale = ci.Keypad.for_answers(frozenset(str(n) for n in range(11)))
    assert ci.classify_call("9", "en", keyed=True, keypad=scale) is None
    # A spoken "9" is never the opt-out key.
    assert ci.classify_call("9", "en", keyed=False, keypad=free) is None


@pytest.mark.parametrize(("locale", "text", "value"), [
    ("en", "Two", 2), ("es", "Dos", 2), ("zh_Hans", "二", 2), ("vi", "hai", 2), ("ru", "Два", 2),
    ("pt_BR", "dois", 2), ("ko", "이번", 2), ("en", "number four", 4), ("ar", "ثلاثة", 3),
    ("tl", "dalawa", 2), ("es", "no sé", None),
])
def test_spoken_numbers(locale: str, text: str, value: int | None) -> None:
    assert ci.spoken_number(text, locale) == value


def test_a_spoken_number_becomes_a_key_only_where_the_question_takes_it() -> None:
    assert ci.spoken_answer("Dos", "es", frozenset({"1", "2"})) == "2"
    assert ci.spoken_answer("Dos", "es", frozenset({"1"})) == "Dos"


@pytest.mark.parametrize(("locale", "text", "verdict"), [
    ("en", "uh-huh", "yes"), ("en", "speaking", "yes"), ("es", "sí, soy yo", "yes"),
    ("en", "no", "no"), ("ru", "да", "yes"), ("en", "purple monkey", None),
])
def test_phone_yeses(locale: str, text: str, verdict: str | None) -> None:
    assert ci.yes_or_no(text, locale) == verdict


def test_every_voiced_language_has_every_call_phrase_category() -> None:
    voiced = {"en", "es", "zh_Hans", "zh_Hant", "vi", "ko", "tl", "ru", "ar", "pt_BR"}
    for category in (cp.STOP_CALLS, cp.WRONG_NUMBER, cp.PERSON, cp.REPEAT, cp.UNCLEAR_STOP):
        assert voiced <= set(cp.table(category)), category


# -- the mapping, on a call ---------------------------------------------------------------------

QUESTION = fx.SendMessage(msgid="Will you pick it up?", state="ask")


def _msgids(effects: list[fx.Effect]) -> list[str]:
    return [e.msgid for e in effects if isinstance(e, fx.SendMessage)]


def test_stop_on_a_call_confirms_in_call_words() -> None:
    effects = global_intents.reaction(GlobalIntent("stop", keyword="es:stop_calls"), "es",
                                      flow="refill", state="ask", channel="voice")
    assert _msgids(effects) == [cm.STOP_CONFIRMATION]
    [consent] = [e for e in effects if isinstance(e, fx.RecordConsent)]
    assert (consent.status, consent.source) == ("revoked", "call")


def test_help_on_a_call_asks_the_question_again_and_sms_help_is_unchanged() -> None:
    hit = GlobalIntent("help", keyword="HELP", carrier_keyword=True)
    assert global_intents.asks_again("help", "voice") and not global_intents.asks_again("help", "sms")
    spoken = global_intents.reaction(hit, "en", flow="refill", state="ask", channel="voice",
                                     question=QUESTION)
    assert _msgids(spoken) == [cm.HELP, QUESTION.msgid]
    assert _msgids(global_intents.reaction(hit, "en", flow="refill", state="ask")) == \
        [messages.HELP_REPLY]


def test_crisis_is_the_same_on_every_channel() -> None:
    hit = GlobalIntent("urgent", category="crisis")
    assert global_intents.reaction(hit, "en", channel="voice") == global_intents.reaction(hit, "en")


@pytest.mark.parametrize(("locale", "text", "noise"), [
    ("en", "the the okay and", True), ("en", "okay and", True), ("en", "the the okay", True),
    ("es", "sí y", True), ("pt_BR", "sim e", True), ("ru", "да и", True), ("vi", "có và", True),
    ("en", "okay", False), ("en", "yes yes", False), ("en", "yes and I will pick it up", False),
    ("es", "sí, soy yo", False), ("zh_Hans", "是的是的", False), ("en", "I ran out", False),
])
def test_noise_around_a_word_is_not_an_answer(locale: str, text: str, noise: bool) -> None:
    assert ci.garbled(text, locale) is noise


def test_every_voiced_language_written_with_spaces_has_joining_words() -> None:
    for code in ("en", "es", "pt_BR", "vi", "tl", "ru", "ht"):
        assert cp.dangling(code), code
