"""One-time password-reset links, issued by an administrator from the command line.

A nurse locked out at the start of a shift needs a way back in that does not pass a password
around. `outreach users reset-link EMAIL` prints a link signed with the app's SECRET_KEY that
expires after `RESET_MAX_AGE` and works once: it is bound to the account's current password
hash and session version, and setting the new password changes both.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from bot.store import users as users_store

#: How long a reset link works.
RESET_MAX_AGE = timedelta(hours=24)
_SALT = "staff-password-reset"


class ResetLinkInvalid(users_store.UserError):
    """The link is forged, expired, already used, or the account is gone or inactive."""


def _fingerprint(user: users_store.User) -> str:
    raw = f"{user.password_hash or ''}|{user.session_version or 0}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def issue(secret: str, user: users_store.User) -> str:
    """The token for `user`'s reset link (valid until used or `RESET_MAX_AGE` passes)."""
    return str(_serializer(secret).dumps({"id": user.id, "f": _fingerprint(user)}))


def user_for(session: Session, secret: str, token: str,
             max_age: timedelta = RESET_MAX_AGE) -> users_store.User:
    """The active account a still-valid token belongs to; ResetLinkInvalid otherwise."""
    try:
        data = _serializer(secret).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ResetLinkInvalid("this reset link has expired; ask an administrator for a new "
                               "one") from None
    except BadSignature:
        raise ResetLinkInvalid("this reset link is not valid") from None
    user = session.get(users_store.User, int(data.get("id", 0))) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise ResetLinkInvalid("this reset link was already used or is no longer valid; ask an "
                               "administrator for a new one")
    return user


def complete(session: Session, secret: str, token: str, password: str) -> users_store.User:
    """Set the new password (which also ends every session and spends the link)."""
    user = user_for(session, secret, token)
    users_store.set_password(user, password)
    session.flush()
    return user
