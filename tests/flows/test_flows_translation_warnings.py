"""`flows check` warns when a flow text has no reviewed translation in a language the program serves."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from bot.flows.loader import load_paths
from bot.flows.translation_checks import translation_issues
from bot.i18n import reviews

FLOW = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    start: ask
    states:
      ask:
        say: "Reply 1 or 2."
        expect:
          - keywords: ["1"]
            goto: done
        no_reply: {after: 24h, remind: "Please reply 1 or 2.", then_after: 1d, goto: done}
        not_understood: {reprompt: 1, then: done}
      done:
        say: "Thanks."
        end: confirmed
    """)

PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Reply 1 or 2."
msgstr "{reply}"

#, fuzzy
msgid "Thanks."
msgstr "Gracias."
'''


def locales(tmp_path: Path, es_state: str, reply: str = "Responda 1 o 2.") -> Path:
    """Catalogs for es and vi; es's translations signed off by a translator when "reviewed"
    (locales/es/reviews.csv, as `outreach i18n import` writes it)."""
    base = tmp_path / "locales"
    for loc in ("es", "vi"):
        (base / loc / "LC_MESSAGES").mkdir(parents=True)
        (base / loc / "LC_MESSAGES" / "messages.po").write_text(PO.replace("{reply}", reply), encoding="utf-8")
    if es_state == "reviewed":
        reviews.save_reviews("es", [
            reviews.Review("", "Reply 1 or 2.", reply, "M. Garcia, CMI", date(2026, 11, 2)),
            reviews.Review("", "Thanks.", "Gracias.", "M. Garcia, CMI", date(2026, 11, 2)),
        ], base)
    return base


@pytest.fixture
def flow_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(FLOW, encoding="utf-8")
    return path


def warnings(flow_path: Path, directory: Path, served: tuple[str, ...]) -> list[str]:
    registry = load_paths([flow_path]).registry
    return [f"{i.line}: {i.message}" for i in translation_issues(registry.latest(), served, directory)]


def test_missing_and_changed_texts_are_named_with_their_line(tmp_path: Path, flow_path: Path) -> None:
    found = warnings(flow_path, locales(tmp_path, "reviewed"), ("en", "es"))
    guide = '(see "Get your flow translated" in conversation_flows/README.md)'
    assert found == [
        f'11: "Please reply 1 or 2." is not translated in es: patients in those languages would not get '
        f"it in their language {guide}",
        f'14: "Thanks." was changed since it was translated (needs review) in es: patients in those '
        f"languages would not get it in their language {guide}",
    ]


def test_machine_drafted_catalogs_are_named_once_per_flow(tmp_path: Path, flow_path: Path) -> None:
    found = warnings(flow_path, locales(tmp_path, "drafted"), ("es", "vi"))
    drafted = [w for w in found if "machine-drafted" in w]
    assert drafted == ['1: the texts of flow "demo" are machine-drafted, not reviewed by a qualified translator, '
                       'in: es, vi (outreach i18n status; see "Get your flow translated" in conversation_flows/README.md)']


def test_a_reviewed_translation_gives_no_warning_and_english_needs_none(tmp_path: Path, flow_path: Path) -> None:
    base = locales(tmp_path, "reviewed")
    flow_path.write_text(FLOW.replace(', remind: "Please reply 1 or 2.", then_after: 1d', "")
                         .replace('say: "Thanks."', 'say: "Reply 1 or 2."'), encoding="utf-8")
    assert warnings(flow_path, base, ("es",)) == []
    assert warnings(flow_path, base, ("en",)) == []


def test_flows_check_prints_the_warnings_for_the_languages_served(flow_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "400"}).invoke(main, ["flows", "check", str(flow_path), "--locale", "es"])
    assert result.exit_code == 0, result.output
    assert f'{flow_path}:7:1: warning: "Reply 1 or 2." is not translated in es' in result.output
    assert "in es, " not in result.output  # only the language asked for
