"""`youthbridge audit ...`: checking a node's tamper-evident audit log."""

from __future__ import annotations

from pathlib import Path

import click

from youthbridge.commands.output import (
    data_dir_option,
    json_option,
    out,
    print_json,
    reported,
)
from youthbridge.district.node import open_existing_district
from youthbridge.domain.errors import ConfigError
from youthbridge.hub.node import open_existing_hub
from youthbridge.security.audit import VerifyReport, verify

EXIT_BROKEN = 1


@click.group("audit")
def group() -> None:
    """Check the audit log of a node."""


@group.command("verify")
@click.option("--node", "kind", type=click.Choice(["hub", "district"]), required=True)
@click.option("--district", "code", help="The district, for a district node.")
@data_dir_option
@json_option
def verify_command(kind: str, code: str | None, data_dir: Path, as_json: bool) -> None:
    """Walk the hash chain; exit 1 naming every entry altered, removed or moved."""
    with reported(as_json):
        report = _verify(kind, code, data_dir)
        if as_json:
            print_json(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "last_sequence": report.last_sequence,
                    "last_hash": report.last_hash,
                    "broken_entries": report.named,
                    "problems": [vars(problem) for problem in report.problems],
                }
            )
        else:
            _print(report)
        if not report.ok:
            raise SystemExit(EXIT_BROKEN)


def _verify(kind: str, code: str | None, data_dir: Path) -> VerifyReport:
    if kind == "district":
        if code is None:
            raise ConfigError(
                "a district node needs --district CODE", code="usage:district"
            )
        node = open_existing_district(data_dir, code)
        sessions, close = node.sessions, node.close
    else:
        hub = open_existing_hub(data_dir)
        sessions, close = hub.sessions, hub.close
    try:
        with sessions() as session:
            return verify(session)
    finally:
        close()


def _print(report: VerifyReport) -> None:
    if report.ok:
        out.print(
            f"The audit log is intact: {report.checked:,} entries, the last"
            f" {report.last_sequence} with hash {report.last_hash}"
        )
        return
    out.print(
        f"The audit log is NOT intact: {len(report.named)} entries are"
        f" altered, missing or out of order: {', '.join(map(str, report.named))}"
    )
    for problem in report.problems:
        out.print(f"  entry {problem.sequence}: {problem.message}", markup=False)
