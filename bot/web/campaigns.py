"""Staff pages for campaigns: `/campaigns` (each campaign's stage, next fires, enrolments and
outcomes, with the button that opens the next pilot stage) and `/campaigns/<name>/plan` (the
preview `outreach campaigns plan` prints). Program staff, supervisors and admins see them;
only supervisors and admins may open a pilot's next stage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from bot import defaults
from bot.campaigns.schema import Campaign
from bot.store import users as users_store
from bot.store.models import utcnow
from bot.web.auth import db_session
from bot.web.timefmt import program_zone

bp = Blueprint("campaigns", __name__)

#: Longest preview window the page accepts (days).
MAX_PLAN_DAYS = 90


class AdvanceForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the stage to open is the next one."""


def _campaigns() -> dict[str, Campaign]:
    from bot.campaigns.service import load_campaigns
    from bot.web.context import runtime

    rt = runtime()
    return load_campaigns(rt.settings, rt.flows, strict=False).campaigns


def _staff_only() -> None:
    if current_user.role == "integration":
        abort(403)


@bp.route("/campaigns")
@login_required
def index() -> ResponseReturnValue:
    from bot.campaigns.status import status

    _staff_only()
    now = utcnow()
    with db_session() as session:
        rows = [status(session, c, now) for c in _campaigns().values()]
    return render_template("campaigns/index.html", rows=rows, form=AdvanceForm(),
                           may_advance=current_user.role in users_store.ALL_TEAMS_ROLES)


@bp.route("/campaigns/<name>/plan")
@login_required
def plan(name: str) -> ResponseReturnValue:
    from bot.campaigns.plan import plan_campaign
    from bot.web.context import runtime

    _staff_only()
    campaign = _campaigns().get(name)
    if campaign is None:
        abort(404)
    days = request.args.get("days", type=int) or defaults.CAMPAIGN_PLAN_DAYS
    days = max(1, min(days, MAX_PLAN_DAYS))
    rt = runtime()
    rows = plan_campaign(rt.db, campaign, rt.flows.get(campaign.flow),
                         utcnow(), days, program_zone())
    return render_template("campaigns/plan.html", campaign=campaign, rows=rows, days=days)


@bp.route("/campaigns/<name>/advance", methods=["POST"])
@login_required
def advance(name: str) -> ResponseReturnValue:
    from bot.campaigns.pilot import PilotError, stage_label
    from bot.campaigns.pilot import advance as open_next

    if current_user.role not in users_store.ALL_TEAMS_ROLES:
        abort(403)
    campaign = _campaigns().get(name)
    if campaign is None:
        abort(404)
    if not AdvanceForm().validate_on_submit():
        abort(400)
    try:
        with db_session() as session:
            stage = open_next(session, campaign, current_user.email, utcnow())
    except PilotError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{name}: now at {stage_label(campaign, stage)}", "success")
    return redirect(url_for("campaigns.index"))
