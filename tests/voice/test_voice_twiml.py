"""TwiML for voice turns: exact attributes Twilio acts on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.channels import twilio_voice as tv
from bot.channels.voice_locales import voice_profile
from bot.core.effects import CreateTask, SendMessage

HOST = {"program": "Care Outreach", "contact": "555-0100"}
ACTION = "https://app.example/twilio/voice/gather?c=7"


def _render(effects, *, waiting=True, locale="en"):
    profile = voice_profile(locale)
    assert profile is not None
    xml = tv.render_turn_twiml(
        effects, waiting=waiting, profile=profile, locale=locale, timezone="America/New_York",
        action_url=ACTION, host_params=HOST,
    )
    return ET.fromstring(xml)


def test_waiting_turn_with_choices_is_a_keypad_and_speech_gather() -> None:
    ask = SendMessage(msgid="Will you pick it up?", choices=("Yes", "No"))
    root = _render([ask])
    assert [c.tag for c in root] == ["Gather"]
    gather = root[0]
    assert gather.attrib == {
        "action": ACTION, "actionOnEmptyResult": "true", "hints": "Yes, No",
        "input": "dtmf speech", "language": "en-US", "method": "POST", "numDigits": "1",
        "speechTimeout": "auto", "timeout": str(tv.GATHER_TIMEOUT_SECONDS),
    }
    says = [(s.text, s.get("language"), s.get("voice")) for s in gather]
    assert says == [
        ("Will you pick it up?", "en-US", "Polly.Joanna"),
        ("Press 1 for Yes.", "en-US", "Polly.Joanna"),
        ("Press 2 for No.", "en-US", "Polly.Joanna"),
    ]


def test_voice_wording_wins_over_sms_wording_and_params_are_filled() -> None:
    msg = SendMessage(msgid="Reply YES, {first_name}", voice_msgid="Say yes, {first_name}",
                      params={"first_name": "Ana"})
    gather = _render([msg])[0]
    assert [s.text for s in gather] == ["Say yes, Ana"]
    assert "numDigits" not in gather.attrib and "hints" not in gather.attrib


def test_spanish_turn_uses_the_spanish_voice_and_recogniser() -> None:
    gather = _render([SendMessage(msgid="Hola", choices=("Sí",))], locale="es")[0]
    assert gather.get("language") == "es-US"
    assert {(s.get("language"), s.get("voice")) for s in gather} == {("es-US", "Polly.Lupe")}


def test_vietnamese_turn_uses_a_google_voice() -> None:
    gather = _render([SendMessage(msgid="Xin chào")], locale="vi")[0]
    assert gather.get("language") == "vi-VN"
    assert gather[0].get("voice") == "Google.vi-VN-Standard-A"


def test_final_turn_says_goodbye_and_hangs_up_and_ignores_other_effects() -> None:
    root = _render(
        [SendMessage(msgid="Thank you."), CreateTask(team="pharmacy", priority="high", reason="x")],
        waiting=False,
    )
    assert [c.tag for c in root] == ["Say", "Say", "Hangup"]
    assert [root[0].text, root[1].text] == ["Thank you.", "Goodbye."]


def test_voicemail_has_program_and_number_only() -> None:
    profile = voice_profile("en")
    root = ET.fromstring(tv.voicemail_twiml(profile, "en", "America/New_York", HOST))
    assert [c.tag for c in root] == ["Say", "Hangup"]
    assert root[0].text == (
        "Hello, this is Care Outreach calling for you. Please call us back at 555-0100. Thank you."
    )


def test_retry_twiml_pauses_then_redirects() -> None:
    root = ET.fromstring(tv.retry_twiml("https://app.example/twilio/voice/answer?c=7"))
    assert [c.tag for c in root] == ["Pause", "Redirect"]
    assert root[1].text == "https://app.example/twilio/voice/answer?c=7"
    assert root[1].get("method") == "POST"


def test_more_than_nine_choices_are_cut_to_the_keypad() -> None:
    choices = tuple(f"Option {n}" for n in range(12))
    gather = _render([SendMessage(msgid="Pick", choices=choices)])[0]
    assert len(gather) == 1 + tv.MAX_KEYPAD_CHOICES


def test_menu_lines_read_as_sentences_whatever_the_label() -> None:
    """A label is a whole answer ("se me acabó la medicina"): the line frames it as a list
    item, never as "Para se me acabó la medicina, oprima 4"."""
    ask = SendMessage(msgid="Hola", choices=("el costo", "se me acabó la medicina"))
    says = [s.text for s in _render([ask], locale="es")[0]]
    assert says[1:] == ["Oprima 1: el costo.", "Oprima 2: se me acabó la medicina."]
    ko = [s.text for s in _render([SendMessage(msgid="x", choices=("약이 떨어졌어요",))],
                                  locale="ko")[0]]
    assert ko[1] == "1번: 약이 떨어졌어요." and "(는)" not in ko[1]


def test_a_time_on_a_call_carries_its_zone_and_a_text_does_not() -> None:
    """A caller cannot see which zone a time is in (a relative in another state may answer)."""
    from bot import i18n

    slot = "2026-03-03T20:00:00+00:00"
    ask = SendMessage(msgid="You picked {chosen_slot:datetime}. Is that right?",
                      params={"chosen_slot": slot})
    [say] = [s.text for s in _render([ask], locale="en")[0]]
    assert say == "You picked March 3, 2026, 3:00 PM Eastern Time. Is that right?"
    [dicho] = [s.text for s in _render([ask], locale="es")[0]]
    assert "15:00 hora oriental" in (dicho or "")
    texted = i18n.render(ask.msgid, ask.params, "en", "America/New_York")
    assert texted == "You picked March 3, 2026, 3:00 PM. Is that right?"
