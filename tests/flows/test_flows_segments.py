"""`outreach flows check --segments`: each SMS text's encoding and segment count per language."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from bot.cli.flows import flows
from bot.flows.loader import default_flows_dir, load_dir
from bot.flows.segments import flow_costs

FLOW = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    start: ask
    states:
      ask:
        say: "{long}"
        expect:
          - keywords: ["1"]
            goto: done
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done, say: "Sorry - reply 1 \u2019please\u2019."}
      done:
        say: "Thanks [ok]."
        end: confirmed
    """)


def test_costs_count_like_a_carrier(tmp_path: Path) -> None:
    # 161 GSM-7 characters need two parts; a curly quote forces UCS-2; [ ] are escaped (2 septets).
    text = FLOW.replace("{long}", "a" * 161)
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    flow = load_dir(tmp_path).registry.get("demo")
    costs = {(c.state, c.where): c.cost["en"] for c in flow_costs(flow, ("en",))}
    assert costs == {("ask", "say"): ("GSM-7", 2), ("ask", "not_understood"): ("UCS-2", 1),
                     ("done", "say"): ("GSM-7", 1)}


def test_check_segments_reports_each_locale_of_the_shipped_flows() -> None:
    path = str(default_flows_dir() / "refill_reminder.yaml")
    result = CliRunner().invoke(flows, ["check", path, "--segments", "--locale", "en", "--locale", "ar"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("info:")]
    assert "info: refill_reminder v3 confirmed en GSM-7 1 segment" in lines
    assert "info: refill_reminder v3 confirmed ar UCS-2 1 segment" in lines
    # Every SMS text of the flow (thirteen states say something), in both languages.
    assert len(lines) == 2 * 13


def test_segments_are_only_shown_when_asked() -> None:
    result = CliRunner().invoke(flows, ["check", str(default_flows_dir() / "refill_reminder.yaml")])
    assert result.exit_code == 0 and "info:" not in result.output


def test_segments_say_when_a_language_counts_the_english_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "copy.yaml"
    text = (default_flows_dir() / "refill_reminder.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("A pharmacist will contact you today.", "A pharmacist will call you today."))
    result = CliRunner().invoke(flows, ["check", str(path), "--segments", "--locale", "es"])
    lines = result.output.splitlines()
    untranslated = [line for line in lines if "(not translated: the English text is counted)" in line]
    assert untranslated == ["info: refill_reminder v3 ran_out es GSM-7 1 segment  "
                            "(not translated: the English text is counted)"]
