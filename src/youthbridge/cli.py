"""The command line: `youthbridge district ...`, `youthbridge hub ...`, `demo`."""

from __future__ import annotations

import logging

import click

from youthbridge import logs
from youthbridge.commands import (
    accounts,
    audit,
    demo,
    district,
    exchange,
    hub,
    serve,
    synthetic,
)


@click.group()
@click.version_option(package_name="youthbridge")
@click.option("--verbose", is_flag=True, help="Log each step to standard error.")
def main(verbose: bool) -> None:
    """youthbridge: reach students who are slipping early, with consent as the gate."""
    logs.configure(logging.INFO if verbose else logging.WARNING)


main.add_command(district.group)
main.add_command(hub.group)
main.add_command(synthetic.group)
main.add_command(demo.command)
main.add_command(serve.command)
main.add_command(audit.group)
main.add_command(accounts.group)
main.add_command(exchange.group)
