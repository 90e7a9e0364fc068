"""Formatting in the patient's locale and time zone, and the traps the issue lists."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from babel.core import get_cldr_version
from babel.dates import format_date
from i18n_catalogs import write_catalog

from bot import i18n
from bot.core.messages import HANDOFF_REPLY, LANGUAGE_CHANGED

NOW = datetime(2026, 3, 6, 15, 0, tzinfo=timezone.utc)  # Friday
#: The CLDR release of the locked Babel. Tests that pin a fact of CLDR's data call
#: assert_locked_cldr() first, so a `make lock` that moves Babel points at them by name.
LOCKED_CLDR = "49"


def assert_locked_cldr() -> None:
    if get_cldr_version() != LOCKED_CLDR:
        pytest.fail(f"Babel now ships CLDR {get_cldr_version()}, this test pins a fact of CLDR "
                    f"{LOCKED_CLDR}: re-read the fact, update the test and LOCKED_CLDR")
SUNDAY = date(2026, 3, 8)


def test_haitian_creole_dates_come_from_the_catalog_not_cldr() -> None:
    # The trap, as the locked Babel has it: CLDR's ht has no Kreyòl calendar names (older
    # releases inherited French, "dimanche 8 mars"; this one falls back to "Sun 8 M03").
    assert_locked_cldr()
    assert format_date(SUNDAY, "EEEE d MMMM", locale="ht") == "Sun 8 M03"
    assert i18n.format_value(SUNDAY, "date", "ht", "America/New_York") == "8 mas 2026"
    assert i18n.format_value(SUNDAY, "weekday", "ht", "America/New_York") == "dimanch"
    assert i18n.format_value(SUNDAY, "weekday", "ht-HT", "America/New_York") == "dimanch"
    text = i18n.format_value(SUNDAY, "day", "ht", "America/New_York", now=NOW)
    assert text == "dimanch"
    for kind in ("date", "weekday", "datetime"):
        out = i18n.format_value(datetime(2026, 1, 5, 15), kind, "ht", "America/New_York")
        assert not {"janvier", "lundi", "Mon", "M01"} & set(out.replace(",", " ").split())


def test_naive_datetime_is_utc_and_shown_in_the_patients_zone() -> None:
    naive = datetime(2026, 3, 8, 3, 30)  # 03:30 UTC = 22:30 the evening before in New York
    assert i18n.format_value(naive, "date", "en", "America/New_York") == "March 7, 2026"
    assert i18n.format_value(naive, "time", "en", "America/New_York") == "10:30 PM"
    assert i18n.format_value(naive, "time", "en", "UTC") == "3:30 AM"
    assert i18n.format_value("2026-03-08T03:30:00", "time", "en", "America/Chicago") == "9:30 PM"
    aware = naive.replace(tzinfo=timezone.utc)
    assert i18n.format_value(aware, "datetime", "en", "America/Los_Angeles") == \
        i18n.format_value(naive, "datetime", "en", "America/Los_Angeles")


def test_a_plain_date_never_shifts_with_the_zone() -> None:
    for zone in ("Pacific/Honolulu", "Asia/Tokyo"):
        assert i18n.format_value("2026-03-08", "date", "en", zone) == "March 8, 2026"


def test_english_times_stay_gsm_7() -> None:
    # CLDR puts U+202F before "PM"; an SMS would become UCS-2 for one invisible character.
    text = i18n.format_value(datetime(2026, 3, 8, 16, 30), "time", "en", "UTC")
    assert text == "4:30 PM" and "\u202f" not in text


@pytest.mark.parametrize(("locale", "zone", "expected"), [
    ("en", "America/New_York", "Hi Ana, your refill is due on March 8, 2026."),
    ("es", "America/Los_Angeles", "Hola, {first_name}. Su medicina se debe surtir el 8 de marzo de 2026."),
    ("zh_Hans", "America/New_York", "2026年3月8日"),
    ("vi", "Asia/Ho_Chi_Minh", "8 tháng 3, 2026"),
    ("ar", "America/Detroit", "8 مارس 2026"),
    ("ht", "America/New_York", "8 mas 2026"),
    ("ru", "Europe/Moscow", "8 марта 2026"),
])
def test_render_in_several_locales_and_zones(locale: str, zone: str, expected: str) -> None:
    msgid = ("Hi {first_name}, your refill is due on {due_date:date}. Reply YES if you will "
             "pick it up or NO if something is in the way.")
    text = i18n.render(msgid, {"first_name": "Ana", "due_date": "2026-03-08"}, locale, zone)
    assert expected.replace("{first_name}", "Ana") in text
    assert "{" not in text


def test_render_leaves_an_unknown_placeholder_visible() -> None:
    assert i18n.render("Hi {first_name}", {}, "es", "UTC") == "Hi {first_name}"


def test_render_uses_the_catalog() -> None:
    assert i18n.render(HANDOFF_REPLY, {}, "es", "UTC").startswith("Gracias.")
    assert "español" in i18n.render(LANGUAGE_CHANGED, {}, "es", "UTC")
    assert "한국어" in i18n.render(LANGUAGE_CHANGED, {}, "ko", "UTC")


@pytest.mark.parametrize(("locale", "when", "expected"), [
    ("en", datetime(2026, 3, 6, 18), "today"),
    ("en", datetime(2026, 3, 7, 18), "tomorrow"),
    ("en", datetime(2026, 3, 5, 18), "yesterday"),
    ("en", datetime(2026, 3, 9, 18), "on Monday"),
    ("en", datetime(2026, 3, 30, 18), "on March 30, 2026"),
    ("es", datetime(2026, 3, 7, 18), "mañana"),
    ("es", datetime(2026, 3, 9, 18), "el lunes"),
    ("ko", datetime(2026, 3, 7, 18), "내일"),
    ("ht", datetime(2026, 3, 7, 18), "demen"),
    ("ht", datetime(2026, 3, 30, 18), "30 mas 2026"),
])
def test_relative_days(locale: str, when: datetime, expected: str) -> None:
    assert i18n.format_value(when, "day", locale, "America/New_York", now=NOW) == expected


def test_tomorrow_is_counted_in_the_patients_zone() -> None:
    # 02:00 UTC Saturday is still Friday evening in New York: "today" there, "tomorrow" in UTC.
    late = datetime(2026, 3, 7, 2, 0, tzinfo=timezone.utc)
    assert i18n.format_value(late, "day", "en", "America/New_York", now=NOW) == "today"
    assert i18n.format_value(late, "day", "en", "UTC", now=NOW) == "tomorrow"


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "1,234.5"), ("es", "1.234,5"), ("ru", "1 234,5"), ("pt_BR", "1.234,5"),
])
def test_numbers(locale: str, expected: str) -> None:
    assert i18n.format_value(1234.5, "number", locale, "UTC") == expected


@pytest.mark.parametrize(("n", "expected"), [
    (0, "0 يوم"), (1, "يوم واحد"), (2, "يومان"), (3, "3 أيام"), (10, "10 أيام"),
    (11, "11 يومًا"), (99, "99 يومًا"), (100, "100 يوم"), (101, "101 يوم"), (111, "111 يومًا"),
])
def test_arabic_plurals_follow_babels_header_order(n: int, expected: str) -> None:
    assert i18n.format_value(n, "days", "ar", "UTC") == expected


def test_arabic_header_index_to_cldr_category() -> None:
    # A fact of the locked Babel: its Arabic header now lists the forms in CLDR's order (Babel
    # 2.16-2.18 put "other" at index 4 and "many" at 5). Translators follow the header.
    assert_locked_cldr()
    mapping = i18n.plural_index_categories("ar")
    assert [mapping[i] for i in range(6)] == [
        {"zero"}, {"one"}, {"two"}, {"few"}, {"many"}, {"other"}]


@pytest.mark.parametrize(("locale", "n", "expected"), [
    ("es", 1, "1 día"), ("es", 0, "0 días"), ("es", 1_000_000, "1.000.000 de días"),
    ("es", 1_000_001, "1.000.001 días"), ("pt_BR", 1, "1 dia"),
    ("pt_BR", 2_000_000, "2.000.000 de dias"), ("tl", 2, "2 araw"), ("tl", 4, "4 araw"),
])
def test_three_form_plurals_of_the_current_cldr(locale: str, n: int, expected: str) -> None:
    # CLDR 42+ gives Spanish and Portuguese a "many" form for whole millions.
    assert i18n.format_value(n, "days", locale, "UTC") == expected


@pytest.mark.parametrize(("locale", "n", "expected"), [
    ("ru", 1, "1 день"), ("ru", 3, "3 дня"), ("ru", 5, "5 дней"), ("ru", 21, "21 день"),
    ("pt_BR", 0, "0 dia"), ("pt_BR", 2, "2 dias"), ("en", 1, "1 day"), ("en", 0, "0 days"),
    ("zh_Hans", 3, "3天"),
])
def test_plurals_through_ngettext(locale: str, n: int, expected: str) -> None:
    assert i18n.format_value(n, "days", locale, "UTC") == expected
    form = i18n.npgettext("duration", "{count} day", "{count} days", n, locale)
    assert form.replace("{count}", str(n)) == expected


def test_fallback_chain_with_add_fallback(tmp_path: Path) -> None:
    write_catalog(tmp_path, "zh_Hans", [("Only simplified", "只有简体"), ("Both", "两者")])
    write_catalog(tmp_path, "zh_Hant", [("Both", "兩者")])
    write_catalog(tmp_path, "ht", [("Both", "Toulede")])
    write_catalog(tmp_path, "en", [("Only simplified", "Only simplified")])
    zh_hant = i18n.translations("zh_Hant", tmp_path)
    assert zh_hant.gettext("Both") == "兩者"
    assert zh_hant.gettext("Only simplified") == "只有简体"  # zh_Hant -> zh_Hans
    assert i18n.translations("ht", tmp_path).gettext("Only simplified") == "Only simplified"
    assert i18n.translations("ht", tmp_path).gettext("Nowhere") == "Nowhere"


def test_translations_and_locales_are_cached() -> None:
    assert i18n.translations("es") is i18n.translations("es")
    assert i18n.babel_locale("ar") is i18n.babel_locale("ar")
