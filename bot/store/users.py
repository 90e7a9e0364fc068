"""Staff accounts: who may open the triage pages and the JSON API, and which queues they see.

A role says what someone does; teams say which follow-up queues they work. By default a role
brings its teams (a pharmacist works the pharmacy queue, a nurse the nursing and behavioral
health queues); `--team` overrides that for people who cover several queues. Supervisors and
admins see every queue. Passwords are stored as werkzeug salted hashes; API tokens are random
and only their SHA-256 is kept, so a leaked database does not leak a usable token.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from bot.defaults import TASK_TEAMS
from bot.errors import OutreachError
from bot.store.models import Base, utcnow

ROLES: tuple[str, ...] = (
    "nurse",
    "pharmacist",
    "scheduler",
    "social_worker",
    "community_health_worker",
    "supervisor",
    "admin",
    # An EHR or integration engine posting events (`POST /api/events`); works no queue.
    "integration",
)

#: Roles that see every team's queue and the whole caseload.
ALL_TEAMS_ROLES = frozenset({"supervisor", "admin"})

#: The teams a role works by default (bot.defaults.TASK_TEAMS names).
ROLE_TEAMS: dict[str, tuple[str, ...]] = {
    "nurse": ("nursing", "behavioral_health"),
    "pharmacist": ("pharmacy",),
    "scheduler": ("scheduling",),
    "social_worker": ("social_work",),
    "community_health_worker": ("outreach",),
    "supervisor": TASK_TEAMS,
    "admin": TASK_TEAMS,
    "integration": (),
}

#: Shortest password `users add` accepts (characters); NIST SP 800-63B asks for at least 8.
MIN_PASSWORD_LENGTH = 12
#: Prefix of issued API tokens, so a token pasted into the wrong place is recognisable.
TOKEN_PREFIX = "cot_"


class UserError(OutreachError):
    """A staff account cannot be created or changed as asked (unknown role, duplicate...)."""


class User(Base):
    """One staff member. `teams` is a list of TASK_TEAMS names."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    teams: Mapped[list[str]] = mapped_column(JSON, default=list)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Part of every session's identity: raising it ends every session the user has at once
    #: (sign-out, deactivation, a password change), since a cookie cannot be recalled.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def check_password(self, password: str) -> bool:
        """True when `password` matches; always False for an account without one."""
        return bool(self.password_hash) and check_password_hash(self.password_hash or "", password)

    @property
    def sees_all_teams(self) -> bool:
        return self.role in ALL_TEAMS_ROLES


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; store them trimmed and lower-cased."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise UserError(f"not an email address: {email!r}")
    return email


def teams_for(role: str, teams: Iterable[str] | None = None) -> list[str]:
    """The teams a new account works: the given ones (validated) or the role's defaults."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    chosen = list(dict.fromkeys(teams or ()))
    for team in chosen:
        if team not in TASK_TEAMS:
            raise UserError(f"unknown team {team!r}; choose from {', '.join(TASK_TEAMS)}")
    return chosen or list(ROLE_TEAMS[role])


def visible_teams(role: str, teams: Sequence[str]) -> tuple[str, ...]:
    """The queues an account may see: all for supervisors and admins, else its own teams."""
    return TASK_TEAMS if role in ALL_TEAMS_ROLES else tuple(t for t in teams if t in TASK_TEAMS)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


def end_sessions(user: User) -> None:
    """Every session cookie issued to `user` so far stops working."""
    user.session_version = (user.session_version or 0) + 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def add_user(
    session: Session,
    email: str,
    role: str,
    *,
    password: str | None = None,
    teams: Iterable[str] | None = None,
    name: str = "",
) -> User:
    """Create an account; raises UserError for a duplicate email, bad role, team or password."""
    email = normalize_email(email)
    chosen = teams_for(role, teams)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise UserError(f"an account for {email} already exists")
    user = User(email=email, role=role, teams=chosen, name=name.strip(), active=True)
    if password is not None:
        check_password_strength(password)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_sessions(user)


#: scrypt's cost: N = 2^17 with r = 8 and p = 1, OWASP's current recommendation (werkzeug's own
#: default is 2^15). The parameters are stored in each hash, so older hashes still verify and
#: are upgraded at the owner's next sign-in.
SCRYPT_N = 2**17
#: The cheapest cost a test suite may ask for (OUTREACH_TEST_SCRYPT_N); nothing lower is ever used.
SCRYPT_N_FLOOR = 2**14


def _scrypt_n() -> int:
    """The cost to hash with. A test suite that creates hundreds of accounts may lower it
    through OUTREACH_TEST_SCRYPT_N (a power of two, at least 2^14); production never sets it."""
    raw = os.environ.get("OUTREACH_TEST_SCRYPT_N", "").strip()
    if not raw:
        return SCRYPT_N
    n = int(raw)
    if n < SCRYPT_N_FLOOR or n & (n - 1):
        raise ValueError("OUTREACH_TEST_SCRYPT_N must be a power of two of at least 16384")
    return n


def password_method() -> str:
    """werkzeug's method string for new hashes: scrypt at today's cost."""
    return f"scrypt:{_scrypt_n()}:8:1"


def hash_password(password: str) -> str:
    """A salted scrypt hash at today's cost (the parameters are kept in the hash)."""
    return generate_password_hash(password, method=password_method())


def needs_rehash(user: User) -> bool:
    """True when the stored hash was made at another cost than today's."""
    return bool(user.password_hash) and not (user.password_hash or "").startswith(password_method() + "$")


def issue_token(session: Session, user: User) -> str:
    """A new API token for `user` (the old one stops working); only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = hash_token(token)
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active account owning `token`, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    """The active account for this email and password, or None; records the login time.

    An unknown email still pays for one hash check, so timing does not reveal which emails
    have accounts.
    """
    try:
        user = get_by_email(session, email)
    except UserError:
        user = None
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    if needs_rehash(user):
        # The password is at hand only now: upgrade an older, cheaper hash in place. The
        # session version stays, so the sessions this sign-in belongs to stay valid.
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def colleagues(session: Session, team: str) -> list[User]:
    """Active accounts that can take a task of `team` (its members, then supervisors)."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)).all()
    return [u for u in users if team in visible_teams(u.role, u.teams)]


@functools.cache
def _dummy_hash() -> str:
    """A hash at today's cost, checked for unknown emails so their timing matches."""
    return hash_password("not-a-real-password-only-for-timing")
