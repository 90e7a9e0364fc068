"""Error pages inside the site's frame: a lost nurse gets the header, a way back and words.

Only the staff pages get them. Twilio webhooks and the JSON API keep their own answers (TwiML,
JSON), and a 429 from sign-in is handled by bot.web.auth.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

#: Paths whose errors are answered by their own blueprint, not with an HTML page.
MACHINE_PREFIXES = ("/api/", "/twilio/", "/healthz", "/readyz", "/metrics")

#: What each status means to a staff member, and what to do next.
EXPLANATIONS: dict[int, tuple[str, str]] = {
    400: ("Something in that request was not right",
          "The form may have expired. Go back, reload the page and try again."),
    403: ("You cannot open this page", "Your account does not have access to it. "
          "Ask a supervisor if you need it."),
    404: ("Page not found", "It may have been moved, or it belongs to a team you are not on."),
    405: ("That action is not possible here", "Go back and use the page's buttons."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Try again in a "
          "minute; if it keeps happening, tell your supervisor."),
}


def _page(exc: HTTPException) -> Any:
    code = exc.code or 500
    if request.path.startswith(MACHINE_PREFIXES) or code not in EXPLANATIONS:
        return exc
    title, advice = EXPLANATIONS[code]
    return render_template("error.html", code=code, title=title, advice=advice), code


def _unexpected(exc: InternalServerError) -> Any:
    log.error("unhandled error on a staff page endpoint=%s", request.endpoint)
    return _page(InternalServerError())


def init_app(app: Flask) -> None:
    for code in EXPLANATIONS:
        if code != 500:
            app.register_error_handler(code, _page)
    app.register_error_handler(InternalServerError, _unexpected)
