"""The campaign and panel services the shells call: load campaign files, run a scheduler pass,
import a panel, apply EHR events. Each takes its collaborators (database, flows, an enqueue
function) from the caller, so the CLI, the RQ job and the web handler share one code path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.campaigns.loader import CampaignSet, default_campaigns_dir, load_paths
from bot.campaigns.resolve import Resolver
from bot.campaigns.scheduler import PassReport, Scheduler
from bot.errors import OutreachError
from bot.flows.loader import default_flows_dir
from bot.panel.importer import ImportReport, PanelImporter
from bot.panel.sources import expand, kind_of
from bot.store.db import Database

log = logging.getLogger(__name__)

Enqueue = Callable[[list[int]], None]


class CampaignFilesError(OutreachError):
    """Campaign files have errors; the message lists them as path:line:col."""


def campaigns_dir(settings: Any) -> Path:
    return default_campaigns_dir(settings.OUTREACH_FLOWS_DIR or default_flows_dir())


def load_campaigns(settings: Any, flows: Any, strict: bool = True) -> CampaignSet:
    """The campaign files of this deployment, checked against its flows."""
    folder = campaigns_dir(settings)
    result = load_paths([folder], flows) if folder.is_dir() else CampaignSet()
    if strict and result.errors:
        raise CampaignFilesError("campaign files have errors:\n" + "\n".join(
            str(i) for i in result.errors))
    for issue in result.errors:
        log.error("campaign problem: %s", issue)
    return result


def scheduler(db: Database, settings: Any, flows: Any, enqueue: Enqueue,
              names: Iterable[str] | None = None, **kwargs: Any) -> Scheduler:
    campaigns = load_campaigns(settings, flows, strict=False).campaigns
    if names is not None:
        wanted = list(names)
        unknown = [n for n in wanted if n not in campaigns]
        if unknown:
            raise CampaignFilesError(f"no campaign {unknown[0]!r}; have: "
                                     f"{', '.join(sorted(campaigns)) or 'none'}")
        campaigns = {n: campaigns[n] for n in wanted}
    return Scheduler(db, campaigns, flows, enqueue, settings.DEFAULT_TIMEZONE, **kwargs)


def run_pass(db: Database, settings: Any, flows: Any, enqueue: Enqueue,
             now: datetime) -> PassReport:
    return scheduler(db, settings, flows, enqueue).run_due(now)


@dataclass
class PanelImport:
    report: ImportReport
    csv_files: list[Path]
    resolver: Resolver


def import_ndjson(db: Database, settings: Any, flows: Any, paths: list[Path],
                  now: datetime, enqueue: Enqueue) -> PanelImport:
    """Import the ndjson files among `paths`; CSV files are returned for the CSV importer."""
    files = expand(paths)
    resolver = Resolver(load_campaigns(settings, flows, strict=False).campaigns)
    importer = PanelImporter(db, settings.DEFAULT_TIMEZONE, resolver, now)
    csv_files = []
    for path in files:
        if kind_of(path) == "csv":
            csv_files.append(path)
        else:
            importer.read_file(path)
    report = importer.derive()
    if resolver.patients:
        enqueue(sorted(resolver.patients))
    return PanelImport(report, csv_files, resolver)


def apply_resources(db: Database, settings: Any, flows: Any, resources: list[Any],
                    now: datetime, enqueue: Enqueue) -> tuple[ImportReport, Resolver]:
    """FHIR resources from the EHR (the events API): same effect as importing them."""
    resolver = Resolver(load_campaigns(settings, flows, strict=False).campaigns)
    importer = PanelImporter(db, settings.DEFAULT_TIMEZONE, resolver, now)
    importer.add_records(resources)
    report = importer.derive()
    if resolver.patients:
        enqueue(sorted(resolver.patients))
    return report, resolver
