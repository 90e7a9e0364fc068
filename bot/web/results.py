"""`/results`: what outreach achieved, for a period and a campaign or flow.

The funnel (enrolled -> reached -> replied -> success) with opt-outs and escalations, broken
down by language, channel, pilot stage and message variant, a weekly trend and the variant
comparison, from `bot.services.results`. Filters live in the URL, so a view can be shared.
Every staff role but integrations may look (aggregates only); the download (one row per
enrolment, pseudonymous) is for supervisors and admins. Phone numbers and replies are never
downloaded from the page: that takes the audited `outreach results export --include-contact`.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    render_template,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from bot.services import results
from bot.services import results_export as export
from bot.store.models import utcnow
from bot.store.users import ALL_TEAMS_ROLES
from bot.web import results_charts as charts
from bot.web.auth import db_read

bp = Blueprint("results", __name__)

#: What a download's file name may hold of the filters (the rest becomes "_").
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")

#: The period shown when the URL names none (days back from today).
DEFAULT_DAYS = 90
BREAKDOWNS = (("language", "Language"), ("channel", "Channel"), ("stage", "Pilot stage"),
              ("variant", "Message variant"))


@bp.after_request
def _headers(response: Response) -> Response:
    """The staff pages' headers; styles may be inline only for the charts' own SVG styling
    (no script runs anywhere on the page)."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'none'; frame-ancestors 'none'; form-action 'self'")
    return response


def _filters() -> results.Filters:
    """The URL's filters (a malformed one raises `FilterError` naming it)."""
    filters = results.Filters.from_args(request.args)
    if filters.since is None and "since" not in request.args:
        filters = results.Filters(since=utcnow().date() - timedelta(days=DEFAULT_DAYS),
                                  until=filters.until, campaign=filters.campaign,
                                  flow=filters.flow)
    return filters


def _staff_only() -> None:
    if current_user.role == "integration":
        abort(403)


@bp.route("/results")
@login_required
def index() -> ResponseReturnValue:
    _staff_only()
    status = 200
    try:
        filters = _filters()
    except results.FilterError as exc:
        # The page again, with the default period and the reason the link did not work.
        flash(f"That filter was not understood ({exc}); showing the last {DEFAULT_DAYS} days.",
              "error")
        filters, status = results.Filters(since=utcnow().date() - timedelta(days=DEFAULT_DAYS)), 400
    with db_read() as s:
        total = results.funnel(s, filters)
        groups = [(key, label, results.breakdown(s, filters, key)) for key, label in BREAKDOWNS]
        weeks = results.weekly(s, filters)
        comparison = results.variants(s, filters)
        choices = {"campaigns": results.campaigns(s), "flows": results.flows(s)}
    by_language = next(rows for key, _, rows in groups if key == "language")
    svg = {"funnel": charts.funnel_chart(total) if total.enrolled else "",
           "language": charts.rates_chart("Rates by language", by_language)
           if by_language else "",
           "trend": charts.trend_chart(weeks) if len(weeks) > 1 else ""}
    return render_template("results/index.html", filters=filters, total=total, groups=groups,
                           week_rows=[(monday.isoformat(), f) for monday, f in weeks],
                           comparison=comparison, choices=choices, svg=svg,
                           may_download=current_user.role in ALL_TEAMS_ROLES), status


@bp.route("/results/export.csv")
@login_required
def download() -> ResponseReturnValue:
    if current_user.role not in ALL_TEAMS_ROLES:
        abort(403)
    try:
        filters = _filters()
    except results.FilterError as exc:
        abort(400, description=str(exc))
    request_ = export.ExportRequest(filters)
    now = utcnow()

    def chunks():  # type: ignore[no-untyped-def]
        with db_read() as s:
            yield from export.csv_chunks(s, request_, now)

    name = "results-" + "-".join(
        _SAFE_NAME.sub("_", v) for v in filters.as_args().values()) + ".csv"
    return Response(stream_with_context(chunks()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})
