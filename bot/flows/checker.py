"""Whole-flow checks: the mistakes that parse fine but would strand or confuse a patient.

Each check is one small function taking the built `Flow`, the marked document (for line
numbers) and the issue list. `check_flow` runs them all; tests/flows/ holds one broken-flow
case per check with its exact path:line message.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from bot.flows import (
    condition_checks,
    keyword_checks,
    loop_checks,
    phi_checks,
    reply_checks,
    voice_checks,
)
from bot.flows.issues import WARNING, IssueList, suggest
from bot.flows.marked import Mark, MarkedDict, MarkedList
from bot.flows.schema import CARRIER_RESERVED, HOST_FIELDS, STATE_KEYS, Flow, Say, State
from bot.flows.where import reply_marks, state_doc, state_mark
from bot.i18n import PLACEHOLDER
from bot.understanding.intents import normalize

FORMATS = ("date", "datetime", "time", "weekday", "number")
# GSM 03.38 basic set plus the escaped extension characters: anything else forces UCS-2 (70 chars).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def _targets(sdoc: MarkedDict) -> Iterator[tuple[str, Mark, str]]:
    """(target state, where it is written, which key) for every goto-like value in a state."""
    for key in ("goto", "else"):
        if isinstance(sdoc.get(key), str):
            yield str(sdoc[key]), sdoc.value_mark(key), key
    for section, key in (("no_reply", "goto"), ("not_understood", "then"), ("ambiguous", "then")):
        sub = sdoc.get(section)
        if isinstance(sub, MarkedDict) and isinstance(sub.get(key), str):
            yield str(sub[key]), sub.value_mark(key), f"{section} {key}"
    for section in ("expect", "branch"):
        items = sdoc.get(section)
        if isinstance(items, MarkedList):
            for item in items:
                if isinstance(item, MarkedDict) and isinstance(item.get("goto"), str):
                    yield str(item["goto"]), item.value_mark("goto"), f"{section} goto"


def check_gotos(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    if flow.start not in flow.states:
        issues.add(doc.value_mark("start"),
                   f'start state "{flow.start}" is not defined{suggest(flow.start, flow.states)}')
    for name in flow.states:
        for target, mark, key in _targets(state_doc(doc, name)):
            if target not in flow.states:
                issues.add(mark, f'{key} leads to unknown state "{target}" in state "{name}"'
                                 f"{suggest(target, flow.states)}")


def check_reachable(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    if flow.start not in flow.states:
        return
    seen, todo = {flow.start}, [flow.start]
    while todo:
        for nxt in flow.states[todo.pop()].targets():
            if nxt in flow.states and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    meant = {close for name in flow.states for target, _, _ in _targets(state_doc(doc, name))
             if target not in flow.states
             for close in difflib.get_close_matches(target, list(flow.states), n=1, cutoff=0.6)}
    for name in flow.states:
        if name not in seen and name not in meant:  # a misspelt goto is reported as itself
            issues.add(state_mark(doc, name),
                       f'state "{name}" is unreachable: no state leads to it from "{flow.start}"')


def _typos(sdoc: MarkedDict) -> set[str]:
    """State keys that an unknown key in this state was probably meant to be (already reported
    as "unknown key ... did you mean"): their absence is a knock-on, not a second problem."""
    meant = set()
    for key in sdoc:
        if key not in STATE_KEYS:
            close = difflib.get_close_matches(str(key), STATE_KEYS, n=1, cutoff=0.6)
            meant.update(close)
    return meant


def check_ways_out(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """Every state must end, move on, or wait with a way out for a reply, silence and confusion.

    Presence is read from the file, not the built record, so a key whose value was refused
    (say an unknown outcome after end:) is not reported a second time as missing, and a key
    misspelt (not_understod) is reported once, as the unknown key it is.
    """
    for name, st in flow.states.items():
        mark = state_mark(doc, name)
        sdoc = state_doc(doc, name)
        written = set(sdoc) | _typos(sdoc) if name in _doc_states(doc) else _built_keys(st)
        if st.reminder_of:  # a reminder shares its state's answers, and so its typos
            written |= _typos(state_doc(doc, st.reminder_of))
        moves = [k for k in ("expect", "goto", "branch", "end") if k in written]
        if not moves:
            issues.add(mark, f'state "{name}" is a dead end: give it expect:, goto:, branch: or end:')
            continue
        if len(moves) > 1 and all(k in sdoc for k in moves[:2]):
            issues.add(mark, f'state "{name}" has both {moves[0]}: and {moves[1]}:; use only one')
        if st.branch and not st.else_goto and "else" not in written:
            issues.add(mark, f'state "{name}" has branch: but no else: for when no condition holds')
        if st.else_goto and not st.branch and "branch" not in written:
            issues.add(mark, f'state "{name}" has else: without branch:')
        if "expect" in written:
            if "no_reply" not in written:
                issues.add(mark, f'state "{name}" waits for a reply but has no no_reply: '
                                 "(what happens if the patient never answers?)")
            if "not_understood" not in written:
                issues.add(mark, f'state "{name}" waits for a reply but has no not_understood: '
                                 "(what happens after replies it cannot understand?)")
            if "say" not in written:
                issues.add(mark, f'state "{name}" waits for a reply but says nothing (add say:)')
        elif st.no_reply or st.not_understood:
            issues.add(mark, f'state "{name}" has no_reply:/not_understood: but does not wait (no expect:)')


def _doc_states(doc: MarkedDict) -> MarkedDict:
    states = doc.get("states")
    return states if isinstance(states, MarkedDict) else MarkedDict(doc.mark)


def _built_keys(st: State) -> set[str]:
    """The keys a state built without a file body has (states added by the loader itself)."""
    return {k for k, v in (("expect", st.expect), ("goto", st.goto), ("branch", st.branch), ("end", st.end),
                           ("no_reply", st.no_reply), ("not_understood", st.not_understood),
                           ("say", st.say), ("else", st.else_goto)) if v}


def _says(st: State) -> Iterator[tuple[Say, str]]:
    if st.say:
        yield st.say, "say"
    if st.not_understood and st.not_understood.say:
        yield st.not_understood.say, "not_understood"
    for _, say in st.variants:
        yield say, "variants"


def _check_placeholders(text: str, provided: set[str], mark: Mark, where: str, issues: IssueList,
                        unknown: str) -> None:
    """Each `{name}` / `{name:format}` of `text` must be provided, with a known format;
    `unknown` says why not, with `{hint}` where the "did you mean" goes."""
    for m in PLACEHOLDER.finditer(text):
        field, fmt = m.group(1), m.group(2)
        if field.partition(".")[0] not in provided:
            issues.add(mark, f'placeholder "{{{field}}}" in {where} '
                             + unknown.replace("{hint}", suggest(field, provided)))
        if fmt and fmt not in FORMATS:
            issues.add(mark, f'unknown format ":{fmt}" for "{{{field}}}" in {where}'
                             f"{suggest(fmt, FORMATS)}; use one of: {', '.join(FORMATS)}")


def check_messages(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """Placeholders must come from the declared context; text should stay GSM-7 for SMS."""
    provided = flow.provided_fields()
    for name, st in flow.states.items():
        sdoc = state_doc(doc, name)
        for say, key in _says(st):
            owner = sdoc if key == "say" else sdoc.get(key)
            mark = (owner.value_mark("say") if key != "variants" else owner.mark) \
                if isinstance(owner, MarkedDict) else state_mark(doc, name)
            for text in filter(None, (say.sms, say.voice)):
                _check_placeholders(text, provided, mark, f'state "{name}"', issues,
                                    "is not in the flow's context{hint}; declare it under context: "
                                    "or save an answer with save_as:")
            bad = sorted({ch for ch in say.sms if ch not in GSM7})
            if bad:
                issues.add(mark, f'say in state "{name}" uses {"".join(bad)!r}, outside the GSM-7 SMS '
                                 "alphabet (use straight quotes and plain hyphens)", WARNING)


def _task_reasons(flow: Flow, doc: MarkedDict) -> Iterator[tuple[str, Mark, str]]:
    """(reason, where it is written, whose task) for every task in the flow."""
    for name, st in flow.states.items():
        tdoc = state_doc(doc, name).get("task")
        if st.task and isinstance(tdoc, MarkedDict):
            yield st.task.reason, tdoc.value_mark("reason"), f'the task of state "{name}"'
    ddoc = doc.get("on_delivery_failure")
    tdoc = ddoc.get("task") if isinstance(ddoc, MarkedDict) else None
    if flow.on_delivery_failure and flow.on_delivery_failure.task and isinstance(tdoc, MarkedDict):
        yield flow.on_delivery_failure.task.reason, tdoc.value_mark("reason"), "the task of on_delivery_failure"


def check_task_reasons(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """A task's reason may name the patient's answers and context (`{day}`); a name the flow
    never provides would reach staff as a literal `{dya}`, so it is refused here."""
    provided = flow.provided_fields() - HOST_FIELDS
    for reason, mark, whose in _task_reasons(flow, doc):
        _check_placeholders(reason, provided, mark, f"the reason of {whose}", issues,
                            "is neither a context field nor a saved answer{hint}; a reason may name "
                            "context fields and answers saved with save_as:")


def check_replies(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """Keywords must not be carrier-reserved nor lead two ways; number ranges must not overlap."""
    for name, st in flow.states.items():
        docs = reply_marks(doc, name)
        owner: dict[str, str] = {}
        ranges: list[tuple[int, int, str]] = []
        for exp, edoc in zip(st.expect, docs, strict=False):
            kw_list = edoc.get("keywords")
            marks = kw_list.item_marks if isinstance(kw_list, MarkedList) else []
            for word, mark in zip(exp.keywords, marks or [edoc.mark] * len(exp.keywords), strict=False):
                norm = normalize(word)
                if norm in CARRIER_RESERVED:
                    issues.add(mark, f'"{word}" is a word carriers reserve ({norm.upper()} opts the patient '
                                     f'out, in or asks for help); in state "{name}" offer a digit or another word')
                if norm in owner and owner[norm] != exp.goto:
                    issues.add(mark, f'keyword "{word}" leads two ways in state "{name}": '
                                     f'to "{owner[norm]}" and to "{exp.goto}"')
                owner.setdefault(norm, exp.goto)
            if exp.intent == "number" and exp.min is not None and exp.max is not None:
                for lo, hi, goto in ranges:
                    if exp.min <= hi and lo <= exp.max and goto != exp.goto:
                        issues.add(edoc.mark, f"numbers {max(lo, exp.min)}-{min(hi, exp.max)} lead two ways "
                                              f'in state "{name}": to "{goto}" and to "{exp.goto}"')
                ranges.append((exp.min, exp.max, exp.goto))
        for word, goto in owner.items():
            if word.isdigit():
                for lo, hi, rgoto in ranges:
                    if lo <= int(word) <= hi and rgoto != goto:
                        issues.add(state_mark(doc, name), f'keyword "{word}" leads two ways in state '
                                                           f'"{name}": to "{goto}" and (as a number) to "{rgoto}"')


def check_context(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    settings = doc.get("settings")
    smark = settings.value_mark("required_context") if isinstance(settings, MarkedDict) else doc.mark
    for field in flow.settings.required_context:
        if field not in flow.context:
            issues.add(smark, f'required_context names "{field}", which is not declared under context:'
                              f"{suggest(field, flow.context)}")
    for name, st in flow.states.items():
        for exp, edoc in zip(st.expect, reply_marks(doc, name), strict=False):
            if exp.options_from:
                cf = flow.context.get(exp.options_from)
                if cf is None or cf.type != "list":
                    issues.add(edoc.value_mark("options_from"),
                               f'options_from "{exp.options_from}" in state "{name}" must name a context '
                               "field of type list")
            if exp.save_as and exp.save_as in flow.context:
                issues.add(edoc.value_mark("save_as"), f'save_as "{exp.save_as}" in state "{name}" '
                                                       "overwrites a patient context field", WARNING)


CHECKS = (check_gotos, check_reachable, check_ways_out, check_messages, check_task_reasons, check_replies,
          check_context,
          *voice_checks.CHECKS, *phi_checks.CHECKS,
          *loop_checks.CHECKS, *reply_checks.CHECKS, *keyword_checks.CHECKS,
          *condition_checks.CHECKS)


def check_flow(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """Run every check, appending to `issues`."""
    for check in CHECKS:
        check(flow, doc, issues)
