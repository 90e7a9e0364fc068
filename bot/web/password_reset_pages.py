"""The page behind a one-time password-reset link (issued by `outreach users reset-link`)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from bot.store import password_reset
from bot.store import repositories as repo
from bot.store import users as users_store
from bot.store.models import utcnow
from bot.web.auth import db_session

log = logging.getLogger(__name__)

bp = Blueprint("password_reset", __name__)


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        f"New password (at least {users_store.MIN_PASSWORD_LENGTH} characters)",
        validators=[DataRequired(), Length(min=users_store.MIN_PASSWORD_LENGTH, max=1024)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("The same password again",
                            validators=[DataRequired(), EqualTo("password",
                                                                "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set my password")


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    form = NewPasswordForm()
    try:
        with db_session() as session:
            user = password_reset.user_for(session, _secret(), token)
            email = user.email
            if form.validate_on_submit():
                password_reset.complete(session, _secret(), token, form.password.data or "")
                repo.audit(session, "staff_password_reset", "password set with a reset link",
                           utcnow(), detail={"user_id": user.id, "by": user.email})
                log.info("staff password reset user_id=%s", user.id)
                flash("Your password is set. Sign in with it now.", "info")
                return redirect(url_for("auth.login"))
    except password_reset.ResetLinkInvalid as exc:
        return render_template("auth/reset.html", form=None,
                               problem=str(exc)[:1].upper() + str(exc)[1:] + "."), 410
    except users_store.UserError as exc:
        flash(str(exc), "error")
    return render_template("auth/reset.html", form=form, email=email, problem=None), \
        (400 if form.errors else 200)
