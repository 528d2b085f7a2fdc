"""`youthbridge synthetic ...`: synthetic districts for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from youthbridge.commands.output import json_option, out, print_json, progress, reported
from youthbridge.synthetic.generate import GenerationSummary, generate


@click.group("synthetic")
def group() -> None:
    """Generate synthetic districts (no real person)."""


@group.command("generate")
@click.option(
    "--scale",
    type=click.FloatRange(min=0.0001, max=2.0),
    default=0.02,
    show_default=True,
    help="Share of the real districts' sizes.",
)
@click.option(
    "--seed",
    type=int,
    default=2023,
    show_default=True,
    help="The same seed writes the same files.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the exports into.",
)
@json_option
def generate_command(scale: float, seed: int, out_dir: Path, as_json: bool) -> None:
    """Write an Aurora-like region of two districts as SIS exports."""
    with reported(as_json):
        with progress(quiet=as_json) as say:
            summary = generate(scale, seed, out_dir, on_progress=say)
        if as_json:
            print_json(summary_dict(summary))
            return
        _print_summary(summary)


def summary_dict(summary: GenerationSummary) -> dict[str, object]:
    return {
        "scale": summary.scale,
        "seed": summary.seed,
        "out": str(summary.out),
        "districts": [
            {
                "code": d.code,
                "name": d.name,
                "layout": d.layout,
                "students": d.students,
                "attendance_rows": d.attendance_rows,
                "chronic_absence_rate": d.chronic_absence_rate,
                "real_rate": d.real_rate,
                "files": [str(path) for path in d.files],
            }
            for d in summary.districts
        ],
        "defects": [vars(defect) for defect in summary.defects],
        "notes": list(summary.notes),
    }


def _print_summary(summary: GenerationSummary) -> None:
    out.print(
        f"Synthetic region written to {summary.out} (scale {summary.scale},"
        f" seed {summary.seed})"
    )
    for d in summary.districts:
        out.print(
            f"  {d.code} {d.name}: {d.students:,} students,"
            f" {d.attendance_rows:,} attendance rows, chronic absence"
            f" {d.chronic_absence_rate:.1%} (real {d.real_rate:.1%}), {d.layout}"
        )
    out.print(f"  {len(summary.defects)} deliberate defects for validation to find")
    for note in summary.notes:
        out.print(f"  note: {note}")
