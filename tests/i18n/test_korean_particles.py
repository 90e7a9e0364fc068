"""Korean particles follow the word a placeholder became: no "(으)로" or "을(를)" is sent or said."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot import i18n
from bot.i18n.particles import attach_korean


@pytest.mark.parametrize(("written", "sent"), [
    ("서울(으)로 오세요", "서울로 오세요"),  # vowel
    ("병원(으)로 오세요", "병원으로 오세요"),  # final consonant
    ("교실(으)로", "교실로"),  # ㄹ takes 로
    ("555-0100(으)로 전화하세요", "555-0100으로 전화하세요"),  # 0: 영
    ("5 5 5, 0 1 0 2(으)로", "5 5 5, 0 1 0 2로"),  # 2: 이
    ("사과을(를)", "사과를"), ("약을(를)", "약을"), ("오후 3:00을(를)", "오후 3:00를"),
    ("오후 3:30을(를)", "오후 3:30을"), ("약이(가)", "약이"), ("차이(가)", "차가"),
    ("보험은(는)", "보험은"), ("의사은(는)", "의사는"), ("약과(와)", "약과"),
    ("particles without a pair stay", "particles without a pair stay"),
])
def test_the_particle_follows_the_word(written: str, sent: str) -> None:
    assert attach_korean(written) == sent


@pytest.mark.parametrize("spoken", [False, True])
def test_a_rendered_korean_message_has_no_pair_left(spoken: bool) -> None:
    slot = datetime(2026, 3, 3, 20, 0, tzinfo=timezone.utc)
    text = i18n.render("You picked {chosen_slot:datetime}. Is that right?", {"chosen_slot": slot},
                       "ko", "America/New_York", spoken=spoken)
    assert "(" not in text and ")" not in text
    assert text.startswith("2026년 3월 3일 오후 3:00" + (" 미 동부 시간을" if spoken else "를"))


def test_other_languages_are_untouched() -> None:
    assert i18n.render("{x}(으)로", {"x": "a"}, "en", "UTC") == "a(으)로"
