"""Staff pages for flows: `/flows` lists every flow and version; `/flows/<name>` draws one as
boxes and arrows with its texts in the language chosen (`?lang=es`) and the review state of each
translation, so a program manager can review a flow, and its translations, without YAML."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from bot import i18n
from bot.errors import UnknownFlow
from bot.i18n.review import MessageReview, message_review, review_states
from bot.web.flow_overview import overview
from bot.web.flow_picture import picture

bp = Blueprint("flows", __name__)


def _staff_only() -> None:
    if current_user.role == "integration":
        abort(403)


def _languages() -> list[tuple[str, str]]:
    states = review_states()
    return [(code, states.get(code, {}).get("language", code)) for code in i18n.SHIPPED_LOCALES]


@bp.route("/flows")
@login_required
def index() -> ResponseReturnValue:
    from bot.web.context import runtime

    _staff_only()
    registry = runtime().flows
    flows = [(name, registry.get(name), registry.versions(name)) for name in registry.names()]
    return render_template("flows/index.html", flows=flows)


@bp.route("/flows/<name>")
@login_required
def show(name: str) -> ResponseReturnValue:
    from bot.web.context import runtime

    _staff_only()
    registry = runtime().flows
    version = request.args.get("version", type=int)
    try:
        flow = registry.get(name, version)
    except UnknownFlow:
        abort(404)
    locale = i18n.negotiate(request.args.get("lang") or i18n.SOURCE_LOCALE)
    states = review_states()

    def review(msgid: str, loc: str) -> MessageReview:
        return message_review(msgid, loc)

    pic = picture(flow, locale, review)
    return render_template("flows/show.html", pic=pic, overview=overview(pic), flow=flow, versions=registry.versions(name),
                           languages=_languages(), locale=locale,
                           catalog_state=states.get(locale, {}).get("state", "unknown"))
