"""Babel extractor for conversation flow YAML (`flowyaml`, registered in pyproject.toml).

Every text a patient can receive becomes a msgid: each state's `say` (a string, or a mapping
with `sms:` / `voice:` wordings, both extracted), the re-prompt `say` under `not_understood`
the reminder `remind` under `no_reply`, and each message variant under `variants:`
(format 1, see bot/flows/schema.py). The flow and
state go into a translator comment ("flow refill_reminder, state ask, voice") rather than a
msgctxt, because the engine looks messages up by msgid alone (`SendMessage.msgid`) and the same
sentence in two states should be translated once.

An expected answer's `keywords` words (not its menu digits) become one entry with the msgctxt
"reply words" (bot/i18n/reply_words.py): the patient's language's words for that answer.

Task `reason` text is not extracted: it is read by English-speaking care-team staff on the
triage pages, never sent to the patient, and translating it would only load the patient
catalogs (and the gate) with text no patient sees.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from bot.i18n.reply_words import REPLY_WORDS_CONTEXT, msgid_for

#: Keys whose string value (or {sms:, voice:} mapping) is sent to the patient.
TEXT_KEYS = frozenset({"say", "remind"})
#: Keys whose sub-tree holds no patient-facing text: staff-facing text (task reasons, notes,
#: descriptions) and the flow's declarations.
SKIP_KEYS = frozenset({"task", "note", "description", "context", "settings"})
#: Key of an expected answer's reply words.
KEYWORDS_KEY = "keywords"
#: Keys whose mapping holds other wordings of a `say` (message variants), by name.
VARIANT_KEYS = frozenset({"variants"})
#: Channel variants inside a text mapping.
CHANNEL_KEYS = ("sms", "voice")

Extracted = tuple[int, str | None, str | tuple[str, str], list[str]]
#: What a translator reads above every reply-word entry.
REPLY_WORDS_NOTE = ("Words a patient may text to give this answer, separated by |. Not a sentence: "
                    "list every word or short phrase patients really write (also without accents, "
                    "in Latin letters, and common short forms); keep the | between them.")


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and node.value.strip():
        return node.value
    return None


def _where(flow: str | None, path: tuple[str, ...], variant: str | None) -> str:
    """Translator comment: "flow refill_reminder, state ask, not_understood, voice"."""
    parts = [f"flow {flow or '?'}"]
    if len(path) >= 2 and path[0] == "states":
        parts.append(f"state {path[1]}")
        parts.extend(path[2:])
    else:
        parts.extend(path)
    if variant:
        parts.append(variant)
    return ", ".join(parts)


def _reply_words(owner: yaml.MappingNode, node: yaml.Node, path: tuple[str, ...],
                 flow: str | None) -> Extracted | None:
    """The reply-word entry of one expected answer, or None when its keywords are all digits."""
    if not isinstance(node, yaml.SequenceNode):
        return None
    msgid = msgid_for(v for item in node.value if (v := _scalar(item)) is not None)
    if msgid is None:
        return None
    siblings = {k.value: v for k, v in owner.value if isinstance(k, yaml.ScalarNode)}
    goto = _scalar(siblings["goto"]) if "goto" in siblings else None
    where = _where(flow, path, f"answer leading to {goto}" if goto else None)
    return (node.start_mark.line + 1, "pgettext", (REPLY_WORDS_CONTEXT, msgid),
            [where, REPLY_WORDS_NOTE])


def _walk(node: yaml.Node, path: tuple[str, ...], flow: str | None) -> Iterator[Extracted]:
    """Depth-first over the YAML tree, yielding patient-facing strings with their position."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, path, flow)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is None or key in SKIP_KEYS:
            continue
        if key in VARIANT_KEYS and isinstance(value_node, yaml.MappingNode):
            # `variants: {warm: "..."}`: each variant is a `say` of its own.
            for name_node, text_node in value_node.value:
                if isinstance(name_node, yaml.ScalarNode):
                    wrapper = yaml.MappingNode("tag:yaml.org,2002:map", [(
                        yaml.ScalarNode("tag:yaml.org,2002:str", "say"), text_node)])
                    yield from _walk(wrapper, (*path, f"variant {name_node.value}"), flow)
            continue
        if key == KEYWORDS_KEY:
            found = _reply_words(node, value_node, path, flow)
            if found is not None:
                yield found
            continue
        if key in TEXT_KEYS:
            text = _scalar(value_node)
            if text is not None:
                yield (value_node.start_mark.line + 1, None, text,
                       [_where(flow, path, None)])
                continue
            if isinstance(value_node, yaml.MappingNode):
                variants = {
                    k.value: v for k, v in value_node.value if isinstance(k, yaml.ScalarNode)
                }
                if any(name in variants for name in CHANNEL_KEYS):
                    for name in CHANNEL_KEYS:
                        text = _scalar(variants[name]) if name in variants else None
                        if text is not None:
                            yield (variants[name].start_mark.line + 1, None, text,
                                   [_where(flow, path, name)])
                    continue
        yield from _walk(value_node, (*path, key), flow)


def extract_flows(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method: yields (lineno, funcname, message, comments) per text.

    Files that are not flows (no `states:` mapping) yield nothing, so a broad mapping pattern
    can safely match other YAML such as transcript tests.
    """
    encoding = options.get("encoding", "utf-8") if options else "utf-8"
    root = yaml.compose(fileobj.read().decode(encoding), Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    if "states" not in top:
        return
    flow_node = top.get("flow") or top.get("name")
    flow = _scalar(flow_node) if flow_node is not None else None
    version = top.get("version")
    if flow and isinstance(version, yaml.ScalarNode) and version.value:
        flow = f"{flow} v{version.value}"
    yield from _walk(root, (), flow)
