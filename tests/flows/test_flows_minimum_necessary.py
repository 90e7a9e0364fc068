"""Minimum necessary: medication and diagnosis names in flow text are errors unless allowed."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from bot.flows.issues import IssueList
from bot.flows.loader import load_text
from bot.flows.marked import load_marked
from bot.flows.phi_checks import check_minimum_necessary

FLOW = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    context:
      first_name: text
      drug: {type: text, phi: true}
    settings:
      allow_phi: false
    start: ask
    states:
      ask:
        say:
          sms: "Hi {first_name}, your metformin is ready. Reply 1 or 2."
          voice: "Hi {first_name}, your order is ready."
        expect:
          - keywords: ["1"]
            say: "yes, my insulin too"
            goto: done
          - keywords: ["2"]
            goto: done
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done}
      done:
        say: "Thanks. We know about your {drug}."
        end: confirmed
    """)
HINT = "keep outreach to the minimum necessary, or set allow_phi: true under settings: if this flow must say it"


def local_terms(text: str) -> list[str]:
    """A tiny stand-in term list: the hook must report whatever the finder returns."""
    return [t for t in ("metformin", "insulin") if t in text.lower()]


def test_hook_reports_every_text_with_its_line() -> None:
    issues = IssueList("demo.yaml")
    flow, _ = load_text(FLOW.replace("allow_phi: false", "allow_phi: true"), "demo.yaml")
    assert flow is not None
    flow = replace(flow, settings=replace(flow.settings, allow_phi=False))
    check_minimum_necessary(flow, load_marked(FLOW), issues, find=local_terms)
    assert [str(i) for i in issues] == [
        f'demo.yaml:13:12: say in state "ask" names "metformin" (a medication or diagnosis); {HINT}',
        f'demo.yaml:17:14: the say of expected reply 1 in state "ask" names "insulin" (a medication or diagnosis); {HINT}',
        f'demo.yaml:24:10: say in state "done" uses "{{drug}}", a context field marked phi: true; {HINT}',
    ]


def test_flows_check_uses_the_safety_term_list() -> None:
    flow, issues = load_text(FLOW, "demo.yaml")
    errors = [str(i) for i in issues if i.severity == "error"]
    assert flow is None
    assert f'demo.yaml:13:12: say in state "ask" names "metformin" (a medication or diagnosis); {HINT}' in errors
    assert any('names "insulin"' in e for e in errors)


def test_allow_phi_lets_a_flow_name_them() -> None:
    flow, issues = load_text(FLOW.replace("allow_phi: false", "allow_phi: true"), "demo.yaml")
    assert flow is not None and not [i for i in issues if i.severity == "error"]


def test_outreach_flows_check_fails_with_path_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.flows import flows

    path = tmp_path / "demo.yaml"
    path.write_text(FLOW, encoding="utf-8")
    result = CliRunner().invoke(flows, ["check", str(path)])
    assert result.exit_code == 1
    assert f'{path}:13:12: say in state "ask" names "metformin"' in result.output
