"""Build schema records from marked YAML, one small function per section, reporting as we go.

Each builder validates its own keys and value types and returns a record (or None when the
section is too broken to use); the whole-flow checks live in `checker`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.defaults import DEFAULT_REPROMPTS, TASK_PRIORITIES, TASK_TEAMS
from bot.flows.conditions import build_conditions
from bot.flows.issues import IssueList, suggest
from bot.flows.key_hints import hint
from bot.flows.marked import Mark, MarkedDict, MarkedList, plain
from bot.flows.reading_spec import build_reading
from bot.flows.schema import (
    AMBIGUOUS_KEYS,
    BRANCH_KEYS,
    CHANNELS,
    CONTEXT_FIELD_KEYS,
    CONTEXT_TYPES,
    DELIVERY_KEYS,
    ESCALATE_KEYS,
    EXPECT_KEYS,
    FLOW_INTENTS,
    NO_REPLY_KEYS,
    NOT_UNDERSTOOD_KEYS,
    OUTCOME_KEYS,
    OUTCOME_NAME,
    OUTCOMES,
    REMINDER_KEYS,
    SAY_KEYS,
    SETTINGS_KEYS,
    STANDARD_VARIANT,
    STATE_KEYS,
    TASK_KEYS,
    Ambiguous,
    Branch,
    ContextField,
    DeliveryFailure,
    Escalation,
    Expectation,
    Flow,
    NoReply,
    NotUnderstood,
    OutcomeClass,
    Say,
    Settings,
    State,
    TaskSpec,
    parse_duration,
)
from bot.understanding.lexicon.topics import TOPIC_NAMES

VARIANT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def check_keys(d: MarkedDict, allowed: tuple[str, ...], where: str, issues: IssueList) -> None:
    """Report unknown keys (with the nearest valid one) and keys written twice."""
    for key, mark in d.duplicates:
        issues.add(mark, f'duplicate key "{key}" in {where}')
    for key in d:
        if key not in allowed:
            issues.add(d.mark_of(key), f'unknown key "{key}" in {where}{hint(key, allowed)}')


def _mapping(value: Any, mark: Mark, what: str, issues: IssueList) -> MarkedDict | None:
    if isinstance(value, MarkedDict):
        return value
    issues.add(getattr(value, "mark", mark), f"{what} must be a mapping of keys")
    return None


def _text(d: MarkedDict, key: str, what: str, issues: IssueList, required: bool = True) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            issues.add(d.mark_of(key), f'{what} needs "{key}:"')
        return None
    if not isinstance(value, str) or not value.strip():
        issues.add(d.value_mark(key), f'"{key}" in {what} must be text')
        return None
    return str(value)


def _int(d: MarkedDict, key: str, what: str, issues: IssueList, minimum: int = 0) -> int | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        issues.add(d.value_mark(key), f'"{key}" in {what} must be a whole number of at least {minimum}')
        return None
    return value


def _choice(d: MarkedDict, key: str, allowed: tuple[str, ...], what: str, issues: IssueList,
            noun: str) -> str | None:
    value = _text(d, key, what, issues)
    if value is not None and value not in allowed:
        issues.add(d.value_mark(key),
                   f'unknown {noun} "{value}" in {what}{suggest(value, allowed)}; use one of: {", ".join(allowed)}')
        return None
    return value


def build_say(value: Any, mark: Mark, what: str, issues: IssueList) -> Say | None:
    """`say: "text"` or `say: {sms: "...", voice: "..."}`."""
    if isinstance(value, str):
        return Say(sms=str(value))
    d = _mapping(value, mark, f"say in {what}", issues)
    if d is None:
        return None
    check_keys(d, SAY_KEYS, f"say of {what}", issues)
    sms = _text(d, "sms", f"say of {what}", issues)
    voice = _text(d, "voice", f"say of {what}", issues, required=False)
    return Say(sms=sms, voice=voice) if sms else None


def build_variants(d: MarkedDict, what: str, issues: IssueList) -> tuple[tuple[str, Say], ...]:
    """`variants: {short: "...", warm: {sms: "...", voice: "..."}}`: other wordings of the
    state's `say`, compared on the results page. Each is a `say` of its own (translated)."""
    if "variants" not in d:
        return ()
    v = _mapping(d["variants"], d.mark_of("variants"), f"variants in {what}", issues)
    if v is None:
        return ()
    if "say" not in d:
        issues.add(d.mark_of("variants"), f"variants in {what} are other wordings of its say: "
                                          "add the standard say: first")
    out = []
    for name in v:
        if not VARIANT_NAME.match(str(name)) or name == STANDARD_VARIANT:
            issues.add(v.mark_of(name), f'variant name "{name}" in {what}: use lower-case letters, '
                                        f'digits and _ (and not "{STANDARD_VARIANT}", the say: itself)')
            continue
        say = build_say(v[name], v.mark_of(name), f'variant "{name}" of {what}', issues)
        if say is not None:
            out.append((str(name), say))
    return tuple(out)


def build_task(value: Any, mark: Mark, what: str, issues: IssueList) -> TaskSpec | None:
    d = _mapping(value, mark, f"task in {what}", issues)
    if d is None:
        return None
    where = f"task of {what}"
    check_keys(d, TASK_KEYS, where, issues)
    team = _choice(d, "team", TASK_TEAMS, where, issues, "team")
    priority = _choice(d, "priority", TASK_PRIORITIES, where, issues, "priority")
    reason = _text(d, "reason", where, issues)
    rules = []
    esc = d.get("escalate")
    if esc is not None:
        items = esc if isinstance(esc, MarkedList) else [esc]
        for item in items:
            e = _mapping(item, d.mark_of("escalate"), f"escalate in {where}", issues)
            if e is None:
                continue
            check_keys(e, ESCALATE_KEYS, f"escalate in {where}", issues)
            p = _choice(e, "priority", TASK_PRIORITIES, f"escalate in {where}", issues, "priority")
            when = build_conditions(e.get("when"), e.mark_of("when"), where, issues)
            if p and when:
                rules.append(Escalation(when, p))
    if team and priority and reason:
        return TaskSpec(team, priority, reason, tuple(rules))
    return None


def build_expectation(d: MarkedDict, what: str, issues: IssueList) -> Expectation | None:
    check_keys(d, EXPECT_KEYS, what, issues)
    goto = _text(d, "goto", what, issues)
    intent = d.get("intent")
    keywords = d.get("keywords")
    topic_names = _topics(d, what, issues)
    if intent is None and keywords is None and not topic_names:
        issues.add(d.mark, f'{what} needs "intent:" (one of {", ".join(FLOW_INTENTS)}), "keywords:" or "topics:"')
        return None
    if intent is not None and str(intent) not in FLOW_INTENTS:
        hint = " (help is handled for every flow; do not expect it)" if str(intent) == "help" else suggest(str(intent), FLOW_INTENTS)
        issues.add(d.value_mark("intent"), f'unknown intent "{intent}" in {what}{hint}')
        return None
    words: tuple[str, ...] = ()
    if keywords is not None:
        if not isinstance(keywords, list) or not keywords:
            issues.add(d.value_mark("keywords"), f'"keywords" in {what} must be a list of words')
            return None
        words = tuple(str(k) for k in keywords)
    lo, hi = _int(d, "min", what, issues), _int(d, "max", what, issues)
    if intent == "number" and (lo is None or hi is None):
        issues.add(d.mark, f"number in {what} needs min: and max:")
        return None
    if lo is not None and hi is not None and lo > hi:
        issues.add(d.value_mark("min"), f"min {lo} is above max {hi} in {what}")
    options_from = _text(d, "options_from", what, issues, required=False)
    if intent == "choice" and not options_from:
        issues.add(d.mark, f'choice in {what} needs "options_from:" naming a list in the context')
        return None
    save_as = _text(d, "save_as", what, issues, required=False)
    label = _text(d, "say", what, issues, required=False)
    kind, unit, alerts = build_reading(d, what, issues)
    if intent == "reading" and kind is None:
        return None
    if goto is None:
        return None
    return Expectation(goto=goto, intent=str(intent) if intent else None, keywords=words,
                       min=lo, max=hi, options_from=options_from, save_as=save_as,
                       value=plain(d.get("value")), say=label, topics=topic_names,
                       reading=kind, unit=unit, alerts=alerts)


def _topics(d: MarkedDict, what: str, issues: IssueList) -> tuple[str, ...]:
    """`topics:` names from bot.understanding.lexicon.topics.TOPIC_NAMES (free text in every language)."""
    value = d.get("topics")
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        issues.add(d.value_mark("topics"), f'"topics" in {what} must be a list of topic names')
        return ()
    names = []
    for name in map(str, value):
        if name not in TOPIC_NAMES:
            issues.add(d.value_mark("topics"), f'unknown topic "{name}" in {what}{suggest(name, tuple(TOPIC_NAMES))}'
                       f' (topics: {", ".join(TOPIC_NAMES)})')
        else:
            names.append(name)
    return tuple(names)


def _ambiguous(d: MarkedDict, what: str, issues: IssueList) -> Ambiguous:
    """`ambiguous: ask` (the default), `ambiguous: handoff`, or `{ask: 0|1, then: STATE}`."""
    value = d.get("ambiguous")
    if value is None or value == "ask":
        return Ambiguous()
    if value == "handoff":
        return Ambiguous(ask=0)
    m = _mapping(value, d.mark_of("ambiguous"), f"ambiguous in {what}", issues)
    if m is None:
        return Ambiguous()
    check_keys(m, AMBIGUOUS_KEYS, f"ambiguous of {what}", issues)
    ask = _int(m, "ask", f"ambiguous of {what}", issues)
    if ask is not None and ask not in (0, 1):
        issues.add(m.value_mark("ask"), f"ask in ambiguous of {what} must be 0 or 1 (ask back at most once)")
        ask = 1
    return Ambiguous(ask=1 if ask is None else ask, then=_text(m, "then", f"ambiguous of {what}", issues, required=False))


def _build_expect(value: Any, mark: Mark, what: str, issues: IssueList) -> tuple[Expectation, ...]:
    if not isinstance(value, MarkedList) or not value:
        issues.add(getattr(value, "mark", mark), f"expect in {what} must be a list of expected replies")
        return ()
    out = []
    for n, item in enumerate(value, 1):
        d = _mapping(item, value.item_marks[n - 1], f"expected reply {n} of {what}", issues)
        exp = build_expectation(d, f"expected reply {n} of {what}", issues) if d is not None else None
        if exp:
            out.append(exp)
    return tuple(out)


def build_state(name: str, d: MarkedDict, issues: IssueList, default_reprompts: int,
                outcomes: tuple[str, ...] = OUTCOMES) -> State:
    what = f'state "{name}"'
    check_keys(d, STATE_KEYS, what, issues)
    say = build_say(d["say"], d.mark_of("say"), what, issues) if "say" in d else None
    task = build_task(d["task"], d.mark_of("task"), what, issues) if "task" in d else None
    expect = _build_expect(d["expect"], d.mark_of("expect"), what, issues) if "expect" in d else ()
    no_reply = not_understood = None
    if "no_reply" in d and (nr := _mapping(d["no_reply"], d.mark_of("no_reply"), f"no_reply in {what}", issues)):
        check_keys(nr, NO_REPLY_KEYS + REMINDER_KEYS, f"no_reply of {what}", issues)
        after = nr.get("after")
        delta = parse_duration(after)
        if delta is None:
            issues.add(nr.value_mark("after"),
                       f'bad duration "{after}" in no_reply of {what}: write a number and m, h or d, like 30m, 24h or 2d')
        goto = _text(nr, "goto", f"no_reply of {what}", issues)
        if delta and goto:
            no_reply = NoReply(delta, goto)
    if "not_understood" in d and (nu := _mapping(d["not_understood"], d.mark_of("not_understood"), f"not_understood in {what}", issues)):
        check_keys(nu, NOT_UNDERSTOOD_KEYS, f"not_understood of {what}", issues)
        reprompt = _int(nu, "reprompt", f"not_understood of {what}", issues)
        then = _text(nu, "then", f"not_understood of {what}", issues)
        nsay = build_say(nu["say"], nu.mark_of("say"), f"not_understood of {what}", issues) if "say" in nu else None
        if then:
            not_understood = NotUnderstood(default_reprompts if reprompt is None else reprompt, then, nsay)
    end = None
    if "end" in d:
        end = _outcome(d, outcomes, what, issues)
    branch = []
    if "branch" in d:
        items = d["branch"]
        if not isinstance(items, MarkedList):
            issues.add(d.value_mark("branch"), f"branch in {what} must be a list of when:/goto:")
        else:
            for n, item in enumerate(items, 1):
                b = _mapping(item, items.item_marks[n - 1], f"branch {n} of {what}", issues)
                if b is None:
                    continue
                check_keys(b, BRANCH_KEYS, f"branch {n} of {what}", issues)
                when = build_conditions(b.get("when"), b.mark_of("when"), f"branch {n} of {what}", issues)
                goto = _text(b, "goto", f"branch {n} of {what}", issues)
                if when and goto:
                    branch.append(Branch(when, goto))
    return State(
        name=name, say=say, task=task, expect=expect, no_reply=no_reply,
        not_understood=not_understood, end=end, ambiguous=_ambiguous(d, what, issues),
        goto=_text(d, "goto", what, issues, required=False),
        branch=tuple(branch), else_goto=_text(d, "else", what, issues, required=False),
        variants=build_variants(d, what, issues),
        reminder_of=getattr(d, "reminder_of", None) or None,
    )


def _outcome(d: MarkedDict, allowed: tuple[str, ...], what: str, issues: IssueList) -> str | None:
    """`end: booked`: a built-in outcome or one the flow declares under `outcomes:`."""
    value = _text(d, "end", what, issues)
    if value is None or value in allowed:
        return value
    issues.add(d.value_mark("end"),
               f'unknown outcome "{value}" in {what}{suggest(value, allowed)}; use a built-in outcome '
               f'({", ".join(OUTCOMES)}) or declare it under "outcomes:" at the top of the flow, '
               f'with its class, like  {value}: success')
    # Kept, so the state is not also reported as a dead end: the flow is refused either way.
    return value


def build_outcomes(value: Any, mark: Mark, issues: IssueList) -> dict[str, OutcomeClass]:
    """`outcomes: {booked: success, already_vaccinated: {class: success, description: ...}}`:
    the flow's own endings, each with the class results group it under."""
    d = _mapping(value, mark, "outcomes", issues)
    if d is None:
        return {}
    classes = tuple(c.value for c in OutcomeClass)
    out: dict[str, OutcomeClass] = {}
    for key, _mark in d.duplicates:
        issues.add(_mark, f'duplicate outcome "{key}": declare each outcome once')
    for name, spec in d.items():
        where = f'outcome "{name}"'
        if not isinstance(name, str) or not OUTCOME_NAME.match(name):
            issues.add(d.mark_of(name), f'{where}: name an outcome in lower-case words joined by '
                       f'underscores, like booked or already_vaccinated')
            continue
        if name in OUTCOMES:
            issues.add(d.mark_of(name), f'{where} is built in; use it in "end:" without declaring it')
            continue
        if isinstance(spec, str):
            cls, cls_mark = str(spec), d.value_mark(name)
        else:
            s = _mapping(spec, d.mark_of(name), where, issues)
            if s is None:
                continue
            check_keys(s, OUTCOME_KEYS, where, issues)
            if "class" not in s:
                if all(k in OUTCOME_KEYS for k in s):  # else the misspelt key is the cause
                    issues.add(s.mark, f'{where} needs "class:" (one of {", ".join(classes)})')
                continue
            cls, cls_mark = str(s["class"]), s.value_mark("class")
        if cls not in classes:
            issues.add(cls_mark, f'unknown outcome class "{cls}" for {where}{suggest(cls, classes)}; '
                       f'use one of: {", ".join(classes)}')
            continue
        out[name] = OutcomeClass(cls)
    return out


def build_context(value: Any, mark: Mark, issues: IssueList) -> dict[str, ContextField]:
    """`context:` as a list of names (all text) or a mapping name -> type / {type, items}."""
    out: dict[str, ContextField] = {}
    if isinstance(value, MarkedList):
        for item in value:
            out[str(item)] = ContextField(str(item))
        return out
    d = _mapping(value, mark, "context", issues)
    if d is None:
        return out
    for key, _mark in d.duplicates:
        issues.add(_mark, f'duplicate key "{key}" in context')
    for name, spec in d.items():
        where = f'context field "{name}"'
        if isinstance(spec, str) or spec is None:
            ftype = str(spec or "text")
            if ftype not in CONTEXT_TYPES:
                issues.add(d.value_mark(name), f'unknown type "{ftype}" for {where}{suggest(ftype, CONTEXT_TYPES)}')
            out[str(name)] = ContextField(str(name), ftype)
            continue
        s = _mapping(spec, d.mark_of(name), where, issues)
        if s is None:
            continue
        check_keys(s, CONTEXT_FIELD_KEYS, where, issues)
        ftype = _choice(s, "type", CONTEXT_TYPES, where, issues, "type") or "text"
        out[str(name)] = ContextField(str(name), ftype, _int(s, "items", where, issues) or 0,
                                      bool(s.get("phi", False)))
    return out


def build_settings(value: Any, mark: Mark, issues: IssueList) -> Settings:
    d = _mapping(value, mark, "settings", issues)
    if d is None:
        return Settings()
    check_keys(d, SETTINGS_KEYS, "settings", issues)
    quiet = None
    if "quiet_hours" in d:
        q = _mapping(d["quiet_hours"], d.mark_of("quiet_hours"), "quiet_hours", issues)
        if q is not None:
            check_keys(q, ("start", "end"), "quiet_hours", issues)
            start, end = str(q.get("start", "")), str(q.get("end", ""))
            if not all(len(t) == 5 and t[2] == ":" and t.replace(":", "").isdigit() for t in (start, end)):
                issues.add(q.mark, 'quiet_hours needs start: and end: as "HH:MM" (24-hour clock, in quotes)')
            else:
                quiet = (start, end)
    required = d.get("required_context") or []
    kind = str(d.get("kind", "routine"))
    if kind not in ("routine", "reply"):
        issues.add(d.value_mark("kind"), 'settings kind must be "routine" or "reply"')
    return Settings(quiet_hours=quiet, allow_phi=bool(d.get("allow_phi", False)),
                    required_context=tuple(str(r) for r in required),
                    max_reprompts=_int(d, "max_reprompts", "settings", issues), kind=kind)


def build_delivery(value: Any, mark: Mark, issues: IssueList,
                   outcomes: tuple[str, ...] = OUTCOMES) -> DeliveryFailure | None:
    d = _mapping(value, mark, "on_delivery_failure", issues)
    if d is None:
        return None
    check_keys(d, DELIVERY_KEYS, "on_delivery_failure", issues)
    task = build_task(d["task"], d.mark_of("task"), "on_delivery_failure", issues) if "task" in d else None
    end = _outcome(d, outcomes, "on_delivery_failure", issues) if "end" in d else None
    return DeliveryFailure(task, end)


def build_flow(doc: MarkedDict, path: str, issues: IssueList) -> Flow | None:
    name = _text(doc, "flow", "the flow", issues)
    version = _int(doc, "version", "the flow", issues, minimum=1)
    if "version" not in doc:
        issues.add(doc.mark, 'the flow needs "version:" (a whole number, 1 for a new flow)')
    start = _text(doc, "start", "the flow", issues)
    channels = tuple(str(c) for c in (doc.get("channels") or ["sms"]))
    for c in channels:
        if c not in CHANNELS:
            issues.add(doc.value_mark("channels"), f'unknown channel "{c}"; use sms and/or voice')
    context = build_context(doc["context"], doc.mark_of("context"), issues) if "context" in doc else {}
    settings = build_settings(doc["settings"], doc.mark_of("settings"), issues) if "settings" in doc else Settings()
    reprompts = settings.max_reprompts if settings.max_reprompts is not None else DEFAULT_REPROMPTS
    declared = build_outcomes(doc["outcomes"], doc.mark_of("outcomes"), issues) if "outcomes" in doc else {}
    # An outcome that failed its own check is still a name the author meant: accepting it in
    # `end:` keeps one mistake from being reported twice.
    outcome_names = OUTCOMES + tuple(declared) + tuple(_declared_names(doc))
    states_doc = doc.get("states")
    states: dict[str, State] = {}
    if not isinstance(states_doc, MarkedDict) or not states_doc:
        issues.add(doc.value_mark("states") if "states" in doc else doc.mark,
                   'the flow needs "states:", a mapping of state names to steps')
    else:
        for key, mark in states_doc.duplicates:
            issues.add(mark, f'duplicate state "{key}": each state name must be used once')
        for sname, body in states_doc.items():
            d = _mapping(body, states_doc.mark_of(sname), f'state "{sname}"', issues)
            if d is not None:
                states[str(sname)] = build_state(str(sname), d, issues, reprompts, outcome_names)
    delivery = build_delivery(doc["on_delivery_failure"], doc.mark_of("on_delivery_failure"), issues,
                              outcome_names) \
        if "on_delivery_failure" in doc else None
    if not (name and version and start and states):
        return None
    return Flow(name=name, version=version, start=start, states=states,
                format=int(doc.get("format", 1)), description=str(doc.get("description", "")),
                channels=channels, context=context, settings=settings,
                on_delivery_failure=delivery, path=path, declared_outcomes=declared)


def _declared_names(doc: MarkedDict) -> list[str]:
    value = doc.get("outcomes")
    return [str(k) for k in value] if isinstance(value, MarkedDict) else []
