"""The command line: `youthbridge district ...`, `youthbridge hub ...`, `demo`."""

from __future__ import annotations

import click

from youthbridge.commands import demo, district, hub, synthetic


@click.group()
@click.version_option(package_name="youthbridge")
def main() -> None:
    """youthbridge: reach students who are slipping early, with consent as the gate."""


main.add_command(district.group)
main.add_command(hub.group)
main.add_command(synthetic.group)
main.add_command(demo.command)
