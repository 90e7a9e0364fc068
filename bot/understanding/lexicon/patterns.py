"""A tiny phrase-pattern language for the per-locale lexicons, compiled to regular expressions.

Lexicon authors write phrases, not regexes (the syntax is small enough to learn from the
examples in bot/understanding/lexicon/en.py):

- words separated by spaces must follow each other: ``chest pain``
- ``a|b`` either word; ``pill*`` any word starting with "pill"; ``too+many`` a two-word
  alternative inside one slot (``wanna|want+to die``)
- a slot ending in ``?`` is optional: ``my? chest hurt*``
- ``..`` lets up to 3 other words in between, ``...`` up to 6: ``chest .. pain|hurt*``
- a leading ``=`` matches the accented text (Vietnamese "=tự tử", where "tu tu" is ambiguous)

Word-mode patterns (most languages) run on normalised tokens after a small typo correction:
a word of 5+ letters one edit away from a lexicon word (two edits from 9+ letters) is read as
that word, so "suicidle", "cant breath" and "overdoes" still match. Substring-mode patterns
(Chinese, and Korean safety phrases, written without reliable spaces) run on the text with
spaces removed, ``..`` then allowing up to 4 characters (``...`` up to 8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

GAP_WORDS = {"..": 3, "...": 6}
GAP_CHARS = {"..": 4, "...": 8}
MIN_FUZZY_LEN = 5
TWO_EDIT_LEN = 9


@dataclass(frozen=True)
class Hit:
    """One pattern match: the pattern's source, the matched text and where it starts.

    `start` is a token index in word mode and a character index in substring mode.
    """

    pattern: str
    text: str
    start: int


@dataclass
class PatternSet:
    """Compiled patterns of one kind (e.g. Spanish crisis phrases) in one matching mode."""

    patterns: tuple[str, ...]
    substring: bool = False
    clitics: tuple[str, ...] = ()
    compiled: list[tuple[str, re.Pattern[str], bool]] = field(default_factory=list)
    exact_vocab: set[str] = field(default_factory=set)
    prefix_vocab: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for source in self.patterns:
            accented = source.startswith("=")
            body = source[1:] if accented else source
            if self.substring:
                regex = _compile_substring(body)
            else:
                regex = _compile_words(body, self.clitics)
                self._collect_vocab(body)
            self.compiled.append((source, regex, accented))
        # One alternation per text form, tried first: almost every reply ("yes", "2") matches
        # none of a set's patterns, and one scan is far cheaper than one per pattern.
        self._any_folded = _union(r for _, r, acc in self.compiled if not acc)
        self._any_accented = _union(r for _, r, acc in self.compiled if acc)

    def _may_match(self, folded: str, accented: str) -> bool:
        if self.substring:
            return self._any_folded is not None and bool(
                self._any_folded.search(folded.replace(" ", "")))
        if self._any_folded is not None and self._any_folded.search(folded + " "):
            return True
        return self._any_accented is not None and bool(self._any_accented.search(accented + " "))

    def _collect_vocab(self, body: str) -> None:
        for slot in body.split():
            for alt in slot.rstrip("?").split("|"):
                for word in alt.split("+"):
                    if word.endswith("*"):
                        self.prefix_vocab.add(word[:-1])
                    elif word and word not in GAP_WORDS:
                        self.exact_vocab.add(word)

    def finditer(self, folded: str, accented: str = "") -> Iterator[Hit]:
        """Every match in `folded` (normalised) text; `=` patterns look at `accented`."""
        if not self._may_match(folded, accented):
            return
        if self.substring:
            text = folded.replace(" ", "")
            for source, regex, _ in self.compiled:
                for m in regex.finditer(text):
                    yield Hit(source, m.group(0), m.start())
            return
        for source, regex, use_accented in self.compiled:
            text = (accented if use_accented else folded) + " "
            for m in regex.finditer(text):
                yield Hit(source, m.group(0).strip(), text.count(" ", 0, m.start()))

    def search(self, folded: str, accented: str = "") -> Hit | None:
        return next(self.finditer(folded, accented), None)


def _union(regexes: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    sources = [r.pattern for r in regexes]
    return re.compile("|".join(f"(?:{src})" for src in sources)) if sources else None


def _slot_regex(slot: str, clitics: tuple[str, ...]) -> str:
    alts = []
    for alt in slot.split("|"):
        words = []
        for word in alt.split("+"):
            if word.endswith("*"):
                words.append(re.escape(word[:-1]) + r"\w*")
            else:
                words.append(re.escape(word))
        alts.append(" ".join(words))
    body = "(?:" + "|".join(alts) + ")"
    if clitics:
        body = "(?:" + "|".join(map(re.escape, clitics)) + ")?" + body
    return body


def _compile_words(body: str, clitics: tuple[str, ...]) -> re.Pattern[str]:
    parts = [r"(?<!\S)"]
    for slot in body.split():
        if slot in GAP_WORDS:
            parts.append(r"(?:\S+ ){0," + str(GAP_WORDS[slot]) + "}")
        elif slot.endswith("?"):
            parts.append("(?:" + _slot_regex(slot[:-1], clitics) + " )?")
        else:
            parts.append(_slot_regex(slot, clitics) + " ")
    return re.compile("".join(parts))


def _compile_substring(body: str) -> re.Pattern[str]:
    parts = []
    for slot in body.split():
        if slot in GAP_CHARS:
            parts.append(".{0," + str(GAP_CHARS[slot]) + "}")
            continue
        optional = slot.endswith("?")
        alts = [re.escape(a.replace("+", "").rstrip("*")) for a in slot.rstrip("?").split("|")]
        parts.append("(?:" + "|".join(alts) + ")" + ("?" if optional else ""))
    return re.compile("".join(parts))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent swaps count one), stopping above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed_edits(word: str) -> int:
    if len(word) >= TWO_EDIT_LEN:
        return 2
    return 1 if len(word) >= MIN_FUZZY_LEN else 0


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The words typo correction aims at: every literal and stem in some word-mode patterns,
    indexed by (first letter, length) so that a message is checked in microseconds."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    keep: frozenset[str] = frozenset()
    index: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, sets: Iterable[PatternSet], keep: Iterable[str] = ()) -> Vocabulary:
        exact: set[str] = set()
        prefixes: set[str] = set()
        for ps in sets:
            if not ps.substring:
                exact |= ps.exact_vocab
                prefixes |= ps.prefix_vocab
        index: dict[tuple[str, int], list[str]] = {}
        for word in sorted(exact):
            if _allowed_edits(word):
                index.setdefault((word[0], len(word)), []).append(word)
        return cls(frozenset(exact), tuple(sorted(prefixes, key=len, reverse=True)),
                   frozenset(keep), {k: tuple(v) for k, v in index.items()})

    @lru_cache(maxsize=50000)  # noqa: B019 - vocabularies are few and live for the process
    def correct(self, token: str) -> str:
        """`token`, or the lexicon word it is one typo away from (first letter kept)."""
        if token in self.exact or token in self.keep or len(token) < MIN_FUZZY_LEN - 1 \
                or token.isdigit() or any(token.startswith(p) for p in self.prefixes):
            return token
        for first in dict.fromkeys(token[:2]):
            for size in range(len(token) - 2, len(token) + 3):
                for word in self.index.get((first, size), ()):
                    limit = _allowed_edits(word)
                    if abs(len(word) - len(token)) <= limit \
                            and edit_distance(token, word, limit) <= limit:
                        return word
        for prefix in self.prefixes:
            if not _allowed_edits(prefix) or prefix[0] not in token[:2]:
                continue
            for cut in (len(prefix) - 1, len(prefix), len(prefix) + 1):
                if 0 < cut <= len(token) and edit_distance(token[:cut], prefix, 1) <= 1:
                    return prefix + token[cut:]
        return token


def correct_typos(text: str, vocab: Vocabulary) -> str:
    """Rewrite near-miss words to the lexicon word they were meant to be (see module doc).

    `vocab.keep` lists real words that must never be "corrected" ("doing" is not "dying").
    """
    return " ".join(vocab.correct(token) for token in text.split())
