"""`outreach users add EMAIL --role ROLE`, `users token EMAIL`, `users list`, `users deactivate`.

Passwords are never taken as a command-line argument (they would land in shell history and in
`ps`): they are prompted for, or read from standard input with `--password-stdin`.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot import settings as settings_mod
from bot.defaults import TASK_TEAMS
from bot.errors import SettingsError
from bot.store import password_reset
from bot.store import users as users_store
from bot.store.db import Database, get_database


def _database() -> Database:
    try:
        cfg = settings_mod.load(require=settings_mod.DATABASE)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    return get_database(cfg.DATABASE_URL)


def _no_table(exc: Exception) -> click.ClickException:
    return click.ClickException(
        f"the staff accounts table is missing; run `outreach db upgrade` first ({type(exc).__name__})"
    )


@click.group()
def users() -> None:
    """Staff accounts for the triage pages and the JSON API."""


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(users_store.ROLES),
              help="What the person does; decides the default teams.")
@click.option("--team", "teams", multiple=True, type=click.Choice(TASK_TEAMS),
              help="A queue the person works (repeatable); default: the role's teams.")
@click.option("--name", default="", help="Name shown to colleagues.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def add(email: str, role: str, teams: tuple[str, ...], name: str, password_stdin: bool) -> None:
    """Create a staff account for EMAIL."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _database().session() as session:
            user = users_store.add_user(session, email, role, password=password, teams=teams,
                                        name=name)
            summary = f"added {user.email} ({user.role}; teams: {', '.join(user.teams)})"
    except users_store.UserError as exc:
        raise click.ClickException(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        raise _no_table(exc) from None
    click.echo(summary)


@users.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Issue a new API token for EMAIL (printed once; the previous token stops working)."""
    try:
        with _database().session() as session:
            user = users_store.get_by_email(session, email)
            if user is None or not user.active:
                raise click.ClickException(f"no active account for {email}")
            value = users_store.issue_token(session, user)
    except users_store.UserError as exc:
        raise click.ClickException(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        raise _no_table(exc) from None
    click.echo(value)


@users.command("list")
def list_users() -> None:
    """Show every account with its role, teams and whether it is active."""
    try:
        with _database().session() as session:
            rows = session.scalars(select(users_store.User).order_by(users_store.User.email)).all()
            lines = [
                f"{u.email}\t{u.role}\t{','.join(u.teams)}\t{'active' if u.active else 'inactive'}"
                for u in rows
            ]
    except (OperationalError, ProgrammingError) as exc:
        raise _no_table(exc) from None
    for line in lines:
        click.echo(line)


@users.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop EMAIL from signing in or using the API (the account and its history stay)."""
    try:
        with _database().session() as session:
            user = users_store.get_by_email(session, email)
            if user is None:
                raise click.ClickException(f"no account for {email}")
            user.active = False
            user.api_token_hash = None
            users_store.end_sessions(user)
    except users_store.UserError as exc:
        raise click.ClickException(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        raise _no_table(exc) from None
    click.echo(f"deactivated {email}")


@users.command("reset-link")
@click.argument("email")
def reset_link(email: str) -> None:
    """Print a one-time link (valid 24 hours) with which EMAIL sets a new password."""
    try:
        cfg = settings_mod.load(require=frozenset({"DATABASE_URL", "SECRET_KEY",
                                                   "PUBLIC_BASE_URL"}))
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with get_database(cfg.DATABASE_URL).session() as session:
            user = users_store.get_by_email(session, email)
            if user is None or not user.active:
                raise click.ClickException(f"no active account for {email}")
            token = password_reset.issue(str(cfg.SECRET_KEY), user)
    except (OperationalError, ProgrammingError) as exc:
        raise _no_table(exc) from None
    base = (cfg.PUBLIC_BASE_URL or "").rstrip("/")
    click.echo(f"{base}/reset-password/{token}")
    click.echo(f"Give this link to {email} in person or by a trusted channel; it works once, "
               "for 24 hours.", err=True)
