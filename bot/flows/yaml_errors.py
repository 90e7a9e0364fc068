"""YAML syntax errors in plain language: what is wrong, how to fix it, and on the right line.

PyYAML reports in parser terms ("expected <block end>, but found '<block mapping start>'",
"mapping values are not allowed here") and often on the line after the mistake. A program
staff member editing a flow needs "use spaces, not tabs", "put text that contains a colon in
double quotes" or "this line is indented more than the one above". `explain` turns the parser's
error into that sentence; `tab_issues` finds every tab used for indenting before parsing, since
the parser stops at the first.
"""

from __future__ import annotations

import re

import yaml

from bot.flows.marked import Mark

_KEY = re.compile(r"^(?P<indent>\s*)(?P<dashes>(?:-\s+)*)(?P<key>[^\s:#][^:#]*?)\s*:(?:\s|$)(?P<rest>.*)$")


def tab_issues(text: str) -> list[tuple[Mark, str]]:
    """Every line indented with a tab (YAML allows only spaces there)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead and line.strip():
            out.append((Mark(n, lead.index("\t") + 1),
                        "this line is indented with a tab: use spaces, not tabs (YAML allows only "
                        "spaces for indenting; most editors can turn tabs into spaces)"))
    return out


def syntax_issues(exc: yaml.MarkedYAMLError, text: str) -> list[tuple[Mark, str]]:
    """The problems behind one parser error: every tab-indented line when a tab stopped the
    parser (it stops at the first), else the one mistake `explain` finds."""
    problem = str(exc.problem or "")
    if "'\\t'" in problem or "\t" in problem:
        tabs = tab_issues(text)
        if tabs:
            return tabs
    return [explain(exc, text)]


def _content_lines(lines: list[str], before: int) -> list[int]:
    """0-based numbers of non-blank, non-comment lines before line `before`, nearest first."""
    return [i for i in range(before - 1, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")]


def _key_col(line: str) -> int:
    """The 0-based column where the line's key (or item) starts, after any "- " prefixes."""
    m = _KEY.match(line)
    if m:
        return len(m.group("indent")) + len(m.group("dashes"))
    return len(line) - len(line.lstrip())


def _key_name(line: str) -> str:
    m = _KEY.match(line)
    return f'"{m.group("key").strip()}:"' if m else f'"{line.strip()[:20]}"'


def _indentation(lines: list[str], line0: int, col: int) -> tuple[Mark, str]:
    """The token at (line0, col) does not fit the indentation around it: say which line is off."""
    above = _content_lines(lines, line0)
    if not above:
        return Mark(line0 + 1, col + 1), "this line is indented, but nothing above it is: start it at column 1"
    prev = above[0]
    prev_col = _key_col(lines[prev])
    here = _key_name(lines[line0])
    if col > prev_col:
        return (Mark(line0 + 1, col + 1),
                f"this line is indented more than the one above: {here} has {col} spaces and "
                f"{_key_name(lines[prev])} on line {prev + 1} has {prev_col}. Keys side by side must start in "
                "the same column (only a key whose line ends with a colon may have keys indented under it)")
    # Indented less than the line above: find the nearest line indented less than this one.
    block = []
    for i in above:
        if _key_col(lines[i]) < prev_col:
            break
        block.append(i)
    owner = next((i for i in above if _key_col(lines[i]) < prev_col), None)
    prev_step = _indent(lines[prev]) - (_key_col(lines[owner]) if owner is not None else 0)
    if len(block) == 1 and prev_step != _usual_step(lines):
        # The line above stands alone at its depth: it is the odd one out, not this line.
        return (Mark(prev + 1, prev_col + 1),
                f"this line is indented more than the one below it: {_key_name(lines[prev])} has {prev_col} "
                f"spaces and {here} on line {line0 + 1} has {col}. Keys side by side must start in the "
                "same column: use the same number of spaces for both")
    ladder, depth = [], prev_col + 1
    for i in above:  # the keys above, each shallower than the last, down to one left of this line
        if _key_col(lines[i]) < depth:
            depth = _key_col(lines[i])
            ladder.append(f"{_key_name(lines[i])} on line {i + 1} ({depth} spaces)")
            if depth < col:
                break
    return (Mark(line0 + 1, col + 1),
            f"this line is indented {col} spaces, which lines up with none of the keys above it: "
            f"{', '.join(ladder)}. Use the same spaces as the key it belongs beside")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _usual_step(lines: list[str]) -> int:
    """How many spaces this file usually indents by (2 when it cannot tell)."""
    steps: dict[int, int] = {}
    last = 0
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        here = _indent(line)
        if here > last:
            steps[here - last] = steps.get(here - last, 0) + 1
        last = _key_col(line)
    return max(steps, key=lambda k: (steps[k], -k)) if steps else 2


def _colon(lines: list[str], line0: int, col: int) -> tuple[Mark, str]:
    line = lines[line0] if line0 < len(lines) else ""
    m = _KEY.match(line)
    example = ""
    if m and m.group("rest").strip() and '"' not in m.group("rest"):
        example = f', like {m.group("key").strip()}: "{m.group("rest").strip()}"'
    return (Mark(line0 + 1, (len(m.group("indent")) + len(m.group("dashes")) + 1) if m else col + 1),
            "this text contains a colon followed by a space, which YAML reads as the start of a new key: "
            f"put text that contains a colon in double quotes{example}")


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[Mark, str]:
    """Where the mistake is and what to do about it, for one PyYAML syntax error."""
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    line0, col = (mark.line, mark.column) if mark else (0, 0)
    problem = str(exc.problem or "")
    context_line = exc.context_mark.line + 1 if exc.context_mark else line0 + 1
    if "'\\t'" in problem or "\t" in problem:
        return Mark(line0 + 1, col + 1), "this line has a tab where YAML needs spaces: use spaces, not tabs"
    if problem.startswith("mapping values are not allowed"):
        return _colon(lines, line0, col)
    if problem.startswith("expected <block end>") and line0 < len(lines):
        return _indentation(lines, line0, col)
    if "could not find expected ':'" in problem:
        return (Mark(context_line, 1), "this line has no colon after its key: write it as key: value "
                                       "(and put text in double quotes)")
    if "found unexpected end of stream" in problem and "quoted scalar" in str(exc.context or ""):
        return (Mark(context_line, exc.context_mark.column + 1 if exc.context_mark else 1),
                "this quote is never closed: end the text with the same quote mark it starts with")
    for closer, what in (("]", "a list"), ("}", "a mapping")):
        if f"expected ',' or '{closer}'" in problem:
            opener = "[" if closer == "]" else "{"
            return (Mark(line0 + 1, col + 1),
                    f'{what} opened with "{opener}" on line {context_line} is not closed here: end it '
                    f'with "{closer}" on the same line, and put text that contains a colon or comma in '
                    "double quotes")
    if "found character" in problem and "cannot start any token" in problem:
        return (Mark(line0 + 1, col + 1),
                f"{problem}: put text that starts with this character in double quotes")
    return Mark(line0 + 1, col + 1), f"YAML syntax error: {problem or exc}"
