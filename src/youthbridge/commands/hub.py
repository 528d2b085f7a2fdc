"""`youthbridge hub ...`: the hub node's commands."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from youthbridge.commands.output import (
    data_dir_option,
    json_option,
    out,
    print_json,
    print_table,
    reported,
)
from youthbridge.hub.node import open_existing_hub
from youthbridge.hub.review import at_risk_review
from youthbridge.hub.store import current_incidents, current_records
from youthbridge.hub.trends import Dimension, trend


@click.group("hub")
def group() -> None:
    """Work on the hub: trends and the at-risk review."""


@group.command("trends")
@click.option(
    "--by",
    "dimension",
    type=click.Choice([item.value for item in Dimension]),
    default=Dimension.DISTRICT.value,
    show_default=True,
    help="What to break the rates down by.",
)
@data_dir_option
@json_option
def trends_command(dimension: str, data_dir: Path, as_json: bool) -> None:
    """Rates of chronic absence, truancy, suspension and expulsion, suppressed."""
    with reported(as_json):
        hub = open_existing_hub(data_dir)
        with hub.sessions() as session:
            records, incidents = current_records(session), current_incidents(session)
        table = trend(records, incidents, Dimension(dimension), hub.agreement)
        shown = table.shown.display
        if as_json:
            print_json(
                {
                    "by": dimension,
                    "marker": hub.agreement.suppression_marker,
                    "rows": shown.to_dicts(),
                }
            )
            return
        figures = [
            "students",
            "chronic_absence",
            "chronic_absence_rate",
            "habitual_truancy",
            "suspended",
            "expelled",
        ]
        keys = [name for name in shown.columns[:3] if name not in figures]
        columns = [(name, name.replace("_", " ")) for name in keys + figures]
        print_table(
            f"Trends by {dimension}; {hub.agreement.suppression_marker}"
            " marks a suppressed cell",
            columns,
            shown.to_dicts(),
            limit=100,
        )


@group.command("at-risk")
@data_dir_option
@json_option
def at_risk_command(data_dir: Path, as_json: bool) -> None:
    """Students the rules flag, by pseudonym, with each flag's reason."""
    with reported(as_json):
        hub = open_existing_hub(data_dir)
        with hub.sessions() as session:
            records, incidents = current_records(session), current_incidents(session)
        result = at_risk_review(records, incidents, hub.agreement)
        active = result.flags.filter(pl.col("active"))
        if as_json:
            print_json(
                {
                    "on": result.on.isoformat(),
                    "students": result.students.to_dicts(),
                    "flags": active.to_dicts(),
                }
            )
            return
        counts = result.students.group_by("district", "level").len().sort("district")
        out.print(
            f"At-risk review on {result.on.isoformat()}:"
            f" {result.students.height:,} students flagged"
        )
        for district, level, count in counts.iter_rows():
            out.print(f"  {district}: {count:,} {level}")
        for row in active.head(20).iter_rows(named=True):
            out.print(
                f"  {row['pseudonym']}  {row['rule']}: {row['explanation']}",
                markup=False,
            )
