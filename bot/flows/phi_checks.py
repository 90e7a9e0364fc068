"""Minimum necessary: a flow's text must not name medications or diagnoses unless it may.

An outreach text can be read by anyone who sees the patient's phone, and a voicemail by anyone
in the household, so HIPAA's minimum-necessary standard applies to what a flow says: "your
refill is ready", not "your metformin is ready". The term list lives with the other safety
vocabularies (`bot.understanding.safety.is_minimum_necessary`); a flow that really must name such things
(a program whose patients asked for it) sets `allow_phi: true` under `settings:`.
Context fields declared `phi: true` count too when a message uses them as a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.flows.issues import IssueList
from bot.flows.marked import Mark, MarkedDict
from bot.flows.schema import Flow
from bot.flows.where import reply_marks, say_variant_mark, state_doc
from bot.i18n import PLACEHOLDER
from bot.understanding.safety import is_minimum_necessary

#: Returns the medication/diagnosis terms found in a text (empty: minimum necessary).
Finder = Callable[[str], list[str]]


def flow_texts(flow: Flow, doc: MarkedDict) -> Iterator[tuple[str, str, Mark, str]]:
    """(state, where, mark, text) for every patient-facing text of the flow."""
    for name, st in flow.states.items():
        for key, say in (("say", st.say), ("not_understood", st.not_understood and st.not_understood.say)):
            if say:
                where = "say" if key == "say" else "not_understood say"
                for variant, text in (("sms", say.sms), ("voice", say.voice)):
                    if text:
                        yield name, where, say_variant_mark(doc, name, key, variant), text
        variants_doc = state_doc(doc, name).get("variants")
        for label, say in st.variants:
            mark = variants_doc.value_mark(label) if isinstance(variants_doc, MarkedDict) \
                else state_doc(doc, name).mark
            for text in filter(None, (say.sms, say.voice)):
                yield name, f"variant {label}", mark, text
        for n, (exp, edoc) in enumerate(zip(st.expect, reply_marks(doc, name), strict=False), 1):
            if exp.say:
                yield name, f"the say of expected reply {n}", edoc.value_mark("say"), exp.say


def check_minimum_necessary(flow: Flow, doc: MarkedDict, issues: IssueList,
                            find: Finder = is_minimum_necessary) -> None:
    """Report medication/diagnosis names and PHI placeholders unless `allow_phi: true`.

    `find` is the term finder (the safety vocabularies' by default; tests pass a small one)."""
    if flow.settings.allow_phi:
        return
    hint = "keep outreach to the minimum necessary, or set allow_phi: true under settings: if this flow must say it"
    for state, where, mark, text in flow_texts(flow, doc):
        for term in find(text):
            issues.add(mark, f'{where} in state "{state}" names "{term}" (a medication or diagnosis); {hint}')
        for m in PLACEHOLDER.finditer(text):
            cf = flow.context.get(m.group(1))
            if cf is not None and cf.phi:
                issues.add(mark, f'{where} in state "{state}" uses "{{{cf.name}}}", a context field marked '
                                 f"phi: true; {hint}")


CHECKS = (check_minimum_necessary,)
