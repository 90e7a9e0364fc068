"""Every format migration has a fixture pair, and migrating the old one gives the new one."""

from __future__ import annotations

from pathlib import Path

from bot.flows.loader import load_file
from bot.flows.marked import load_marked, plain
from bot.flows.migrations import MIGRATIONS, migrate
from bot.flows.schema import FORMAT_VERSION

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_migration_has_a_fixture_pair() -> None:
    for n in MIGRATIONS:
        assert list(FIXTURES.glob(f"format{n}_*.yaml")), f"no fixture for migration {n}"
    assert set(MIGRATIONS) == set(range(FORMAT_VERSION))


def test_migrations_turn_each_fixture_into_the_next_format() -> None:
    for n in MIGRATIONS:
        for old in FIXTURES.glob(f"format{n}_*.yaml"):
            new = FIXTURES / old.name.replace(f"format{n}_", f"format{n + 1}_")
            migrated = migrate(load_marked(old.read_text()), n, n + 1)
            assert plain(migrated) == plain(load_marked(new.read_text()))


def test_old_format_loads_as_the_same_flow_with_a_warning() -> None:
    old, issues = load_file(FIXTURES / "format0_demo.yaml")
    new, _ = load_file(FIXTURES / "format1_demo.yaml")
    assert old is not None and new is not None
    assert old.states == new.states
    assert {i.severity for i in issues} == {"warning"}
    assert len([i for i in issues if "format 0" in i.message]) == 1
