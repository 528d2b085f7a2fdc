"""`youthbridge account add`: staff accounts, made by a node's operator.

The first account of a node must be its administrator; later ones are made in
that administrator's name and audited as theirs. The password is asked for
twice and never echoed; the second factor is enrolled at the first sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.commands.output import data_dir_option, out, reported
from youthbridge.district.node import open_existing_district
from youthbridge.domain.errors import ConfigError
from youthbridge.hub.node import open_existing_hub
from youthbridge.security.accounts import create_account, first_admin
from youthbridge.security.permissions import Role, parse_role


@click.group("account")
def group() -> None:
    """Manage the staff accounts of a node."""


@group.command("add")
@click.option("--node", "kind", type=click.Choice(["hub", "district"]), required=True)
@click.option("--district", "code", help="The district, for a district node.")
@click.option(
    "--role",
    "role_name",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option("--username", required=True)
@click.option("--team", help="The case managers' team, on the hub.")
@click.password_option(help="Asked for twice when not given.")
@data_dir_option
def add_command(
    kind: str,
    code: str | None,
    role_name: str,
    username: str,
    team: str | None,
    password: str,
    data_dir: Path,
) -> None:
    """Add a staff account; the first account of a node must be its admin."""
    with reported(False):
        role = parse_role(role_name)
        sessions, close, district = _node(kind, code, data_dir)
        try:
            with sessions.begin() as session:
                account = create_account(
                    session,
                    actor=first_admin(sessions),
                    username=username,
                    role=role,
                    password=password,
                    district_code=district,
                    team=team,
                )
                made = account.username
        finally:
            close()
        out.print(
            f"Account {made} ({role.value}) added; the second factor is"
            " enrolled at the first sign-in."
        )


def _node(
    kind: str, code: str | None, data_dir: Path
) -> tuple[sessionmaker[Session], Callable[[], None], str | None]:
    if kind == "hub":
        hub = open_existing_hub(data_dir)
        return hub.sessions, hub.close, None
    if code is None:
        raise ConfigError(
            "a district node needs --district CODE", code="usage:district"
        )
    node = open_existing_district(data_dir, code)
    return node.sessions, node.close, code
