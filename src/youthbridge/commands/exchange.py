"""`youthbridge exchange ...`: a deployed node's side of the exchange, by hand.

Each command reads the node's configuration file, as `serve --config` does,
and works on the node's own database; the serving node's scheduler delivers
whatever these commands queue.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from youthbridge.commands.output import json_option, out, print_json, reported
from youthbridge.deployment.config import HUB_PARTY, NodeConfig, load_config
from youthbridge.deployment.node import (
    DeployedNode,
    make_identity,
    node_folder,
    open_node,
)
from youthbridge.district.release import prepare_release
from youthbridge.domain.errors import ConfigError, YouthbridgeError
from youthbridge.domain.schoolyear import SchoolYear, parse_year_label
from youthbridge.exchange.inbox import list_dead_letters, replay
from youthbridge.exchange.messages import MessageType
from youthbridge.exchange.outbox import enqueue, list_undeliverable, requeue
from youthbridge.exchange.parties import PartyKind

# One decorator for every command here: each works on the node the file names.
config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The node's configuration file.",
)


@click.group("exchange")
def group() -> None:
    """A deployed node's messages: identity, releases, dead letters, replays."""


@group.command("identity")
@config_option
def identity_command(config_path: Path) -> None:
    """Make the node's identity key if it has none; print its parties entry."""
    with reported(False):
        config = load_config(config_path)
        folder = node_folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        path, public_key, made = make_identity(folder)
    state = "made" if made else "already present"
    click.echo(f"# identity key {state}: {path} (back it up apart from the data)")
    click.echo(_party_entry(config, public_key))


def _party_entry(config: NodeConfig, public_key: str) -> str:
    lines = [
        "[[parties]]",
        f'party_id = "{config.party_id}"',
        f'kind = "{config.kind}"',
        f'public_key = "{public_key}"',
    ]
    if config.district_code is not None:
        lines.append(f'district_code = "{config.district_code}"')
    return "\n".join(lines)


@group.command("queue-release")
@config_option
@click.option(
    "--year", "year_label", required=True, help="School year, e.g. 2024-2025."
)
@json_option
def queue_release_command(config_path: Path, year_label: str, as_json: bool) -> None:
    """Queue the year's de-identified release to the hub; the node delivers it."""
    with reported(as_json):
        school_year = _school_year(year_label)
        node = _open(config_path, PartyKind.DISTRICT)
        try:
            message_id, records = _queue_release(node, school_year)
        finally:
            node.close()
    if as_json:
        print_json({"message_id": str(message_id), "records": records})
        return
    out.print(
        f"Release of {records:,} records for {school_year.label} queued"
        f" as message {message_id}"
    )


def _queue_release(
    node: DeployedNode, school_year: SchoolYear
) -> tuple[uuid.UUID, int]:
    assert node.district is not None
    prepared = prepare_release(node.district, school_year)
    with node.sessions.begin() as session:
        envelope = enqueue(
            session,
            sender_key=node.identity(),
            sender=node.config.party_id,
            recipient=HUB_PARTY,
            type=MessageType.DEIDENTIFIED_RELEASE,
            payload=prepared.payload,
        )
    return envelope.message_id, len(prepared.payload.records)


@group.command("dead-letters")
@config_option
@json_option
def dead_letters_command(config_path: Path, as_json: bool) -> None:
    """Received messages that were refused when applied, and undeliverable ones."""
    with reported(as_json):
        node = _open(config_path)
        try:
            with node.sessions() as session:
                dead = list_dead_letters(session)
                stuck = list_undeliverable(session)
        finally:
            node.close()
    if as_json:
        print_json(
            {
                "dead_letters": [vars(letter) for letter in dead],
                "undeliverable": [vars(message) for message in stuck],
            }
        )
        return
    out.print(f"{len(dead)} dead letter(s), {len(stuck)} undeliverable message(s)")
    for letter in dead:
        out.print(
            f"  dead letter {letter.message_id} {letter.type} from {letter.sender}"
            f" (sequence {letter.sequence}): {letter.error}",
            markup=False,
        )
    for message in stuck:
        out.print(
            f"  undeliverable {message.message_id} {message.type} to"
            f" {message.recipient} after {message.attempts} attempts:"
            f" {message.last_error}",
            markup=False,
        )


@group.command("replay")
@click.argument("message_id", type=click.UUID)
@config_option
@json_option
def replay_command(message_id: uuid.UUID, config_path: Path, as_json: bool) -> None:
    """Apply a dead letter again, once what refused it has been put right."""
    with reported(as_json):
        node = _open(config_path)
        try:
            ack = replay(node.sessions, message_id, node.apply)
        finally:
            node.close()
    if as_json:
        print_json(ack.model_dump(mode="json"))
        return
    out.print(f"Message {message_id}: {ack.status}")


@group.command("requeue")
@click.argument("message_id", type=click.UUID)
@config_option
def requeue_command(message_id: uuid.UUID, config_path: Path) -> None:
    """Give an undeliverable message a fresh set of attempts, starting now."""
    with reported(False):
        node = _open(config_path)
        try:
            with node.sessions.begin() as session:
                requeue(session, message_id)
        finally:
            node.close()
    out.print(f"Message {message_id} queued again")


def _open(path: Path, kind: PartyKind | None = None) -> DeployedNode:
    config = load_config(path)
    if kind is not None and config.kind is not kind:
        raise ConfigError(
            f"{path}: this command runs on a {kind} node; this one is a {config.kind}",
            code="usage:node",
        )
    return open_node(config)


def _school_year(label: str) -> SchoolYear:
    try:
        return parse_year_label(label)
    except YouthbridgeError as error:
        raise ConfigError(f"--year: {error.message}", code="usage:year") from error
