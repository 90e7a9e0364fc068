"""The translations page: each catalog's review state, read from the sign-off records that
`outreach i18n import` writes (bot/i18n/reviews.py), so staff see whether patients in a
language are getting text a medical translator approved."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from bot import i18n
from bot.i18n import reviews

bp = Blueprint("translations", __name__)


@bp.route("/translations")
@login_required
def index() -> ResponseReturnValue:
    rows = [(code, i18n.babel_locale(code).get_display_name("en") or code, reviews.summary(code))
            for code in i18n.SHIPPED_LOCALES]
    if request.args.get("format") == "json":
        return jsonify([{"locale": code, "language": name, "state": s.state,
                         "reviewed": s.reviewed, "stale": s.stale, "total": s.total,
                         "last_reviewer": s.last_reviewer,
                         "last_date": s.last_date.isoformat() if s.last_date else None}
                        for code, name, s in rows])
    return render_template("translations/index.html", rows=rows)
