"""The `outreach` command: one click group; each area adds its commands from bot/cli/."""

from __future__ import annotations

import click

from bot.cli import (
    campaigns,
    fake_twilio,
    flows,
    i18n,
    panel,
    pipeline,
    readings,
    results,
    safety,
    simulate,
    users,
)


@click.group()
@click.version_option(package_name="care-outreach")
def main() -> None:
    """care-outreach: patient outreach by SMS and voice."""


main.add_command(flows.flows)
main.add_command(simulate.simulate)
main.add_command(i18n.i18n)
for command in pipeline.COMMANDS:
    main.add_command(command)
main.add_command(users.users)
main.add_command(fake_twilio.fake_twilio)
main.add_command(panel.panel)
main.add_command(campaigns.campaigns)
main.add_command(safety.safety)
main.add_command(readings.readings)
main.add_command(results.results_group)


if __name__ == "__main__":
    main()
