"""`outreach safety export-marks`: staff safety marks as labelled development cases.

The output holds patients' words: it is written to a file the operator names (never to the
log) for a reviewer to merge into tests/safety/labelled/development/ - never into the frozen
held-out part.
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from bot import settings as settings_mod
from bot.errors import SettingsError
from bot.store import safety_marks
from bot.store.db import get_database


@click.group()
def safety() -> None:
    """The safety screen's labelled cases."""


@safety.command("export-marks")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Directory for one <language>.yaml per language.")
def export_marks(out_dir: Path) -> None:
    """Write staff "missed crisis" / "not a crisis" marks as labelled cases."""
    try:
        cfg = settings_mod.load(require=settings_mod.DATABASE)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    with get_database(cfg.DATABASE_URL).session() as session:
        cases = safety_marks.export_cases(session)
    out_dir.mkdir(parents=True, exist_ok=True)
    for language, data in cases.items():
        (out_dir / f"{language}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    counts = {lang: sum(len(v) for v in d["crisis"].values()) for lang, d in cases.items()}
    click.echo(f"{sum(counts.values())} case(s) in {len(counts)} language file(s) in {out_dir}")
