"""Staff accounts: the `outreach users` commands, roles and teams, tokens, and the migration."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from bot.cli.main import main
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.migrate import alembic_config


def run(database_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["users", *args], input=stdin,
                                env={"DATABASE_URL": database_url})
    return result.exit_code, result.output


def test_users_add_token_list_deactivate(database_url: str) -> None:
    code, out = run(database_url, "add", "Carla@Clinic.test", "--role", "social_worker",
                    "--password-stdin", stdin="a long enough password\n")
    assert code == 0 and "carla@clinic.test (social_worker; teams: social_work)" in out
    code, out = run(database_url, "add", "carla@clinic.test", "--role", "nurse",
                    "--password-stdin", stdin="a long enough password\n")
    assert code != 0 and "already exists" in out
    code, out = run(database_url, "add", "short@clinic.test", "--role", "nurse",
                    "--password-stdin", stdin="short\n")
    assert code != 0 and "at least 12" in out
    code, out = run(database_url, "add", "x@clinic.test", "--role", "janitor",
                    "--password-stdin", stdin="a long enough password\n")
    assert code != 0

    code, token = run(database_url, "token", "carla@clinic.test")
    token = token.strip()
    assert code == 0 and token.startswith("cot_")
    with get_database(database_url).session() as s:
        user = users_store.user_for_token(s, token)
        assert user is not None and user.email == "carla@clinic.test"
        assert user.api_token_hash != token  # only the hash is stored
    code, again = run(database_url, "token", "carla@clinic.test")
    with get_database(database_url).session() as s:
        assert users_store.user_for_token(s, token) is None  # the old token stopped working
        assert users_store.user_for_token(s, again.strip()) is not None

    code, out = run(database_url, "list")
    assert "carla@clinic.test\tsocial_worker\tsocial_work\tactive" in out
    assert run(database_url, "deactivate", "carla@clinic.test")[0] == 0
    with get_database(database_url).session() as s:
        assert users_store.user_for_token(s, again.strip()) is None
        assert users_store.authenticate(s, "carla@clinic.test", "a long enough password",
                                        users_store.utcnow()) is None


def test_users_add_with_explicit_teams_and_prompted_password(database_url: str) -> None:
    code, out = run(database_url, "add", "mo@clinic.test", "--role", "nurse", "--team",
                    "nursing", "--team", "outreach",
                    stdin="prompted password 1\nprompted password 1\n")
    assert code == 0 and "teams: nursing, outreach" in out
    with get_database(database_url).session() as s:
        assert users_store.authenticate(s, "MO@clinic.test", "prompted password 1",
                                        users_store.utcnow()) is not None


@pytest.mark.parametrize(("role", "teams"), [
    ("nurse", ("nursing", "behavioral_health")),
    ("pharmacist", ("pharmacy",)),
    ("scheduler", ("scheduling",)),
    ("social_worker", ("social_work",)),
    ("community_health_worker", ("outreach",)),
])
def test_roles_map_to_teams_and_supervisors_see_all(role: str, teams: tuple[str, ...]) -> None:
    assert tuple(users_store.teams_for(role)) == teams
    assert users_store.visible_teams(role, teams) == teams
    assert set(users_store.visible_teams("supervisor", [])) == set(users_store.TASK_TEAMS)
    assert set(users_store.visible_teams("admin", [])) == set(users_store.TASK_TEAMS)


def test_migrations_have_one_head() -> None:
    """The staff-users migration must sit on top of the latest pipeline migration."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}"


def test_passwords_are_hashed_at_owasp_cost_and_older_hashes_upgrade_at_sign_in(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone

    from werkzeug.security import generate_password_hash

    now = datetime.now(timezone.utc)
    # Production: scrypt N=2^17, r=8, p=1 (the suite itself runs at 2^14 for speed).
    monkeypatch.delenv("OUTREACH_TEST_SCRYPT_N", raising=False)
    assert users_store.password_method() == "scrypt:131072:8:1"
    monkeypatch.setenv("OUTREACH_TEST_SCRYPT_N", "1024")
    with pytest.raises(ValueError, match="at least 16384"):
        users_store.password_method()
    monkeypatch.delenv("OUTREACH_TEST_SCRYPT_N")
    with get_database(database_url).session() as s:
        user = users_store.add_user(s, "dora@clinic.test", "nurse", password="a long enough password")
        assert (user.password_hash or "").startswith("scrypt:131072:8:1$")
        # An account from before the change keeps working and is upgraded when its owner signs in.
        user.password_hash = generate_password_hash("a long enough password")  # werkzeug's 2^15
        assert users_store.needs_rehash(user)
        assert users_store.authenticate(s, "dora@clinic.test", "wrong password!!", now) is None
        assert (user.password_hash or "").startswith("scrypt:32768:8:1$")  # not on a failure
        assert users_store.authenticate(s, "dora@clinic.test", "a long enough password", now) is user
        assert (user.password_hash or "").startswith("scrypt:131072:8:1$")
        assert user.check_password("a long enough password")
