"""The translator's round trip: export a review sheet, sign rows off, import it, and the
review state (per message and per catalog) comes from the records it wrote."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import write_po
from click.testing import CliRunner

from bot import i18n
from bot.cli.main import main
from bot.core.messages import CRISIS_REPLY, HANDOFF_REPLY
from bot.i18n import review_sheet, reviews

CHECKIN = ("Hi {first_name}, this is your care team checking in. How are you doing? Reply with a "
           "number from 1 to 5. 1 means very bad and 5 means very good.")


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, target, ignore=shutil.ignore_patterns("*.mo", "reviews.csv"))
    return target


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    review_sheet.write_sheet(path, rows)
    return path


def _sign(rows: list[dict[str, str]], source: str, **values: str) -> None:
    row = next(r for r in rows if r["source"] == source and not r["context"])
    row.update({"reviewer": "M. Reyes, CHI", "reviewed_on": "2026-11-20", **values})


def test_the_sheet_says_what_a_translator_needs(locales: Path) -> None:
    rows = {r["source"]: r for r in review_sheet.export_rows("es", locales) if not r["context"]}
    row = rows[CHECKIN]
    assert row["translation"].startswith("Hola, {first_name}") and row["state"] == "drafted"
    # Every version of the flow that shows the text, so a reviewer knows its whole reach.
    assert set(row["where shown"].split("; ")) == {
        f"flow engagement_checkin v{v}, state checkin, sms" for v in (1, 2, 3)}
    assert row["sent as"].startswith("SMS ") and "segment" in row["sent as"]
    assert row["example"].startswith("Hola, Ana") and "{" not in row["example"]
    words = [r for r in review_sheet.export_rows("es", locales) if r["context"] == "reply words"]
    assert words and all(r["sent as"].startswith("reply words") for r in words)


def test_a_signed_sheet_round_trips_and_changes_the_review_state(locales: Path, tmp_path: Path) -> None:
    assert reviews.summary("es", locales).state == "drafted"
    rows = review_sheet.export_rows("es", locales)
    _sign(rows, HANDOFF_REPLY, approved="yes")
    _sign(rows, CRISIS_REPLY, corrected=rows[[r["source"] for r in rows].index(CRISIS_REPLY)]
          ["translation"].replace("Ya avisamos", "Ya le avisamos"))
    result = review_sheet.import_sheet(_sheet(tmp_path / "es-review.csv", rows), locales)
    assert (result.approved, result.corrected, result.problems) == (1, 1, [])

    records = reviews.load_reviews("es", locales)
    assert {k[1] for k in records} == {HANDOFF_REPLY, CRISIS_REPLY}
    assert all(r.reviewer == "M. Reyes, CHI" and str(r.reviewed_on) == "2026-11-20"
               for r in records.values())
    summary = reviews.summary("es", locales)
    assert (summary.reviewed, summary.stale, summary.last_reviewer) == (2, 0, "M. Reyes, CHI")
    assert summary.state == f"in review (2/{summary.total})"
    assert "Ya le avisamos" in reviews.read_locale_catalog("es", locales)[CRISIS_REPLY].string
    again = {r["source"]: r["state"] for r in review_sheet.export_rows("es", locales)
             if not r["context"]}
    assert again[HANDOFF_REPLY] == again[CRISIS_REPLY] == "reviewed"
    assert again[CHECKIN] == "drafted"

    # A later edit of an approved translation makes it stale until it is reviewed again.
    po = i18n.catalog_paths("es", locales)[0]
    catalog = reviews.read_locale_catalog("es", locales)
    catalog[HANDOFF_REPLY].string = "Gracias. Alguien de su equipo de salud le llamará pronto."
    with po.open("wb") as fp:
        write_po(fp, catalog)
    assert (reviews.summary("es", locales).stale, reviews.summary("es", locales).reviewed) == (1, 1)


@pytest.mark.parametrize(("change", "reason"), [
    ({"translation": "otra cosa"}, "translation changed since this sheet was exported"),
    ({"reviewer": ""}, "no reviewer named"),
    ({"reviewed_on": "20/11/2026"}, "is not a date"),
    ({"corrected": "Hola. Responda con un número."}, "placeholders"),
    ({"source": "Not a message we have"}, "no message"),
])
def test_a_bad_row_names_its_row_and_nothing_is_imported(locales: Path, tmp_path: Path,
                                                         change: dict[str, str], reason: str) -> None:
    rows = review_sheet.export_rows("es", locales)
    _sign(rows, HANDOFF_REPLY, approved="yes")
    _sign(rows, CHECKIN, approved="yes")
    row = next(r for r in rows if r["source"] == CHECKIN)
    row.update(change)
    line = 2 + rows.index(row)
    result = review_sheet.import_sheet(_sheet(tmp_path / "es-review.csv", rows), locales)
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"es-review.csv: row {line}: ") and reason in result.problems[0]
    assert reviews.load_reviews("es", locales) == {}


def test_export_command_writes_a_sheet_excel_opens(tmp_path: Path) -> None:
    out = tmp_path / "vi-review.csv"
    result = CliRunner().invoke(main, ["i18n", "export", "--for-review", "vi", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    with out.open(encoding="utf-8-sig", newline="") as fp:
        header = next(csv.reader(fp))
    assert header == list(review_sheet.COLUMNS)


def test_status_shows_the_review_state_from_the_records() -> None:
    result = CliRunner().invoke(main, ["i18n", "status"])
    assert result.exit_code == 0, result.output
    assert "drafted" in result.output and "Reviewed" in result.output and "pt_BR" in result.output


def test_import_command_records_and_refuses_a_bad_sheet(locales: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_sheet, "LOCALES_DIR", locales)
    monkeypatch.setattr(reviews, "LOCALES_DIR", locales)
    rows = review_sheet.export_rows("ko", locales)
    _sign(rows, HANDOFF_REPLY, approved="yes")
    bad = [dict(r) for r in rows]
    _sign(bad, CHECKIN, approved="yes", reviewer="")
    runner = CliRunner()
    refused = runner.invoke(main, ["i18n", "import", str(_sheet(tmp_path / "ko-review.csv", bad))])
    assert refused.exit_code == 1 and "no reviewer named" in refused.output
    assert "nothing imported" in refused.output and reviews.load_reviews("ko", locales) == {}
    done = runner.invoke(main, ["i18n", "import", str(_sheet(tmp_path / "ko-review.csv", rows))])
    assert done.exit_code == 0, done.output
    assert "ko: 1 approved, 0 corrected" in done.output
    assert reviews.summary("ko", locales).reviewed == 1
    unnamed = runner.invoke(main, ["i18n", "import", str(_sheet(tmp_path / "sheet.csv", rows))])
    assert unnamed.exit_code != 0 and "no catalog for locale 'sheet.csv'" in unnamed.output
