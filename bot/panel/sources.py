"""Which files a `panel import PATH...` reads, and their lines, one at a time.

A Bulk Data export is a directory of `<ResourceType>.ndjson` files (sometimes gzipped, sometimes
split into `Patient.1.ndjson`, `Patient.2.ndjson`); single files may be named too. Lines are
yielded lazily, so a 100k-patient export is never held in memory.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bot.errors import OutreachError

NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
CSV_SUFFIXES = (".csv",)


class SourceError(OutreachError):
    """A path given to `panel import` is not something it can read."""


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(NDJSON_SUFFIXES):
        return "ndjson"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    return None


def expand(paths: list[Path]) -> list[Path]:
    """The files behind `paths` (directories listed, sorted by name), each checked readable."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and kind_of(p))
            if not found:
                raise SourceError(f"{path}: no .ndjson, .ndjson.gz or .csv files in it")
            files.extend(found)
        elif path.is_file():
            if kind_of(path) is None:
                raise SourceError(f"{path}: not .ndjson, .ndjson.gz or .csv")
            files.append(path)
        else:
            raise SourceError(f"{path}: no such file or directory")
    # Patients first, so a rerun reads contact details before the needs that refer to them.
    return sorted(files, key=lambda p: (not p.name.startswith("Patient"), str(p)))


def _open(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def ndjson_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each non-blank line of an ndjson file."""
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line
