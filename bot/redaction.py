"""Keep phone numbers out of every log line and every stored failure text.

The code never logs a phone number or a message body on purpose; this is the second line of
defence for text we do not write ourselves: a library's exception message, a traceback, a driver
error. Two rules:

- Phone numbers become `[phone]`: anything in E.164 form (`+` and 8-15 digits, how the product
  stores every number), and numbers written the way people write them that `phonenumbers`'
  matcher finds valid (so ids and timestamps that merely have ten digits are kept).
- A SQL parameter list (`[parameters: (...)]`, what SQLAlchemy prints when an engine was created
  without `hide_parameters`) and PostgreSQL's `DETAIL:` line (`Failing row contains (...)`,
  `Key (phone)=(...) already exists`) become markers: those values are names, numbers and
  message bodies.

`install()` adds a `RedactingFilter` to every handler the process has, so records from any logger
(gunicorn, RQ, Flask, our own) pass through it before they are written. Message bodies inside free
text cannot be recognised; they are kept out by never being put into exceptions or log calls,
which the PHI tests check end to end.
"""

from __future__ import annotations

import logging
import re
import traceback

import phonenumbers

#: Region for numbers written without a country code (the product's numbers are E.164 anyway).
DEFAULT_REGION = "US"
PHONE_MARK = "[phone]"
PARAMS_MARK = "[parameters: [redacted]]"
DETAIL_MARK = "DETAIL:  [redacted]"

_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.S)
_PG_DETAIL = re.compile(r"^DETAIL:.*$", re.M)
#: A cheap test before the matcher: a phone number has at least seven digits.
_DIGITS = re.compile(r"\d")
_E164 = re.compile(r"\+\d{8,15}\b")


def redact(text: str) -> str:
    """`text` with phone numbers and SQL parameter values replaced by markers."""
    if not text:
        return text
    if "[parameters:" in text:
        text = _SQL_PARAMETERS.sub(PARAMS_MARK, text)
    if "DETAIL:" in text:
        text = _PG_DETAIL.sub(DETAIL_MARK, text)
    if len(_DIGITS.findall(text)) < 7:
        return text
    text = _E164.sub(PHONE_MARK, text)
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
        text, DEFAULT_REGION, leniency=phonenumbers.Leniency.VALID)]
    for start, end in reversed(spans):
        text = text[:start] + PHONE_MARK + text[end:]
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and exception text through `redact` before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_outreach_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._outreach_redacted = True  # type: ignore[attr-defined]
        return True


_FILTER = RedactingFilter()


#: Loggers that write other libraries' exception text: Flask's unhandled-exception log goes
#: through the app's logger, RQ's job tracebacks through rq.worker.
SOURCE_LOGGERS = ("rq.worker", "rq.job", "gunicorn.error", "werkzeug")


def install(*sources: logging.Logger) -> None:
    """Put the filter on every handler that exists now and on the loggers that write exception
    text (`SOURCE_LOGGERS` plus `sources`, e.g. the Flask app's logger). Idempotent.

    A filter on a handler covers every record it writes; a filter on a source logger also covers
    handlers added later (a test's log capture, a handler a library adds on first use). Call it
    after the host (gunicorn, `rq worker`) has set up its handlers: for the web app that is
    `create_app`, for workers the worker's bootstrap.
    """
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [obj for obj in logging.Logger.manager.loggerDict.values()
                if isinstance(obj, logging.Logger)]
    for logger in loggers:
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    for logger in [*map(logging.getLogger, SOURCE_LOGGERS), *sources]:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
