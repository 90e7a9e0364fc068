"""Helpers for the panel and campaign tests: a campaign in code, panels imported for real."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.campaigns.resolve import Resolver
from bot.campaigns.scheduler import Scheduler
from bot.campaigns.schema import Campaign
from bot.flows.loader import default_flows_dir, load_dir
from bot.panel.fhir_parse import parse_resource
from bot.panel.importer import PanelImporter
from bot.store.db import get_database

FLOWS = load_dir(default_flows_dir()).registry

REFILL = Campaign(name="refill_due", flow="refill_reminder", audience="refill_due",
                  offsets=(-3,), send_at=time(10), start_mode="skip", version="v1",
                  stop_when=frozenset({"refill_dispensed", "opted_out"}))


def campaign(**changes: Any) -> Campaign:
    return replace(REFILL, **changes)


class Recorder:
    """The scheduler's enqueue, recording each batch of patient ids."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __call__(self, ids: list[int]) -> None:
        self.batches.append(list(ids))

    @property
    def patients(self) -> list[int]:
        return [p for b in self.batches for p in b]


def import_resources(url: str, resources: list[dict], now: datetime,
                     campaigns: dict[str, Campaign] | None = None) -> Resolver:
    resolver = Resolver(campaigns or {})
    importer = PanelImporter(get_database(url), "America/New_York", resolver, now)
    importer.add_records(parse_resource(r) for r in resources)
    importer.derive()
    return resolver


def scheduler(url: str, *campaigns: Campaign, **kw: Any) -> tuple[Scheduler, Recorder]:
    rec = Recorder()
    return Scheduler(get_database(url), {c.name: c for c in campaigns}, FLOWS, rec, **kw), rec


def write_ndjson(path: Path, resources: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources))
    return path


def d(text: str) -> date:
    return date.fromisoformat(text)
