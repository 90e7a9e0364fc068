"""Staff sessions end: sign-out and deactivation kill every copy of the cookie, idle and
absolute timeouts apply, and the client address comes from trusted proxies only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from triage_support import add_user, login, post_form

from bot import settings as settings_mod
from bot.errors import SettingsError
from bot.store import users as users_store
from bot.store.db import get_database
from bot.web.staff_sessions import SEEN_AT, SIGNED_IN_AT

_emails = iter(range(1, 1_000_000))


def signed_in(app: Any, database_url: str, **environ: str) -> tuple[Any, str]:
    """A test client signed in as a new nurse, and the nurse's email."""
    email = f"nurse{next(_emails)}@sessions.test"
    add_user(database_url, email, "nurse")
    client = app.test_client()
    if environ:
        client.environ_base.update(environ)
    assert login(client, email).status_code == 302
    assert client.get("/tasks").status_code == 200
    return client, email


def session_cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return str(cookie.value)


def replay(app: Any, cookie: str) -> int:
    """A request from another browser that copied the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return int(other.get("/tasks").status_code)


def test_a_cookie_copied_before_sign_out_stops_working(app: Any, database_url: str) -> None:
    client, _ = signed_in(app, database_url)
    copied = session_cookie(client)
    assert replay(app, copied) == 200  # the copy works while the session lives
    post_form(client, "/tasks", "/logout", {})
    assert client.get("/tasks").status_code == 302
    assert replay(app, copied) == 302


def test_deactivation_ends_open_sessions(app: Any, database_url: str) -> None:
    client, email = signed_in(app, database_url)
    with get_database(database_url).session() as s:
        user = users_store.get_by_email(s, email)
        assert user is not None
        user.active = False
        users_store.end_sessions(user)
    assert client.get("/tasks").status_code == 302


def test_a_password_change_ends_open_sessions(app: Any, database_url: str) -> None:
    client, email = signed_in(app, database_url)
    with get_database(database_url).session() as s:
        user = users_store.get_by_email(s, email)
        assert user is not None
        users_store.set_password(user, "a brand new passphrase")
    assert client.get("/tasks").status_code == 302


@pytest.mark.parametrize(("key", "age_seconds", "message"), [
    (SEEN_AT, 16 * 60, "without activity"),
    (SIGNED_IN_AT, 13 * 3600, "time limit"),
])
def test_idle_and_absolute_timeouts(app: Any, database_url: str, key: str, age_seconds: int,
                                    message: str) -> None:
    client, _ = signed_in(app, database_url)
    with client.session_transaction() as sess:
        sess[key] = int(time.time()) - age_seconds
    response = client.get("/tasks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert message in client.get("/login").get_data(as_text=True)
    assert client.get("/tasks").status_code == 302  # signed out, not just bounced once


def test_activity_keeps_a_session_alive(app: Any, database_url: str) -> None:
    client, _ = signed_in(app, database_url)
    with client.session_transaction() as sess:
        sess[SEEN_AT] = int(time.time()) - 14 * 60
    assert client.get("/tasks").status_code == 200
    with client.session_transaction() as sess:
        assert int(time.time()) - sess[SEEN_AT] < 60


def test_a_forged_forwarded_header_is_not_the_client_address(app: Any,
                                                             database_url: str) -> None:
    # No trusted proxy (PROXY_HOPS=0): X-Forwarded-For is the client's own words and changes
    # nothing, while a request from another address ends the session (strong protection).
    client, _ = signed_in(app, database_url)
    forged = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/tasks", headers=forged).status_code == 200
    copied = session_cookie(client)
    thief = app.test_client()
    thief.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    thief.set_cookie("session", copied)
    assert thief.get("/tasks", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 302


def test_one_trusted_proxy_hop_gives_the_client_address(database_url: str,
                                                        redis_url: str) -> None:
    from bot.app import create_app

    app = create_app({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PROXY_HOPS": "1",
        "TWILIO_AUTH_TOKEN": "test-auth-token", "PUBLIC_BASE_URL": "http://localhost",
        "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555-0100",
        "TESTING": True,
    })
    seen: list[str | None] = []

    @app.get("/_whoami")
    def whoami() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen == ["198.51.100.7"]


@pytest.mark.parametrize(("name", "value"), [
    ("STAFF_IDLE_MINUTES", "0"), ("STAFF_IDLE_MINUTES", "abc"), ("STAFF_SESSION_HOURS", "25"),
    ("PROXY_HOPS", "-1"),
])
def test_session_settings_are_validated(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings_mod.load({name: value})
