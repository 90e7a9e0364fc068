"""Staff sign-in: Flask-Login sessions, CSRF on every form, roles, and secure cookies.

`init_app(app)` wires the extensions (`create_app` registers the staff blueprints). The Twilio webhooks are authenticated by their signature, not
by a session, so every blueprint serving `/twilio/...` is exempted from CSRF with
`csrf.exempt(blueprint)`. The exemption is resolved at the first request so it does not depend
on the order in which `create_app` registers blueprints. The JSON API authenticates only by
bearer token (never by the session cookie), so it is exempt too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from bot.store import repositories as repo
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.models import utcnow
from bot.web import signin_limits
from bot.web.signin_limits import limiter

log = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see the care-team pages."
login_manager.session_protection = "strong"

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class StaffUser(UserMixin):  # type: ignore[misc]
    """The signed-in staff member, detached from any database session."""

    id: int
    email: str
    name: str
    role: str
    teams: tuple[str, ...]
    session_version: int = 0

    def get_id(self) -> str:
        """What the session cookie holds: the account and its session version (see _load_user)."""
        return f"{self.id}.{self.session_version}"

    @property
    def visible_teams(self) -> tuple[str, ...]:
        return users_store.visible_teams(self.role, self.teams)

    @property
    def sees_all_teams(self) -> bool:
        return self.role in users_store.ALL_TEAMS_ROLES

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @classmethod
    def from_row(cls, row: users_store.User) -> StaffUser:
        return cls(row.id, row.email, row.name, row.role, tuple(row.teams or ()),
                   row.session_version or 0)


@contextmanager
def db_session() -> Iterator[Session]:
    """A transaction on the app's database (commits on success)."""
    runtime = current_app.extensions.get("outreach")
    database = runtime.db if runtime is not None else get_database(current_app.config["DATABASE_URL"])
    with database.session() as session:
        yield session


@contextmanager
def db_read() -> Iterator[Session]:
    """A read-only transaction (pages and API reads: no wait behind a writer on SQLite)."""
    runtime = current_app.extensions.get("outreach")
    database = runtime.db if runtime is not None else get_database(current_app.config["DATABASE_URL"])
    with database.read() as session:
        yield session


@login_manager.user_loader
def _load_user(session_id: str) -> StaffUser | None:
    """The staff member of a session cookie, while that cookie's session version is current.

    A cookie cannot be taken back from a browser (or from whoever copied it); raising the
    account's version on sign-out or deactivation makes every older cookie worthless.
    """
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    with db_read() as session:
        row = session.get(users_store.User, int(user_id))
        if row is None or not row.active or (row.session_version or 0) != int(version):
            return None
        return StaffUser.from_row(row)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only signed-in staff whose role is one of `roles` (admin always passes)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles and current_user.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email", validators=[DataRequired(), Length(max=255)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):  # type: ignore[misc]
    submit = SubmitField("Sign out")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("triage.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin_limits.ACCOUNT_LIMITS, key_func=signin_limits.account_key, methods=["POST"],
               deduct_when=signin_limits.failed_sign_in)
@limiter.limit(signin_limits.ADDRESS_LIMITS, methods=["POST"],
               deduct_when=signin_limits.failed_sign_in)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        with db_session() as session:
            row = users_store.authenticate(session, form.email.data or "", form.password.data or "",
                                           now)
            staff = StaffUser.from_row(row) if row is not None else None
            _audit_sign_in(session, "staff_sign_in" if staff else "staff_sign_in_failed",
                           form.email.data or "", staff)
        if staff is not None:
            login_user(staff)
            log.info("staff sign-in user_id=%s", staff.id)
            return redirect(_safe_next(request.args.get("next")))
        log.warning("failed staff sign-in")
        flash("That email and password do not match an active account.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _audit_sign_in(session: Session, action: str, email: str, staff: StaffUser | None) -> None:
    """Who tried to sign in, from where, and whether it worked (the audit table, not a log)."""
    detail: dict[str, Any] = {"email": email.strip().lower()[:255], "address": request.remote_addr}
    if staff is not None:
        detail["user_id"] = staff.id
    repo.audit(session, action, "staff sign-in", utcnow(), detail=detail)


def _too_many_attempts(exc: Exception) -> ResponseReturnValue:
    """429 from the sign-in limits: the login page again, saying why, and an audit row."""
    if request.endpoint != "auth.login":
        return exc  # type: ignore[return-value]
    with db_session() as session:
        _audit_sign_in(session, "staff_sign_in_throttled", request.form.get("email") or "", None)
    log.warning("staff sign-in throttled")
    flash("Too many failed sign-in attempts. Wait 15 minutes, or ask a supervisor to reset "
          "your password.", "error")
    return render_template("auth/login.html", form=LoginForm()), 429


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            with db_session() as session:
                row = session.get(users_store.User, current_user.id)
                if row is not None:
                    users_store.end_sessions(row)
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("triage.queue"))


def _is_https(app: Flask) -> bool:
    base = app.config.get("PUBLIC_BASE_URL") or ""
    return str(base).lower().startswith("https://")


def _exempt_twilio_blueprints(app: Flask) -> None:
    """csrf.exempt every blueprint that serves a /twilio/ route (signed, not session-based)."""
    names = {rule.endpoint.rpartition(".")[0] for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/twilio/") and "." in rule.endpoint}
    for name in names:
        blueprint = app.blueprints.get(name)
        if blueprint is not None:
            csrf.exempt(blueprint)


def init_app(app: Flask) -> None:
    """Flask-Login, CSRFProtect and secure session cookies on `app`."""
    secure = _is_https(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # Checked by our own hook below so /twilio exemptions can be resolved lazily.
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    csrf.init_app(app)
    login_manager.init_app(app)
    signin_limits.init_app(app)
    app.register_error_handler(429, _too_many_attempts)
    resolved: list[bool] = []

    @app.before_request
    def _csrf_guard() -> None:
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if not resolved:
            _exempt_twilio_blueprints(app)
            resolved.append(True)
        csrf.protect(apply_exemptions=True)

    @app.after_request
    def _staff_headers(response: Any) -> Any:
        if request.blueprint in {"auth", "triage", "dashboard", "api", "password_reset"}:
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            )
        return response

    app.jinja_env.globals["logout_form"] = LogoutForm
