"""Answers as patients type them, in every shipped language: counters and number words on every
numbered menu, needs named in the patient's own language, Latin-letter and chat forms of yes
and no. Each case is run through the engine from the state that asks the question."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, StaffAction, Start
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
REGISTRY = load_dir(default_flows_dir()).registry
CONTEXT = {"first_name": "Ana", "due_date": "2026-03-05", "missed_date": "2026-02-27",
           "slots": ["2026-03-04T15:00:00+00:00", "2026-03-05T18:00:00+00:00",
                     "2026-03-06T14:30:00+00:00"], "score": 4}


def answer(flow_name: str, state: str, text: str, locale: str, channel: str = "sms"):  # type: ignore[no-untyped-def]
    flow = REGISTRY.get(flow_name)
    conv = Conversation(id="c", patient_id="p", flow=flow.name, version=flow.version, state="",
                        locale=locale, channel=channel, context=dict(CONTEXT))
    conv, _ = step(flow, conv, Start(), NOW)
    if conv.state != state:
        conv, _ = step(flow, conv, StaffAction(action="goto", state=state), NOW)
    return step(flow, conv, Reply(text=text, message_id="7", channel=channel), NOW)


@pytest.mark.parametrize(("locale", "text", "state"), [
    ("ko", "4번", "ran_out"), ("ko", "사번", "ran_out"), ("ko", "１번", "cost"), ("ko", "일번", "cost"),
    ("zh_Hans", "1号", "cost"), ("zh_Hans", "选1", "cost"), ("zh_Hans", "四", "ran_out"),
    ("zh_Hant", "第四個", "ran_out"), ("es", "cuatro", "ran_out"), ("en", "four", "ran_out"),
    ("vi", "số 4", "ran_out"), ("ru", "четыре", "ran_out"), ("ar", "٤", "ran_out"),
    ("tl", "apat", "ran_out"), ("ht", "kat", "ran_out"), ("pt_BR", "quatro", "ran_out"),
])
def test_counters_and_number_words_at_the_barrier(locale: str, text: str, state: str) -> None:
    conv, _ = answer("refill_reminder", "barrier", text, locale)
    assert conv.state == state


def test_a_counter_at_the_missed_visit_why_question_reaches_the_cost_task() -> None:
    conv, effects = answer("appointment_recovery", "ask_why", "3번", "ko")
    assert conv.state == "declined_help"
    assert any(isinstance(e, fx.CreateTask) and e.team == "social_work" for e in effects)


@pytest.mark.parametrize(("locale", "text"), [
    ("es", "comida"), ("zh_Hans", "食物"), ("vi", "thức ăn"), ("ko", "음식"), ("tl", "pagkain"),
    ("ru", "еда"), ("ar", "الطعام"), ("ht", "manje"), ("pt_BR", "comida"), ("zh_Hant", "食物"),
    ("en", "food"),
])
def test_food_named_in_the_patients_language_creates_the_social_work_task(locale: str, text: str) -> None:
    conv, effects = answer("engagement_checkin", "needs", text, locale)
    task = next(e for e in effects if isinstance(e, fx.CreateTask))
    assert (task.team, conv.context.get("need")) == ("social_work", "food")
    assert task.reply_message_id == "7" and task.understood == "food (in the patient's words)"


@pytest.mark.parametrize(("locale", "text", "state"), [
    ("ru", "da", "confirmed"), ("ru", "net", "barrier"), ("ar", "na3am", "confirmed"),
    ("ar", "la", "barrier"), ("pt_BR", "ss", "confirmed"), ("pt_BR", "nn", "barrier"),
    ("ht", "oui", "confirmed"),
])
def test_latin_letter_and_chat_forms_of_yes_and_no(locale: str, text: str, state: str) -> None:
    conv, _ = answer("refill_reminder", "ask", text, locale)
    assert conv.state == state


@pytest.mark.parametrize(("locale", "text"), [("zh_Hans", "有"), ("zh_Hant", "有"), ("ko", "있어요")])
def test_have_answers_the_symptoms_question(locale: str, text: str) -> None:
    conv, effects = answer("engagement_checkin", "symptoms", text, locale)
    assert any(isinstance(e, fx.CreateTask) and e.team == "nursing" for e in effects)


def test_no_have_is_not_yes_to_the_symptoms_question() -> None:
    conv, effects = answer("engagement_checkin", "symptoms", "没有", "zh_Hans")
    assert conv.state == "needs" and not any(isinstance(e, fx.CreateTask) for e in effects)


def test_own_words_on_a_call_reach_the_barrier_state() -> None:
    conv, _ = answer("refill_reminder", "barrier", "se me acabó la medicina", "es", channel="voice")
    assert conv.state == "ran_out"


@pytest.mark.parametrize(("locale", "text"), [
    ("en", "I'll try"), ("en", "I think so"), ("es", "creo que sí"), ("es", "tal vez"),
    ("vi", "có lẽ"), ("zh_Hans", "应该吧"), ("ko", "아마도"), ("tl", "siguro"), ("ru", "наверное"),
    ("ar", "إن شاء الله"), ("ht", "petèt"), ("pt_BR", "acho que sim"), ("zh_Hant", "應該吧"),
])
def test_hedges_are_not_yes(locale: str, text: str) -> None:
    conv, _ = answer("refill_reminder", "ask", text, locale)
    assert conv.state == "ask" and conv.outcome is None


@pytest.mark.parametrize(("locale", "text"), [
    ("en", "not yet"), ("en", "I don't think so"), ("en", "I can't"), ("en", "won't"),
    ("es", "todavía no"), ("vi", "chưa"), ("zh_Hans", "还没"), ("ko", "아직이요"), ("tl", "hindi pa"),
    ("ru", "пока нет"), ("ar", "لسه"), ("ht", "poko"), ("pt_BR", "ainda não"), ("zh_Hant", "還沒"),
])
def test_negations_are_not_yes(locale: str, text: str) -> None:
    conv, _ = answer("refill_reminder", "ask", text, locale)
    assert conv.state == "barrier"
