"""`outreach db`, `patients`, `campaign`, `tasks`, `conversations`, `fake-twilio`."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
