"""The translations page shows each language's review state from the sign-off records."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from triage_support import add_user, login

from bot import i18n
from bot.core.messages import HANDOFF_REPLY
from bot.i18n import review_sheet, reviews


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, target, ignore=shutil.ignore_patterns("*.mo", "reviews.csv"))
    monkeypatch.setattr(reviews, "LOCALES_DIR", target)
    return target


def test_the_page_needs_sign_in(client: Any) -> None:
    response = client.get("/translations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_signed_off_message_changes_the_state_staff_see(client: Any, database_url: str,
                                                          locales: Path, tmp_path: Path) -> None:
    add_user(database_url, "tara@clinic.test", "nurse")
    assert login(client, "tara@clinic.test").status_code == 302
    before = {r["locale"]: r for r in client.get("/translations?format=json").get_json()}
    assert before["en"]["state"] == "source" and before["es"]["state"] == "drafted"

    rows = review_sheet.export_rows("es", locales)
    row = next(r for r in rows if r["source"] == HANDOFF_REPLY)
    row.update(approved="yes", reviewer="M. Reyes, CHI", reviewed_on="2026-11-20")
    review_sheet.write_sheet(tmp_path / "es-review.csv", rows)
    assert not review_sheet.import_sheet(tmp_path / "es-review.csv", locales).problems

    after = {r["locale"]: r for r in client.get("/translations?format=json").get_json()}
    assert after["es"]["reviewed"] == 1 and after["es"]["state"].startswith("in review (1/")
    assert after["es"]["last_reviewer"] == "M. Reyes, CHI" and after["es"]["last_date"] == "2026-11-20"
    html = client.get("/translations").get_data(as_text=True)
    assert 'id="locale-es"' in html and "M. Reyes, CHI, 2026-11-20" in html and "in review (1/" in html
