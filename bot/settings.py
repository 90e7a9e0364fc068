"""All settings, read from the environment once at start-up and validated there.

A missing or malformed setting raises `SettingsError` with one line naming it, before the web
app serves a request or a worker takes a job. Each process says which groups it needs
(`WEB`, `WORKER`, `DATABASE`): `outreach db upgrade` needs no Twilio credentials.
Nothing here is read at import time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Network, IPv6Network, ip_network
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from bot import defaults
from bot.errors import SettingsError

DEFAULT_DATABASE_URL = "sqlite:///var/outreach.db"

#: Groups of settings a process needs; checked by `load(require=...)`.
DATABASE: frozenset[str] = frozenset({"DATABASE_URL"})
WEB: frozenset[str] = frozenset(
    {"DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "SECRET_KEY",
     "PROGRAM_CONTACT"}
)
#: `outreach panel fetch` (plus a client id and key, or a bearer token: checked there).
FHIR_FETCH: frozenset[str] = frozenset({"DATABASE_URL", "FHIR_BASE_URL", "FHIR_GROUP_ID"})
WORKER: frozenset[str] = frozenset(
    {"DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_SENDER",
     "PUBLIC_BASE_URL", "PROGRAM_CONTACT"}
)

_SID = re.compile(r"^{prefix}[0-9a-fA-F]{{32}}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
#: Whole-number settings and their allowed range (lowest, highest or None).
_WHOLE_NUMBERS: dict[str, tuple[int, int | None]] = {
    "MAX_ROUTINE_MESSAGES_PER_DAY": (0, None),
    # A program that calls at all calls at least once a day and once a week.
    "VOICE_CALLS_PER_DAY": (1, None),
    "VOICE_CALLS_PER_WEEK": (1, None),
    # Faster than once a second loads the database for nothing; slower than an hour hides
    # urgent tasks from a queue page left open.
    "TRIAGE_POLL_SECONDS": (1, 3600),
    # A staff page left open on a shared screen: at most a day idle, at most a day in all.
    "STAFF_IDLE_MINUTES": (1, 1440),
    "STAFF_SESSION_HOURS": (1, 24),
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
    "PROXY_HOPS": (0, 5),
    # A second opinion slower than this is dropped (the word lists already decided).
    "SAFETY_SECOND_OPINION_TIMEOUT_MS": (100, 30000),
    # The sweep: at least a second apart, at most ten minutes (a lost reply waits that long).
    "SWEEP_INTERVAL_SECONDS": (1, 600),
    # Younger than a couple of seconds, a reply's own job may still be on its way.
    "SWEEP_STALE_EVENTS_SECONDS": (2, 3600),
    # A machine-translation gloss slower than this is left off the task page.
    "TRANSLATION_GLOSS_TIMEOUT_MS": (100, 10000),
}

#: Settings read as positive decimal numbers.
_DECIMALS = frozenset({"TWILIO_SEGMENTS_PER_SECOND"})


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one process."""

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    REDIS_URL: str | None = None
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = field(default=None, repr=False)
    TWILIO_MESSAGING_SERVICE_SID: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    #: The sender's carrier rate (segments/s); unset: the usual rate of the sender's type.
    TWILIO_SEGMENTS_PER_SECOND: float | None = None
    #: Points the twilio client at a stand-in; unset in production.
    TWILIO_API_BASE_URL: str | None = None
    #: The URL Twilio calls us at: signature checks and status callbacks are built on it.
    PUBLIC_BASE_URL: str | None = None
    SECRET_KEY: str | None = field(default=None, repr=False)
    OUTREACH_FLOWS_DIR: str | None = None
    OUTREACH_DEFAULT_LOCALE: str = defaults.DEFAULT_LOCALE
    PROGRAM_NAME: str = "Care Outreach"
    PROGRAM_CONTACT: str | None = None
    QUIET_HOURS_START: str = defaults.QUIET_HOURS_START
    QUIET_HOURS_END: str = defaults.QUIET_HOURS_END
    MAX_ROUTINE_MESSAGES_PER_DAY: int = defaults.MAX_ROUTINE_MESSAGES_PER_DAY
    DEFAULT_TIMEZONE: str = defaults.DEFAULT_TIMEZONE
    #: How often the clock queues a sweep for work whose job was lost (s), and how old an
    #: unprocessed reply must be before the sweep queues it again (s).
    SWEEP_INTERVAL_SECONDS: int = defaults.SWEEP_INTERVAL_SECONDS
    SWEEP_STALE_EVENTS_SECONDS: int = defaults.SWEEP_STALE_EVENTS_SECONDS
    #: Seconds between the triage queue page's checks for new tasks (bot/web/triage.py).
    TRIAGE_POLL_SECONDS: int = 10
    #: FHIR Bulk Data export (`outreach panel fetch`): the EHR's FHIR base URL and Group id;
    #: SMART Backend Services client id, private key file (PEM, RSA or EC P-384) and key id,
    #: or a static bearer token; the token URL when not discoverable; where files land.
    FHIR_BASE_URL: str | None = None
    FHIR_GROUP_ID: str | None = None
    FHIR_CLIENT_ID: str | None = None
    FHIR_PRIVATE_KEY_FILE: str | None = None
    FHIR_KEY_ID: str | None = None
    FHIR_TOKEN_URL: str | None = None
    FHIR_BEARER_TOKEN: str | None = field(default=None, repr=False)
    FHIR_SCOPE: str = "system/*.read"
    FHIR_EXPORT_DIR: str = "var/fhir-export"
    #: Minutes without a request after which a staff session ends (bot/web/staff_sessions.py).
    STAFF_IDLE_MINUTES: int = 15
    #: Hours after sign-in after which a staff session ends, however active.
    STAFF_SESSION_HOURS: int = 12
    #: How many reverse proxies in front of the app to believe about the client's address.
    PROXY_HOPS: int = 0
    #: Who a caller in crisis is connected to (E.164): the program's on-call line. Unset, the
    #: call is put through to the 988 Lifeline's ten-digit number.
    VOICE_CRISIS_TRANSFER_NUMBER: str | None = None
    #: "on" (default): workers place phone calls, so they need TWILIO_FROM_NUMBER (Twilio
    #: places calls only from a number; a Messaging Service cannot call). "off": no calls.
    VOICE_CALLS: str = "on"
    #: Calls to one patient per local day and in any seven days (bot.defaults: the FCC's
    #: conditions for exempt healthcare calls).
    VOICE_CALLS_PER_DAY: int = defaults.VOICE_CALLS_PER_DAY
    VOICE_CALLS_PER_WEEK: int = defaults.VOICE_CALLS_PER_WEEK
    #: An operator-hosted classifier asked after the word lists (bot/second_opinion.py);
    #: unset, none is asked. It can only raise a reply's tier.
    SAFETY_SECOND_OPINION_URL: str | None = None
    SAFETY_SECOND_OPINION_TIMEOUT_MS: int = 3000
    #: Who may read `/metrics` and the details of `/readyz`: comma-separated addresses or
    #: networks (e.g. "127.0.0.1,10.0.0.0/8"). Unset, nobody on this listener may: Prometheus
    #: is pointed at a listener operators keep private.
    METRICS_ALLOW_FROM: str | None = None

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return _networks(self.METRICS_ALLOW_FROM or "")
    #: An operator-configured machine-translation service that glosses the patient's words for
    #: staff (bot/services/gloss.py); unset (the default), nothing is sent anywhere.
    TRANSLATION_GLOSS_URL: str | None = None
    TRANSLATION_GLOSS_TIMEOUT_MS: int = 2000
    #: The staff pages' language (language names, approved-reply labels); unset, the browser's.
    STAFF_LOCALE: str | None = None

    @property
    def public_base_url(self) -> str:
        return (self.PUBLIC_BASE_URL or "").rstrip("/")

    @property
    def status_callback_url(self) -> str:
        return self.public_base_url + "/twilio/status"

    def as_flask_config(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(part.strip(), strict=False) for part in value.split(",")
                 if part.strip())


def _fail(name: str, why: str) -> SettingsError:
    return SettingsError(f"setting {name}: {why}")


def _check_url(name: str, value: str, schemes: Iterable[str]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise _fail(name, f"must be a URL with scheme {'/'.join(sorted(schemes))} and a host")


def _check_sid(name: str, value: str, prefix: str) -> None:
    if not re.match(_SID.pattern.format(prefix=prefix), value):
        raise _fail(name, f"must be '{prefix}' followed by 32 hex digits")


def _check_e164(name: str, value: str) -> None:
    try:
        ok = phonenumbers.is_possible_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        ok = False
    if not ok:
        raise _fail(name, "must be an E.164 number such as +15551234567")


def _validate(s: Settings, require: frozenset[str]) -> None:
    for name in sorted(require):
        if name == "TWILIO_SENDER":
            if not (s.TWILIO_MESSAGING_SERVICE_SID or s.TWILIO_FROM_NUMBER):
                raise _fail("TWILIO_MESSAGING_SERVICE_SID",
                            "set it or TWILIO_FROM_NUMBER (who the texts come from)")
            if s.VOICE_CALLS == "on" and not s.TWILIO_FROM_NUMBER:
                raise _fail("TWILIO_FROM_NUMBER", "needed to place calls (a Messaging Service "
                            "cannot call); set it, or VOICE_CALLS=off")
        elif not getattr(s, name):
            raise _fail(name, "missing")
    if s.VOICE_CALLS not in ("on", "off"):
        raise _fail("VOICE_CALLS", "must be on or off")
    if s.VOICE_CALLS_PER_WEEK < s.VOICE_CALLS_PER_DAY:
        raise _fail("VOICE_CALLS_PER_WEEK", "must be at least VOICE_CALLS_PER_DAY")
    if not s.DATABASE_URL.startswith(("sqlite:", "postgresql", "postgres:")):
        raise _fail("DATABASE_URL", "must be a sqlite:/// or postgresql:// URL")
    if s.REDIS_URL:
        _check_url("REDIS_URL", s.REDIS_URL, {"redis", "rediss", "unix"})
    if s.TWILIO_ACCOUNT_SID:
        _check_sid("TWILIO_ACCOUNT_SID", s.TWILIO_ACCOUNT_SID, "AC")
    if s.TWILIO_MESSAGING_SERVICE_SID:
        _check_sid("TWILIO_MESSAGING_SERVICE_SID", s.TWILIO_MESSAGING_SERVICE_SID, "MG")
    for name in ("TWILIO_FROM_NUMBER", "VOICE_CRISIS_TRANSFER_NUMBER"):
        if getattr(s, name):
            _check_e164(name, getattr(s, name))
    if s.TWILIO_API_BASE_URL:
        _check_url("TWILIO_API_BASE_URL", s.TWILIO_API_BASE_URL, {"http", "https"})
    if s.PUBLIC_BASE_URL:
        _check_url("PUBLIC_BASE_URL", s.PUBLIC_BASE_URL, {"http", "https"})
    if s.SAFETY_SECOND_OPINION_URL:
        _check_url("SAFETY_SECOND_OPINION_URL", s.SAFETY_SECOND_OPINION_URL, {"http", "https"})
    if s.TRANSLATION_GLOSS_URL:
        _check_url("TRANSLATION_GLOSS_URL", s.TRANSLATION_GLOSS_URL, {"http", "https"})
    if s.SECRET_KEY is not None and "SECRET_KEY" in require and len(s.SECRET_KEY) < 16:
        raise _fail("SECRET_KEY", "must be at least 16 characters")
    for name in ("FHIR_BASE_URL", "FHIR_TOKEN_URL"):
        if getattr(s, name):
            _check_url(name, getattr(s, name), {"http", "https"})
    if s.FHIR_PRIVATE_KEY_FILE and not os.path.isfile(s.FHIR_PRIVATE_KEY_FILE):
        raise _fail("FHIR_PRIVATE_KEY_FILE", f"no such file: {s.FHIR_PRIVATE_KEY_FILE}")
    if s.OUTREACH_FLOWS_DIR and not os.path.isdir(s.OUTREACH_FLOWS_DIR):
        raise _fail("OUTREACH_FLOWS_DIR", f"not a directory: {s.OUTREACH_FLOWS_DIR}")
    if not _LOCALE.match(s.OUTREACH_DEFAULT_LOCALE):
        raise _fail("OUTREACH_DEFAULT_LOCALE", "must be a language code such as en or es")
    for name in ("QUIET_HOURS_START", "QUIET_HOURS_END"):
        if not _HHMM.match(getattr(s, name)):
            raise _fail(name, "must be HH:MM on a 24-hour clock")
    if s.METRICS_ALLOW_FROM:
        try:
            _networks(s.METRICS_ALLOW_FROM)
        except ValueError:
            raise _fail("METRICS_ALLOW_FROM", "must be comma-separated addresses or networks "
                        "such as 127.0.0.1,10.0.0.0/8") from None
    try:
        ZoneInfo(s.DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(
            "DEFAULT_TIMEZONE", "must be an IANA time zone such as America/New_York"
        ) from None


def load(
    environ: Mapping[str, str] | None = None, *, require: Iterable[str] = frozenset()
) -> Settings:
    """Read and validate the settings from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(f.name)
        if raw is None or raw.strip() == "":
            continue
        raw = raw.strip()
        if f.name in _WHOLE_NUMBERS:
            try:
                number = int(raw)
            except ValueError:
                raise _fail(f.name, "must be a whole number") from None
            low, high = _WHOLE_NUMBERS[f.name]
            if number < low:
                raise _fail(f.name, "must not be negative" if low == 0 else f"must be at least {low}")
            if high is not None and number > high:
                raise _fail(f.name, f"must be at most {high}")
            values[f.name] = number
        elif f.name in _DECIMALS:
            try:
                decimal = float(raw)
            except ValueError:
                raise _fail(f.name, "must be a number") from None
            if not decimal > 0 or decimal == float("inf"):
                raise _fail(f.name, "must be a positive number")
            values[f.name] = decimal
        else:
            values[f.name] = raw
    settings = Settings(**values)  # type: ignore[arg-type]
    _validate(settings, frozenset(require))
    # Read by prometheus_client itself (not a setting of ours), but a missing folder would only
    # fail at the first count, inside a request or a job.
    metrics_dir = env.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir and not os.path.isdir(metrics_dir):
        raise _fail("PROMETHEUS_MULTIPROC_DIR", f"not a directory: {metrics_dir}")
    return settings


def from_mapping(config: Mapping[str, object], *, require: Iterable[str] = frozenset()) -> Settings:
    """Settings from a Flask-style mapping (`create_app(test_config)`), validated the same way."""
    env = {k: str(v) for k, v in config.items() if v is not None and k in Settings.__annotations__}
    return load(env, require=require)
