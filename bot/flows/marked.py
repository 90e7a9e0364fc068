"""YAML read with line numbers kept, so every flow problem can be reported as path:line:col.

PyYAML's `compose` gives nodes that carry start marks; we turn them into plain dicts, lists and
scalars that remember where each key and value came from. Scalars are resolved conservatively:
only `true`/`false` become booleans, so `intent: yes` stays the word "yes" (YAML 1.1 would turn
it into True), and dates stay strings that the engine and i18n parse when they need to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    col: int

    @classmethod
    def of(cls, node: yaml.Node) -> Mark:
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


class MarkedDict(dict):
    """A mapping that remembers the position of each key and of itself."""

    mark: Mark
    key_marks: dict[str, Mark]
    duplicates: list[tuple[str, Mark]]

    def __init__(self, mark: Mark | None = None) -> None:
        super().__init__()
        self.mark = mark or Mark(1, 1)
        self.key_marks = {}
        self.duplicates = []

    def mark_of(self, key: str) -> Mark:
        """Where `key` is written, or the mapping itself when the key is absent."""
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key: str) -> Mark:
        value = self.get(key)
        return getattr(value, "mark", None) or self.mark_of(key)


class MarkedList(list):
    """A sequence that remembers the position of each item and of itself."""

    mark: Mark
    item_marks: list[Mark]

    def __init__(self, mark: Mark | None = None) -> None:
        super().__init__()
        self.mark = mark or Mark(1, 1)
        self.item_marks = []


class MarkedStr(str):
    """A string that remembers where it was written."""

    mark: Mark

    def __new__(cls, value: str, mark: Mark) -> MarkedStr:
        obj = super().__new__(cls, value)
        obj.mark = mark
        return obj


def mark_of(value: Any, default: Mark) -> Mark:
    return getattr(value, "mark", None) or default


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None:  # quoted or block scalar: always text
        return MarkedStr(value, Mark.of(node))
    tag = node.tag
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return MarkedStr(value, Mark.of(node))
    if tag.endswith(":float"):
        try:
            return float(value)
        except ValueError:
            return MarkedStr(value, Mark.of(node))
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool") and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return MarkedStr(value, Mark.of(node))


def to_marked(node: yaml.Node | None) -> Any:
    """Turn a composed node tree into marked dicts, lists and scalars."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        out = MarkedDict(Mark.of(node))
        for key_node, value_node in node.value:
            key = to_marked(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                out.duplicates.append((key, Mark.of(key_node)))
            out.key_marks[key] = Mark.of(key_node)
            out[key] = to_marked(value_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = MarkedList(Mark.of(node))
        for item in node.value:
            seq.append(to_marked(item))
            seq.item_marks.append(Mark.of(item))
        return seq
    return _scalar(node)  # type: ignore[arg-type]


def load_marked(text: str) -> Any:
    """Parse one YAML document keeping marks; raises yaml.YAMLError on bad syntax."""
    return to_marked(yaml.compose(text, Loader=yaml.SafeLoader))


def plain(value: Any) -> Any:
    """Marked structure -> ordinary dicts, lists and str (for data that leaves the loader)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
