"""The caseload view: per staff member and per team, open, overdue, resolved this week and the
median time to first human contact (bot.store.caseload computes them)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from bot.store import caseload as caseload_store
from bot.store.models import utcnow
from bot.web.auth import db_read
from bot.web.timefmt import program_zone

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def caseload() -> ResponseReturnValue:
    """Everyone's caseload for supervisors and admins; one's own teams for everyone else."""
    now = utcnow()
    zone = program_zone()
    with db_read() as session:
        by_staff, by_team = caseload_store.caseload(session, current_user.visible_teams, now, zone)
    if request.args.get("format") == "json":
        return jsonify({"staff": [m.to_dict() for m in by_staff],
                        "teams": [m.to_dict() for m in by_team],
                        "week_start": caseload_store.week_start(now, zone).isoformat()})
    return render_template("triage/dashboard.html", by_staff=by_staff, by_team=by_team,
                           week_start=caseload_store.week_start(now, zone),
                           window_days=caseload_store.MEDIAN_WINDOW.days)
