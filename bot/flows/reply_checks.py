"""Checks on how a flow hears its patients: no reply is dropped unseen, and every answer can
be given in the patient's own language.

- A reply the flow does not understand (or that fits two answers, after asking back) must
  reach a person: a path from `not_understood: then` / `ambiguous: then` to an `end:` with no
  `task:` on the way means the patient's words would be seen by no one.
- That every answer can be given in every language is bot/flows/keyword_checks.py.
"""

from __future__ import annotations

from bot.flows.issues import WARNING, IssueList
from bot.flows.marked import MarkedDict
from bot.flows.schema import Flow
from bot.flows.where import state_doc, state_mark


def _ends_unseen(flow: Flow, start: str) -> bool:
    """Some pass-through path from `start` ends the conversation without creating a task."""
    todo, seen = [(start, False)], set()
    while todo:
        name, tasked = todo.pop()
        if (name, tasked) in seen or name not in flow.states:
            continue
        seen.add((name, tasked))
        st = flow.states[name]
        tasked = tasked or st.task is not None
        if st.end:
            if not tasked:
                return True
            continue
        if st.expect:
            continue  # the conversation goes on: the patient is asked again
        nexts = [st.goto, st.else_goto, *(b.goto for b in st.branch)]
        todo.extend((n, tasked) for n in nexts if n)
    return False


def check_words_reach_a_person(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    for name, st in flow.states.items():
        if not st.expect:
            continue
        sdoc = state_doc(doc, name)
        for section, then in (("not_understood", st.not_understood.then if st.not_understood else None),
                              ("ambiguous", st.ambiguous.then)):
            if then and _ends_unseen(flow, then):
                sub = sdoc.get(section)
                mark = sub.value_mark("then") if isinstance(sub, MarkedDict) else state_mark(doc, name)
                issues.add(mark, f'a reply {section.replace("_", " ")} in state "{name}" leads to an end '
                                 "with no task: the patient's words would be seen by no one "
                                 "(hand it to a person with a task)", WARNING)


CHECKS = (check_words_reach_a_person,)
