"""Campaign files: the shipped ones load; mistakes are refused with file:line:col and a reason."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.campaigns.loader import load_paths, load_text, parse_when
from bot.campaigns.schema import Campaign, fire_at, offsets_for
from bot.flows.loader import default_flows_dir, load_dir

FLOWS = load_dir(default_flows_dir()).registry

GOOD = """\
campaign: refill_due
flow: refill_reminder
audience: refill_due
when: [3 days before]
send_at: "10:00"
"""


def issues_of(text: str) -> list[str]:
    campaign, issues = load_text(text, "c.yaml", FLOWS)
    assert campaign is None
    return [str(i) for i in issues]


def test_shipped_campaigns_load_clean() -> None:
    result = load_paths([default_flows_dir() / "campaigns"], FLOWS)
    assert [str(i) for i in result.issues] == []
    assert set(result.campaigns) == {"refill_due", "missed_visit", "program_checkin", "bp_weekly"}
    refill = result.campaigns["refill_due"]
    assert (refill.offsets, refill.send_at, refill.flow) == ((-3,), time(10), "refill_reminder")
    checkin = result.campaigns["program_checkin"]
    assert (checkin.offsets, checkin.every_days) == ((0,), 14)
    assert result.campaigns["missed_visit"].offsets == (1,)
    weekly = result.campaigns["bp_weekly"]
    assert (weekly.flow, weekly.offsets, weekly.every_days) == ("bp_checkin", (0,), 7)


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("refill_reminder", "refill_remindr"),
     'c.yaml:2:7: no flow "refill_remindr" (did you mean "refill_reminder"?)'),
    (GOOD.replace("audience: refill_due", "audience: refills"),
     'c.yaml:3:11: unknown audience "refills"'),
    (GOOD.replace("3 days before", "soon"), 'c.yaml:4:8: cannot read "soon"'),
    (GOOD.replace('"10:00"', '"22:30"'), "c.yaml:5:10: send_at 22:30 is inside quiet hours"),
    (GOOD.replace('"10:00"', '"10am"'), "c.yaml:5:10: send_at must be HH:MM"),
    (GOOD + "start_mode: wait\n", "c.yaml:6:13: start_mode must be one of skip, queue, interrupt"),
    (GOOD + "stop_when: [visit_kept]\n",
     'c.yaml:6:13: stop_when "visit_kept" does not apply to audience refill_due'),
    (GOOD + "caps: {per_day: 0}\n", "c.yaml:6:8: per_day must be a whole number"),
    (GOOD + "pilot: [25, 5]\n", "c.yaml:6:8: pilot is a list of growing stage sizes"),
    (GOOD + "sendat: x\n", 'c.yaml:6:1: unknown key "sendat"'),
    (GOOD.replace("flow: refill_reminder\n", ""), 'c.yaml:1:1: "flow" is missing'),
    ("campaign: [unclosed\n", "c.yaml:2:1: not valid YAML"),
])
def test_mistakes_are_reported_with_line_and_reason(text: str, expected: str) -> None:
    found = issues_of(text)
    assert any(i.startswith(expected) for i in found), found


def test_when_phrases() -> None:
    assert parse_when("3 days before") == (-3, None)
    assert parse_when("On the day") == (0, None)
    assert parse_when("2 weeks after") == (14, None)
    assert parse_when("every 14 days") == (None, 14)


def test_fire_time_is_local_send_time_across_daylight_saving() -> None:
    # 10:00 in New York is 15:00 UTC in winter and 14:00 UTC in summer.
    assert fire_at(date(2026, 3, 7), 0, time(10), "America/New_York").hour == 15
    assert fire_at(date(2026, 3, 9), 0, time(10), "America/New_York").hour == 14
    # 3 days before a due date just after the spring change lands before it.
    assert fire_at(date(2026, 3, 10), -3, time(10), "America/New_York").isoformat() == \
        "2026-03-07T15:00:00+00:00"
    # A send time inside the spring-forward gap (02:30 does not exist) moves to 03:30 EDT.
    gap = fire_at(date(2026, 3, 8), 0, time(2, 30), "America/New_York")
    assert gap.isoformat() == "2026-03-08T07:30:00+00:00"
    assert fire_at(date(2026, 11, 1), 0, time(10), "America/Los_Angeles").hour == 18


def test_repeating_offsets_extend_past_the_horizon() -> None:
    c = Campaign("p", "engagement_checkin", "program", (0,), time(10), every_days=14)
    assert offsets_for(c, date(2026, 3, 1), date(2026, 3, 20)) == [0, 14, 28, 42]


def test_guide_campaign_example_loads() -> None:
    import re

    guide = (default_flows_dir() / "README.md").read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S)
                 if b.startswith("# campaigns/")]
    campaign, issues = load_text(example, "guide.yaml", FLOWS)
    assert issues == [] and campaign is not None
    assert (campaign.offsets, campaign.pilot, campaign.total) == ((-3,), (5, 25, 125), 5000)


def test_check_command_reports_and_exits_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli.main import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace('"10:00"', '"23:00"'))
    result = CliRunner().invoke(main, ["campaigns", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5:10: send_at 23:00 is inside quiet hours" in result.output
    ok = CliRunner().invoke(main, ["campaigns", "check"])
    assert ok.exit_code == 0 and "ok  refill_due: refill_reminder for refill_due, 3 days before" \
        " at 10:00 local" in ok.output
