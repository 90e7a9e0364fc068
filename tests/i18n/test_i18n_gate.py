"""The gate: the real catalogs pass, and each kind of defect in a small catalog is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from click.testing import CliRunner
from i18n_catalogs import write_catalog, write_template

from bot import i18n
from bot.cli.i18n import compile_catalogs, completeness
from bot.cli.main import main
from bot.i18n import reviews
from bot.i18n.gate import check_catalogs, first_plural_difference, segment_report

MSG = "Hi {first_name}, your visit is on {day:date}."
DAYS = ("{count} day", "{count} days")
#: Spanish has three forms in the current CLDR: one, many (whole millions), other.
ES_DAYS = ("{count} día", "{count} de días", "{count} días")


def kinds(problems: list) -> set[tuple[str, str]]:
    return {(p.locale, p.kind) for p in problems}


def test_real_catalogs_pass_the_gate() -> None:
    result = CliRunner().invoke(main, ["i18n", "check"])
    assert result.exit_code == 0, result.output
    assert "catalogs complete" in result.output


def test_every_shipped_locale_has_a_review_state_from_its_records() -> None:
    states = {code: reviews.summary(code).state for code in i18n.SHIPPED_LOCALES}
    assert states["en"] == "source"
    assert all(states[code] == "drafted" or states[code] == "reviewed"
               or states[code].startswith("in review") for code in i18n.SHIPPED_LOCALES if code != "en")


def test_status_prints_states_and_counts() -> None:
    result = CliRunner().invoke(main, ["i18n", "status"])
    assert result.exit_code == 0, result.output
    assert "drafted" in result.output and "pt_BR" in result.output
    done = completeness("es")
    assert done.total > 50 and done.translated == done.total and done.missing == 0


@pytest.fixture
def catalogs(tmp_path: Path) -> Path:
    write_template(tmp_path, [MSG, DAYS])
    return tmp_path


def check(directory: Path, locale: str) -> list:
    return check_catalogs(directory, locales=[locale])


def test_a_complete_small_catalog_passes(catalogs: Path) -> None:
    write_catalog(catalogs, "es", [(MSG, "Hola {first_name}, su cita es el {day:date}."),
                                   (DAYS, ES_DAYS)])
    assert check(catalogs, "es") == []


def test_missing_translation_is_caught(catalogs: Path) -> None:
    write_catalog(catalogs, "es", [(DAYS, ES_DAYS)])
    assert kinds(check(catalogs, "es")) == {("es", "missing")}


def test_missing_catalog_is_caught(catalogs: Path) -> None:
    assert kinds(check(catalogs, "vi")) == {("vi", "missing")}


def test_empty_translation_is_caught(catalogs: Path) -> None:
    write_catalog(catalogs, "ko", [(MSG, ""), (DAYS, ("{count}일",))])
    assert kinds(check(catalogs, "ko")) == {("ko", "empty")}


def test_plural_entry_with_an_empty_form_is_caught(catalogs: Path) -> None:
    write_catalog(catalogs, "ru", [(MSG, "Здравствуйте, {first_name}! Приём {day:date}."),
                                   (DAYS, ("{count} день", "", "{count} дней"))])
    assert kinds(check(catalogs, "ru")) == {("ru", "plural_forms")}


def test_fuzzy_translation_is_caught(catalogs: Path) -> None:
    write_catalog(catalogs, "es", [(MSG, "Hola {first_name}, su cita es el {day:date}.",
                                    {"fuzzy": True}),
                                   (DAYS, ES_DAYS)])
    assert kinds(check(catalogs, "es")) == {("es", "fuzzy")}


@pytest.mark.parametrize("bad", [
    "Hola {nombre}, su cita es el {day:date}.",      # renamed
    "Hola, su cita es el {day:date}.",               # dropped
    "Hola {first_name}, su cita es el {day}.",       # kind lost
    "Hola {first_name}, su cita es el {day:date} {extra}.",  # added
])
def test_placeholder_set_differing_from_msgid_is_caught(catalogs: Path, bad: str) -> None:
    write_catalog(catalogs, "es", [(MSG, bad), (DAYS, ES_DAYS)])
    assert kinds(check(catalogs, "es")) == {("es", "placeholders")}


def test_plural_forms_may_drop_the_count_except_the_last(catalogs: Path) -> None:
    good = ("{count} يوم", "يوم واحد", "يومان", "{count} أيام", "{count} يومًا", "{count} يوم")
    write_catalog(catalogs, "ar", [(MSG, "مرحبًا {first_name}، موعدك في {day:date}."),
                                   (DAYS, good)])
    assert check(catalogs, "ar") == []
    bad = good[:5] + ("يوم",)
    write_catalog(catalogs, "ar", [(MSG, "مرحبًا {first_name}، موعدك في {day:date}."),
                                   (DAYS, bad)])
    assert kinds(check(catalogs, "ar")) == {("ar", "placeholders")}


def test_wrong_plural_form_count_is_caught(catalogs: Path) -> None:
    # Arabic needs six forms; a catalog drafted with the English two is wrong.
    write_catalog(catalogs, "ar", [(MSG, "مرحبًا {first_name}، موعدك في {day:date}."),
                                   (DAYS, ("{count} يوم", "{count} أيام"))])
    assert kinds(check(catalogs, "ar")) == {("ar", "plural_forms")}


def test_wrong_plural_header_is_caught(catalogs: Path) -> None:
    write_catalog(catalogs, "ru", [(MSG, "Здравствуйте, {first_name}! Приём {day:date}."),
                                   (DAYS, ("{count} день", "{count} дней"))],
                  plural_forms="nplurals=2; plural=(n != 1);")
    # The header is wrong, and so is the entry drafted to match it (two forms, not three).
    assert kinds(check(catalogs, "ru")) == {("ru", "plural_header"), ("ru", "plural_forms")}


def test_a_header_written_differently_but_meaning_the_same_passes(catalogs: Path) -> None:
    # GNU gettext's manual spells Russian with `n%100<10 || n%100>=20`, Babel with
    # `n%100<12 || n%100>14`: every count lands on the same form, so the catalog is right.
    gnu = ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
           "(n%100<10 || n%100>=20) ? 1 : 2);")
    write_catalog(catalogs, "ru", [(MSG, "Здравствуйте, {first_name}! Приём {day:date}."),
                                   (DAYS, ("{count} день", "{count} дня", "{count} дней"))],
                  plural_forms=gnu)
    assert check(catalogs, "ru") == []


def test_a_header_that_puts_a_count_on_another_form_is_caught(catalogs: Path) -> None:
    # Right number of forms, wrong meaning: 100-102 on form 4 and 11-99 on form 5 is the
    # reverse of what CLDR's Arabic rule gives, so "11 days" would print the "100 days" form.
    swapped = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 "
               "? 3 : n%100>=0 && n%100<=2 ? 4 : 5);")
    forms = ("{count} يوم", "يوم واحد", "يومان", "{count} أيام", "{count} يوم", "{count} يومًا")
    write_catalog(catalogs, "ar", [(MSG, "مرحبًا {first_name}، موعدك في {day:date}."),
                                   (DAYS, forms)], plural_forms=swapped)
    problems = check(catalogs, "ar")
    assert kinds(problems) == {("ar", "plural_header")}
    assert "n=11 takes form 5, CLDR says form 4" in str(problems[0])


def test_plural_rules_are_compared_up_to_a_million() -> None:
    # Spanish "many" starts at 1,000,000: a formula right on every smaller count is still wrong.
    babel_es = get_plural("es").plural_expr
    almost = "(n == 1 ? 0 : n != 0 && n % 2000000 == 0 ? 1 : 2)"
    assert first_plural_difference(almost, babel_es) == 1_000_000
    assert first_plural_difference(babel_es, babel_es) is None


@pytest.mark.parametrize("locale,text", [
    ("es", "Hola {first_name}, su cita es el {day:date} \u2013 gracias."),
    ("es", "Hola {first_name}, su \u201ccita\u201d es el {day:date}."),
    ("es", "Hola\u00a0{first_name}, su cita es el {day:date}."),
    ("en", "Hi {first_name}, your visit is on {day:date}\u2026"),
    ("en", "Hi {first_name}, your visit\u2019s on {day:date}."),
])
def test_needless_non_gsm_characters_are_caught_in_english_and_spanish(
    catalogs: Path, locale: str, text: str
) -> None:
    forms = ES_DAYS if locale == "es" else DAYS
    write_catalog(catalogs, locale, [(MSG, text), (DAYS, forms)])
    problems = check(catalogs, locale)
    assert kinds(problems) == {(locale, "non_gsm")}
    assert "U+" in problems[0].detail


def test_accents_and_other_scripts_are_not_needless(catalogs: Path) -> None:
    write_catalog(catalogs, "es", [(MSG, "Hola {first_name}, ¿vendrá el {day:date}? Sí."),
                                   (DAYS, ES_DAYS)])
    assert check(catalogs, "es") == []
    # Curly quotes are the norm in Russian typography; only en/es are held to GSM-7.
    write_catalog(catalogs, "ru", [(MSG, "Здравствуйте, {first_name}! «Приём» {day:date} \u2013"),
                                   (DAYS, ("{count} день", "{count} дня", "{count} дней"))])
    assert check(catalogs, "ru") == []


def test_compile_leaves_fuzzy_entries_out(catalogs: Path) -> None:
    write_catalog(catalogs, "es", [(MSG, "Hola {first_name}, su cita es el {day:date}.",
                                    {"fuzzy": True}),
                                   (DAYS, ES_DAYS)])
    [(locale, kept, skipped)] = compile_catalogs(catalogs, ["es"])
    assert (locale, kept, skipped) == ("es", 1, 1)
    assert (catalogs / "es" / "LC_MESSAGES" / "messages.mo").exists()
    chain = i18n.translations("es", catalogs)
    assert chain.gettext(MSG) == MSG  # fuzzy: not used, falls back to the source
    assert chain.ngettext(*DAYS, 2) == "{count} días"


def test_segment_report_gives_encoding_and_count_per_locale() -> None:
    from bot.core.messages import HANDOFF_REPLY, HELP_REPLY

    rows = segment_report([HANDOFF_REPLY, HELP_REPLY], locales=["en", "es", "zh_Hans"])
    by = {(r.msgid, r.locale): r for r in rows}
    assert len(rows) == 6
    assert by[(HANDOFF_REPLY, "en")].encoding == "GSM-7"
    assert by[(HANDOFF_REPLY, "en")].segments == 1
    assert by[(HANDOFF_REPLY, "zh_Hans")].encoding == "UCS-2"
    assert by[(HELP_REPLY, "es")].segments >= 1


def test_check_segments_option_prints_the_report() -> None:
    result = CliRunner().invoke(main, ["i18n", "check", "--segments"])
    assert result.exit_code == 0, result.output
    assert "UCS-2" in result.output and "GSM-7" in result.output
