"""`youthbridge district ...`: the district node's commands."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import polars as pl

from youthbridge.commands.output import (
    data_dir_option,
    json_option,
    out,
    print_json,
    print_table,
    progress,
    reported,
)
from youthbridge.district.indicators import year_indicators
from youthbridge.district.ingest import IngestReport, SourceFormat, ingest
from youthbridge.district.node import open_district, open_existing_district
from youthbridge.domain.errors import ConfigError, YouthbridgeError
from youthbridge.domain.schoolyear import SchoolYear, parse_year_label
from youthbridge.embedded import open_region, send_release


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
        with progress(quiet=as_json) as say:
            report = ingest(node, source, SourceFormat(source_format), map_path, say)
        if as_json:
            print_json(report.to_dict())
        else:
            _print_ingest(report)


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


@group.command("indicators")
@click.option("--district", "code", required=True, help="The district's code.")
@click.option(
    "--year", "year_label", required=True, help="School year, e.g. 2024-2025."
)
@data_dir_option
@json_option
def indicators_command(
    code: str, year_label: str, data_dir: Path, as_json: bool
) -> None:
    """Each student's early-warning indicators for a school year."""
    with reported(as_json):
        school_year = _school_year(year_label)
        node = open_existing_district(data_dir, code)
        result = year_indicators(node, school_year)
        rows = result.student_year.sort("student_id")
        if as_json:
            print_json(
                {
                    "district": code,
                    "school_year": school_year.label,
                    "report": dataclasses.asdict(result.report),
                    "students": rows.to_dicts(),
                }
            )
            return
        _print_indicators(code, school_year, rows)


def _school_year(label: str) -> SchoolYear:
    try:
        return parse_year_label(label)
    except YouthbridgeError as error:
        raise ConfigError(f"--year: {error.message}", code="usage:year") from error


def _print_indicators(code: str, school_year: SchoolYear, rows: pl.DataFrame) -> None:
    chronic = int(rows["chronic_absence"].sum()) if rows.height else 0
    truant = int(rows["habitual_truancy"].sum()) if rows.height else 0
    out.print(
        f"District {code}, {school_year.label}: {rows.height:,} students;"
        f" {chronic:,} chronically absent, {truant:,} habitually truant"
    )
    shown = rows.select(
        "student_id",
        pl.col("membership_days").cast(pl.Float64).round(1).cast(pl.String),
        pl.col("days_absent").cast(pl.Float64).round(1).cast(pl.String),
        ((pl.col("attendance_rate") * 100).round(1).cast(pl.String) + "%"),
        _yes("chronic_absence"),
        _yes("habitual_truancy"),
        "oss_count",
        "expulsions",
    )
    print_table(
        "", list(zip(shown.columns, _INDICATOR_HEADINGS, strict=True)), shown.to_dicts()
    )


def _yes(column: str) -> pl.Expr:
    return pl.when(column).then(pl.lit("yes")).otherwise(pl.lit("")).alias(column)


_INDICATOR_HEADINGS = (
    "student", "membership days", "days absent", "attendance", "chronic",
    "truant", "OSS", "expelled",
)  # fmt: skip


@group.command("release")
@click.option("--district", "code", required=True, help="The district's code.")
@click.option(
    "--year", "year_label", required=True, help="School year, e.g. 2024-2025."
)
@data_dir_option
@json_option
def release_command(code: str, year_label: str, data_dir: Path, as_json: bool) -> None:
    """Send the hub the year's de-identified records, after the disclosure check."""
    with reported(as_json):
        school_year = _school_year(year_label)
        open_existing_district(data_dir, code).close()
        region = open_region(data_dir, [code])
        try:
            sent = send_release(region, code, school_year)
        finally:
            region.close()
        report = sent.prepared.report.to_dict()
        if as_json:
            print_json(
                {
                    "district": code,
                    "school_year": school_year.label,
                    "message_id": str(sent.envelope.message_id),
                    "applied": sent.applied,
                    "disclosure_report": report,
                }
            )
            return
        state = "received by the hub" if sent.applied else "queued; not yet applied"
        out.print(
            f"District {code}, {school_year.label}: release of"
            f" {len(sent.prepared.payload.records):,} records {state}"
        )
        out.print(
            f"  k achieved {report['k_achieved']} (minimum {report['k_minimum']});"
            f" {report['records_suppressed']:,} records suppressed"
        )
        for step in report["steps"]:
            out.print(
                f"  step {step['step']}: k = {step['k_after']},"
                f" {step['records_affected']:,} records changed"
            )
