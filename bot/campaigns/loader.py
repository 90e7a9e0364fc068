"""Campaign files (`conversation_flows/campaigns/*.yaml`) -> `Campaign`s, or `path:line:col`
issues saying what is wrong, in the same form as flow problems.

    campaign: refill_due
    flow: refill_reminder
    audience: refill_due          # refill_due | missed_visit | program | column:<csv column>
    when: [3 days before]         # "on the day", "2 days after", "every 14 days"
    send_at: "10:00"              # the patient's local time; outside quiet hours
    start_mode: skip              # skip | queue | interrupt (patient already in a conversation)
    stop_when: [refill_dispensed, opted_out]
    caps: {per_day: 200, total: 5000}
    channel: auto                 # auto (SMS to mobiles, calls to landlines) | sms | voice
    pilot: [5, 25, 125]           # stages before everyone; each waits for `campaigns advance`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from bot import defaults
from bot.campaigns import schema
from bot.campaigns.schema import Campaign
from bot.core.rules import in_quiet_hours, parse_clock
from bot.flows.issues import Issue, IssueList, suggest
from bot.flows.marked import Mark, MarkedDict, load_marked, mark_of

KEYS = ("campaign", "description", "flow", "audience", "when", "send_at", "start_mode",
        "stop_when", "caps", "channel", "pilot")
REQUIRED = ("campaign", "flow", "audience", "when", "send_at")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_OFFSET = re.compile(r"^(\d+)\s+(day|days|week|weeks)\s+(before|after)$")
_EVERY = re.compile(r"^every\s+(\d+)\s+(day|days|week|weeks)$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class CampaignSet:
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def default_campaigns_dir(flows_dir: str | Path) -> Path:
    return Path(flows_dir) / "campaigns"


def parse_when(text: str) -> tuple[int | None, int | None]:
    """("3 days before") -> (-3, None); ("every 14 days") -> (None, 14); ValueError otherwise."""
    words = " ".join(str(text).lower().split())
    if words in ("on the day", "on the day of", "same day"):
        return 0, None
    if m := _OFFSET.match(words):
        days = int(m.group(1)) * (7 if m.group(2).startswith("week") else 1)
        return (-days if m.group(3) == "before" else days), None
    if m := _EVERY.match(words):
        days = int(m.group(1)) * (7 if m.group(2).startswith("week") else 1)
        if days < 1:
            raise ValueError("a repeat must be at least 1 day apart")
        return None, days
    raise ValueError(f'cannot read "{text}": write "3 days before", "on the day", '
                     '"2 days after" or "every 14 days"')


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def load_text(text: str, path: str, flows: Any = None,
              quiet: tuple[str, str] = (defaults.QUIET_HOURS_START, defaults.QUIET_HOURS_END),
              ) -> tuple[Campaign | None, list[Issue]]:
    """One campaign file; `flows` (a flow registry) lets the check name unknown flows."""
    issues = IssueList(path)
    try:
        doc = load_marked(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        issues.add(Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1),
                   f"not valid YAML: {getattr(exc, 'problem', exc)}")
        return None, list(issues)
    if not isinstance(doc, MarkedDict):
        issues.add(Mark(1, 1), "a campaign file is a mapping (campaign:, flow:, audience:, ...)")
        return None, list(issues)
    for key, mark in doc.duplicates:
        issues.add(mark, f'"{key}" is given twice')
    for key in doc:
        if key not in KEYS:
            issues.add(doc.mark_of(key), f'unknown key "{key}"{suggest(key, KEYS)}')
    for key in REQUIRED:
        if key not in doc or doc[key] in (None, ""):
            issues.add(doc.mark, f'"{key}" is missing')
    if issues.errors:
        return None, list(issues)

    name = str(doc["campaign"])
    if not _NAME.match(name):
        issues.add(doc.value_mark("campaign"), "campaign name: lower-case letters, digits, _")
    flow_name = str(doc["flow"])
    flow = None
    if flows is not None:
        if flow_name not in flows.names():
            issues.add(doc.value_mark("flow"),
                       f'no flow "{flow_name}"{suggest(flow_name, flows.names())}')
        else:
            flow = flows.get(flow_name)

    audience = str(doc["audience"])
    if audience.startswith("column:"):
        if not audience.split(":", 1)[1].strip():
            issues.add(doc.value_mark("audience"), 'name the date column: "column:due_date"')
        kind = audience = "column:" + audience.split(":", 1)[1].strip()
    elif audience in schema.AUDIENCES:
        kind = audience = schema.AUDIENCES[audience]
    else:
        choices = [*schema.AUDIENCES, "column:<name>"]
        issues.add(doc.value_mark("audience"),
                   f'unknown audience "{audience}"{suggest(audience, choices)}; '
                   f"use one of {', '.join(choices)}")
        kind = audience

    offsets: list[int] = []
    every: int | None = None
    when = doc["when"] if isinstance(doc["when"], list) else [doc["when"]]
    item_marks = getattr(doc["when"], "item_marks", None) or [doc.value_mark("when")] * len(when)
    for item, mark in zip(when, item_marks, strict=False):
        try:
            offset, repeat = parse_when(str(item))
        except ValueError as exc:
            issues.add(mark_of(item, mark), str(exc))
            continue
        if repeat is not None:
            if every is not None:
                issues.add(mark_of(item, mark), "only one \"every ...\" per campaign")
            every = repeat
        elif offset in offsets:
            issues.add(mark_of(item, mark), f"{schema.describe_offset(offset)} is given twice")
        else:
            offsets.append(offset)  # type: ignore[arg-type]
    if every is not None and not offsets:
        offsets.append(0)

    send_at_text = str(doc["send_at"])
    send_at = parse_clock("10:00")
    if not _HHMM.match(send_at_text):
        issues.add(doc.value_mark("send_at"), 'send_at must be HH:MM on a 24-hour clock, e.g. "10:00"')
    else:
        send_at = parse_clock(send_at_text)
        window = flow.settings.quiet_hours if flow is not None and flow.settings.quiet_hours \
            else quiet
        probe = datetime(2026, 1, 1, send_at.hour, send_at.minute, tzinfo=timezone.utc)
        if in_quiet_hours(probe, "UTC", window[0], window[1]):
            issues.add(doc.value_mark("send_at"),
                       f"send_at {send_at_text} is inside quiet hours ({window[0]}-{window[1]}, "
                       "the patient's local time); pick a time between them")

    start_mode = str(doc.get("start_mode") or schema.SKIP)
    if start_mode not in schema.START_MODES:
        issues.add(doc.value_mark("start_mode"), f'start_mode must be one of '
                   f"{', '.join(schema.START_MODES)}{suggest(start_mode, schema.START_MODES)}")

    stops = doc.get("stop_when") or [schema.OPTED_OUT]
    stops = stops if isinstance(stops, list) else [stops]
    allowed = schema.STOPS.get("column" if kind.startswith("column:") else kind, ())
    for stop in stops:
        if allowed and str(stop) not in allowed:
            issues.add(mark_of(stop, doc.value_mark("stop_when")),
                       f'stop_when "{stop}" does not apply to audience {kind}; '
                       f"use {', '.join(allowed)}{suggest(str(stop), allowed)}")
    stop_when = frozenset(str(s) for s in stops) | {schema.OPTED_OUT}

    caps = doc.get("caps") or MarkedDict(doc.value_mark("caps"))
    per_day = total = None
    if not isinstance(caps, MarkedDict):
        issues.add(doc.value_mark("caps"), "caps is a mapping: {per_day: N, total: N}")
    else:
        for key in caps:
            if key not in ("per_day", "total"):
                issues.add(caps.mark_of(key), f'unknown cap "{key}"; use per_day or total')
            elif caps[key] is not None and not _positive(caps[key]):
                issues.add(caps.value_mark(key), f"{key} must be a whole number of at least 1")
        per_day = caps.get("per_day") if _positive(caps.get("per_day")) else None
        total = caps.get("total") if _positive(caps.get("total")) else None

    channel = str(doc.get("channel") or "auto")
    if channel not in schema.CHANNELS:
        issues.add(doc.value_mark("channel"), f"channel must be one of {', '.join(schema.CHANNELS)}")
    elif flow is not None and channel != "auto" and channel not in flow.channels:
        issues.add(doc.value_mark("channel"), f'flow "{flow_name}" has no {channel} channel')

    pilot = doc.get("pilot") or []
    if not isinstance(pilot, list) or not all(_positive(p) for p in pilot) or \
            any(b <= a for a, b in zip(pilot, pilot[1:], strict=False)):
        issues.add(doc.value_mark("pilot"),
                   "pilot is a list of growing stage sizes, e.g. [5, 25, 125]")
        pilot = []

    if issues.errors:
        return None, list(issues)
    return Campaign(
        name=name, flow=flow_name, audience=audience, offsets=tuple(sorted(offsets)),
        send_at=send_at, start_mode=start_mode, stop_when=stop_when, every_days=every,
        per_day=per_day, total=total, channel=channel, pilot=tuple(pilot),
        description=str(doc.get("description") or ""), path=path,
        version=schema.version_of(text),
    ), list(issues)


def load_paths(paths: list[Path], flows: Any = None) -> CampaignSet:
    """Every campaign file under `paths` (files or folders); broken files are reported."""
    result = CampaignSet()
    seen: dict[str, str] = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(root.glob("*.y*ml"))
        for path in files:
            campaign, issues = load_text(path.read_text(encoding="utf-8"), str(path), flows)
            result.issues.extend(issues)
            if campaign is None:
                continue
            if campaign.name in seen:
                result.issues.append(Issue(str(path), 1, 1, f'campaign "{campaign.name}" is '
                                           f"also defined in {seen[campaign.name]}"))
                continue
            seen[campaign.name] = str(path)
            result.campaigns[campaign.name] = campaign
    return result
