"""TwiML for voice turns: the engine's messages spoken in the patient's language.

Pure: takes what the engine asked to say (`SendMessage` effects) and where Twilio should post the
answer, returns a TwiML document built with twilio's `VoiceResponse`. No database, no Flask, so
the web endpoints, the simulator (`outreach simulate NAME --channel voice`) and the tests all
render a turn the same way.

A waiting turn is one `<Gather input="dtmf speech">` around the turn's `<Say>`s and, when the
message offers choices, the keypad menu ("Press 1 for ..."); a final turn says its messages, a
goodbye and `<Hangup/>`. `actionOnEmptyResult` makes Twilio post back even on silence, so the app
decides what silence means (repeat once, then end the call) instead of TwiML falling through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot import i18n
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile
from bot.core.effects import Effect, SendMessage
from bot.core.messages import VOICEMAIL

#: Seconds Twilio waits for the first key or word. Twilio's default is 5; older and unwell
#: patients need longer to find the keypad after taking the phone from their ear.
GATHER_TIMEOUT_SECONDS = 8
#: Keypad menus use one key each, 1 to 8: 9 stops the calls and 0 asks for a person.
MAX_KEYPAD_CHOICES = 8
#: Seconds the crisis transfer rings before the caller hears the numbers to call instead.
DIAL_TIMEOUT_SECONDS = 25
#: Pause before a <Redirect> that retries (seconds): long enough for a busy lock to clear.
RETRY_PAUSE_SECONDS = 1


@dataclass(frozen=True)
class Turn:
    """What one voice turn says, already rendered in the patient's language."""

    lines: tuple[str, ...]
    #: Rendered labels of the choices offered (keypad 1..n, speech by label).
    choices: tuple[str, ...] = ()
    #: Rendered keypad menu lines, one per choice.
    menu: tuple[str, ...] = ()
    msgids: tuple[str, ...] = field(default=(), compare=False)


def speakable_number(text: str) -> str:
    """A phone number as a voice should read it: digit by digit, a pause at each group
    ("555-0100" -> "5 5 5, 0 1 0 0"), not "five hundred fifty-five". Other text is kept."""
    groups = [g for g in re.split(r"[\s\-().]+", text.strip()) if g]
    if not groups or not all(g.lstrip("+").isdigit() for g in groups):
        return text
    return ", ".join(" ".join(g.lstrip("+")) for g in groups)


def _say(parent: VoiceResponse | Gather, text: str, profile: VoiceProfile) -> None:
    parent.say(text, language=profile.say_language, voice=profile.voice)


def render_turn(
    messages: Iterable[SendMessage],
    locale: str,
    timezone: str,
    host_params: Mapping[str, Any],
) -> Turn:
    """Render the messages of one turn for the phone: the voice wording when the flow has one.

    `host_params` are the placeholders every host fills (`program`, `contact`); message params
    win over them. Choices come from the last message that offers some (the question).
    """
    lines: list[str] = []
    msgids: list[str] = []
    choice_ids: tuple[str, ...] = ()
    params_for_choices: dict[str, Any] = {}
    for message in messages:
        msgid = message.voice_msgid or message.msgid
        params = {**host_params, **message.params}
        lines.append(i18n.render(msgid, params, locale, timezone, spoken=True))
        msgids.append(msgid)
        if message.choices:
            choice_ids, params_for_choices = message.choices, params
    labels = tuple(
        i18n.render(choice, params_for_choices, locale, timezone, spoken=True)
        for choice in choice_ids[:MAX_KEYPAD_CHOICES]
    )
    menu = tuple(
        i18n.render(vm.PRESS_FOR, {"digit": n, "choice": label}, locale, timezone)
        for n, label in enumerate(labels, start=1)
    )
    return Turn(tuple(lines), labels, menu, tuple(msgids))


def gather_twiml(
    turn: Turn, profile: VoiceProfile, action_url: str, num_digits: int | None = None,
    offers: Sequence[str] = (), hints: Sequence[str] = (),
) -> str:
    """A turn that waits for an answer: `<Gather>` around the lines and the keypad menu.

    `numDigits` is 1 when the answers are single keys (a menu, or a flow whose keypad answers
    are 1..9), so the patient does not wait for the timeout or press # after the key.
    `offers` are said after the menu ("To stop these calls, press 9."); `hints` help the
    recogniser with the answers the question expects.
    """
    response = VoiceResponse()
    attrs: dict[str, Any] = {
        "input": "dtmf speech",
        "action": action_url,
        "method": "POST",
        "language": profile.gather_language,
        "speech_timeout": "auto",
        "timeout": GATHER_TIMEOUT_SECONDS,
        "action_on_empty_result": True,
    }
    if turn.choices:
        num_digits = 1
    words = list(dict.fromkeys((*turn.choices, *hints)))
    if words:
        attrs["hints"] = ", ".join(words)
    if num_digits:
        attrs["num_digits"] = num_digits
    gather = response.gather(**attrs)
    for line in (*turn.lines, *turn.menu, *offers):
        _say(gather, line, profile)
    return str(response)


def crisis_twiml(lines: Sequence[str], profile: VoiceProfile, number: str,
                 action_url: str) -> str:
    """Say the safety lines, then connect the caller to a person (`<Dial>`).

    Twilio posts `DialCallStatus` to `action_url` when the transfer ends or nobody answers, so
    the app can give the numbers again instead of hanging up on someone in crisis.
    """
    response = VoiceResponse()
    for line in lines:
        _say(response, line, profile)
    response.dial(number, action=action_url, method="POST", timeout=DIAL_TIMEOUT_SECONDS)
    return str(response)


def final_twiml(lines: Sequence[str], profile: VoiceProfile, goodbye: str | None) -> str:
    """The last turn of a call: say the lines (and a goodbye), then hang up."""
    response = VoiceResponse()
    for line in lines:
        _say(response, line, profile)
    if goodbye:
        _say(response, goodbye, profile)
    response.hangup()
    return str(response)


def voicemail_twiml(
    profile: VoiceProfile, locale: str, timezone: str, host_params: Mapping[str, Any]
) -> str:
    """The message left on an answering machine: who called and a number, no health details."""
    text = i18n.render(VOICEMAIL, dict(host_params), locale, timezone)
    return final_twiml([text], profile, goodbye=None)


def retry_twiml(url: str, profile: VoiceProfile | None = None, line: str | None = None) -> str:
    """Keep the caller on the line and ask again in a moment (the patient record is busy)."""
    response = VoiceResponse()
    if line and profile:
        _say(response, line, profile)
    response.pause(length=RETRY_PAUSE_SECONDS)
    response.redirect(url, method="POST")
    return str(response)


def render_turn_twiml(
    effects: Iterable[Effect],
    *,
    waiting: bool,
    profile: VoiceProfile,
    locale: str,
    timezone: str,
    action_url: str,
    host_params: Mapping[str, Any],
    prefix: Sequence[str] = (),
) -> str:
    """TwiML for one engine step: what the simulator and the web endpoints both call.

    `effects` is the engine's output for the step (only `SendMessage`s are spoken); `waiting`
    says whether the conversation now waits for an answer (otherwise the call ends); `prefix`
    are already-rendered lines said first (e.g. "Sorry, we did not hear your answer.").
    """
    messages = [e for e in effects if isinstance(e, SendMessage)]
    turn = render_turn(messages, locale, timezone, host_params)
    turn = Turn((*prefix, *turn.lines), turn.choices, turn.menu, turn.msgids)
    if waiting:
        return gather_twiml(turn, profile, action_url)
    goodbye = i18n.render(vm.GOODBYE, dict(host_params), locale, timezone)
    return final_twiml(turn.lines, profile, goodbye)
