"""The suite's own promises about real parts: an unusable PostgreSQL is named with the driver's
reason, fails a run that requires it, and never takes the SQLite half away.

Each case runs pytest in a subprocess on one small database-backed module with the environment
under test, and reads what that run printed and returned.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import real_parts

ROOT = Path(__file__).resolve().parents[2]
#: A quick module that takes `database_url` (so it has a SQLite and a PostgreSQL half).
SMALL_MODULE = "tests/voice/test_voice_replay.py"
#: Nothing listens here on this machine's loopback (the suite binds only ephemeral ports).
CLOSED_PORT_URL = "postgresql://postgres@127.0.0.1:9/test"


def _pytest(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    run_env = {k: v for k, v in os.environ.items()
               if k not in (real_parts.REQUIRE_POSTGRES, "TEST_DATABASE_URL")}
    run_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "base"), *args],
        cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=600)


def test_a_closed_port_is_named_with_the_drivers_reason() -> None:
    part = real_parts.probe_postgres(CLOSED_PORT_URL)
    assert not part.usable
    assert "Connection refused" in part.reason and "127.0.0.1:9" in part.where


def test_a_missing_database_and_a_missing_role_say_so() -> None:
    usable = real_parts.probe_postgres()
    assert usable.usable, f"this machine's PostgreSQL should answer: {usable.reason}"
    base = real_parts.postgres_url().rsplit("/", 1)[0]
    missing_db = real_parts.probe_postgres(base + "/no_such_database_for_outreach")
    assert 'database "no_such_database_for_outreach" does not exist' in missing_db.reason
    parts = base.split("://", 1)
    host = parts[1].split("@", 1)[-1]
    missing_role = real_parts.probe_postgres(f"{parts[0]}://no_such_role_outreach@{host}/test")
    assert 'role "no_such_role_outreach" does not exist' in missing_role.reason


def test_a_password_never_reaches_the_report() -> None:
    assert real_parts.shown("postgresql://u:s3cret@h:5432/db") == "postgresql://u:***@h:5432/db"


def test_required_and_unusable_fails_the_run_with_the_reason(tmp_path: Path) -> None:
    run = _pytest(tmp_path, SMALL_MODULE, TEST_DATABASE_URL=CLOSED_PORT_URL,
                  **{real_parts.REQUIRE_POSTGRES: "1"})
    assert run.returncode != 0, run.stdout
    out = run.stdout + run.stderr
    assert "OUTREACH_REQUIRE_POSTGRES=1 and PostgreSQL at" in out
    assert "Connection refused" in out
    assert "passed" not in out.splitlines()[-1]


def test_unusable_but_not_required_keeps_the_sqlite_half(tmp_path: Path) -> None:
    run = _pytest(tmp_path, SMALL_MODULE, TEST_DATABASE_URL=CLOSED_PORT_URL)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout.strip().splitlines()[-1]
    assert "1 passed" in summary and "1 skipped" in summary, run.stdout
    assert "postgresql UNUSABLE" in run.stdout and "Connection refused" in run.stdout
    assert "not reachable" not in run.stdout


def test_a_missing_driver_is_named(tmp_path: Path) -> None:
    # A module named psycopg that refuses to import stands in for an environment without it.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "psycopg.py").write_text(
        "raise ImportError(\"No module named 'psycopg' (hidden by the test)\")\n")
    run = _pytest(tmp_path, SMALL_MODULE, PYTHONPATH=str(shadow),
                  **{real_parts.REQUIRE_POSTGRES: "1"})
    assert run.returncode != 0
    assert "the psycopg driver cannot be imported" in run.stdout + run.stderr


def test_the_ci_entry_point_requires_postgres() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"export {real_parts.REQUIRE_POSTGRES}=1" in script
