"""YAML mistakes and key typos explained in plain language, on the line the author must change."""

from __future__ import annotations

import textwrap

import pytest

from bot.flows.loader import load_text

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
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done}
      done:
        say: "Thanks."
        end: confirmed
    """)


def messages(text: str) -> list[str]:
    _, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues if i.severity == "error"]


CASES = [
    ("tab for indenting",
     ('    say: "Thanks."', '\tsay: "Thanks."'),
     ["demo.yaml:14:1: this line is indented with a tab: use spaces, not tabs (YAML allows only spaces "
      "for indenting; most editors can turn tabs into spaces)"]),
    ("unquoted colon",
     ('say: "Reply 1 or 2."', "say: Note: reply 1 or 2."),
     ['demo.yaml:7:5: this text contains a colon followed by a space, which YAML reads as the start of '
      'a new key: put text that contains a colon in double quotes, like say: "Note: reply 1 or 2."']),
    ("key indented more than the one above",
     ("    end: confirmed", "      end: confirmed"),
     ['demo.yaml:15:7: this line is indented more than the one above: "end:" has 6 spaces and "say:" on '
      "line 14 has 4. Keys side by side must start in the same column (only a key whose line ends with "
      "a colon may have keys indented under it)"]),
    # PyYAML blames line 15; the mistake is the over-indented first key of "done" on line 14.
    ("first key of a state indented too far (PyYAML points one line late)",
     ('    say: "Thanks."', '      say: "Thanks."'),
     ['demo.yaml:14:7: this line is indented more than the one below it: "say:" has 6 spaces and "end:" '
      "on line 15 has 4. Keys side by side must start in the same column: use the same number of spaces "
      "for both"]),
    ("key lining up with nothing",
     ("    no_reply: {after: 24h", "   no_reply: {after: 24h"),
     ['demo.yaml:11:4: this line is indented 3 spaces, which lines up with none of the keys above it: '
      '"goto:" on line 10 (8 spaces), "expect:" on line 8 (4 spaces), "ask:" on line 6 (2 spaces). '
      "Use the same spaces as the key it belongs beside"]),
    ("quote never closed",
     ('say: "Thanks."', 'say: "Thanks.'),
     ["demo.yaml:14:10: this quote is never closed: end the text with the same quote mark it starts with"]),
]


@pytest.mark.parametrize("old,new,expected", [c[1] + (c[2],) for c in CASES], ids=[c[0] for c in CASES])
def test_yaml_mistake_is_explained_with_the_fix(old: str, new: str, expected: list[str]) -> None:
    assert old in FLOW
    assert messages(FLOW.replace(old, new, 1)) == expected


def test_every_tab_is_reported_not_only_the_first() -> None:
    text = FLOW.replace('    say: "Thanks."', '\tsay: "Thanks."').replace("    end: confirmed", "\tend: confirmed")
    assert [m.split(": ", 1)[0] for m in messages(text)] == ["demo.yaml:14:1", "demo.yaml:15:1"]


def test_a_misspelt_key_is_reported_alone_not_with_its_knock_on() -> None:
    text = FLOW.replace("not_understood: {reprompt", "not_understod: {reprompt")
    assert messages(text) == ['demo.yaml:12:5: unknown key "not_understod" in state "ask" '
                              '(did you mean "not_understood"?)']


def test_an_undeclared_outcome_is_not_also_called_a_dead_end() -> None:
    found = messages(FLOW.replace("end: confirmed", "end: booked"))
    assert len(found) == 1 and found[0].startswith('demo.yaml:15:10: unknown outcome "booked"')
    assert 'declare it under "outcomes:"' in found[0]


def test_a_missing_placeholder_names_every_kind_of_field_without_odd_punctuation() -> None:
    found = messages(FLOW.replace('"Thanks."', '"Thanks {frist_name}."'))
    assert found == ['demo.yaml:14:10: placeholder "{frist_name}" in state "done" is not in the flow\'s '
                     "context; declare it under context: or save an answer with save_as:"]
    assert "context:;" not in found[0]


def test_a_tab_inside_text_is_not_an_indentation_error() -> None:
    text = FLOW.replace('say: "Thanks."', 'say: |\n      Thanks.\n      \tSee you.')
    assert messages(text) == []
