"""`youthbridge district ...`: the district node's commands."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from youthbridge.commands.output import (
    data_dir_option,
    err,
    json_option,
    out,
    print_json,
    reported,
)
from youthbridge.district.ingest import IngestReport, SourceFormat, ingest
from youthbridge.district.node import open_district


@click.group("district")
def group() -> None:
    """Work on a district node: ingest exports, compute indicators, release."""


@group.command("ingest")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--district", "code", required=True, help="The district's code.")
@click.option(
    "--format",
    "source_format",
    required=True,
    type=click.Choice([item.value for item in SourceFormat]),
    help="How the source is written.",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The column map of a CSV export (TOML).",
)
@data_dir_option
@json_option
def ingest_command(
    source: Path,
    code: str,
    source_format: str,
    map_path: Path | None,
    data_dir: Path,
    as_json: bool,
) -> None:
    """Read, validate and store one export (a file or a folder) as one batch."""
    with reported(as_json):
        node = open_district(data_dir, code)
        with _progress(quiet=as_json) as say:
            report = ingest(node, source, SourceFormat(source_format), map_path, say)
        if as_json:
            print_json(report.to_dict())
        else:
            _print_ingest(report)


class _Steps:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = progress.add_task("starting", total=None) if progress else None

    def __call__(self, step: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=step)

    def __enter__(self) -> _Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _progress(quiet: bool) -> _Steps:
    if quiet or not err.is_terminal:
        return _Steps(None)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    return _Steps(Progress(*columns, console=err, transient=True))


def _print_ingest(report: IngestReport) -> None:
    if report.unchanged:
        out.print(f"District {report.district}: {report.notes[0]}")
        return
    out.print(
        f"District {report.district}: batch {report.batch_id} ingested"
        f" ({report.source_format})"
    )
    for name, counts in report.tables.items():
        out.print(
            f"  {name:<20} {counts['accepted']:>10,} stored"
            f"  {counts['quarantined']:>8,} quarantined"
        )
    attendance = report.attendance
    if attendance.get("events"):
        statuses = ", ".join(
            f"{count:,} {status}" for status, count in attendance["by_status"].items()
        )
        out.print(
            f"  attendance: {attendance['events']:,} rows ({statuses}) for"
            f" {attendance['students']:,} students at {attendance['schools']}"
            " schools"
        )
    for note in report.notes:
        out.print(f"  note: {note}")
    for rule, count in report.quarantine_by_rule.items():
        out.print(f"  quarantined by {rule}: {count:,}")
