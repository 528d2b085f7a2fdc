"""Writing a whole synthetic region to disk, one export folder per district.

`out/0180/` holds Aurora's files in the Campus-style layout, `out/0130/` Cherry
Creek's in the PowerSchool-style layout, each with the column map it was written
in as `map.toml`; `out/0130-edfi-json/` holds Cherry Creek again as Ed-Fi JSON
when that writer is installed.
"""

from __future__ import annotations

import importlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import polars as pl

from youthbridge.synthetic.defects import Defect
from youthbridge.synthetic.export import write_csv_export
from youthbridge.synthetic.facts import CHERRY_CREEK_PROFILE, PROFILES
from youthbridge.synthetic.layout import map_path
from youthbridge.synthetic.measures import chronic_absence_rate
from youthbridge.synthetic.region import generate_region

log = logging.getLogger(__name__)

EDFI_MODULE = "youthbridge.synthetic.edfi_json"
EdfiWriter = Callable[[dict[str, pl.DataFrame], Path], object]


@dataclass(frozen=True)
class DistrictSummary:
    """What was written for one district."""

    code: str
    name: str
    layout: str
    students: int
    attendance_rows: int
    chronic_absence_rate: float
    real_rate: float
    files: tuple[Path, ...]


@dataclass(frozen=True)
class GenerationSummary:
    """What `generate` wrote, with the defects placed on purpose."""

    scale: float
    seed: int
    out: Path
    districts: tuple[DistrictSummary, ...]
    defects: tuple[Defect, ...]
    notes: tuple[str, ...]


def generate(
    scale: float,
    seed: int,
    out: Path,
    on_progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Generate the region and write each district's export under `out`."""
    report = on_progress or (lambda _: None)
    region = generate_region(scale, seed, on_progress=report)

    summaries: list[DistrictSummary] = []
    for profile in PROFILES:
        code = profile.facts.code
        report(f"writing district {code} as {profile.layout}")
        tables = region.districts[code]
        files = _write_district(tables, profile.layout, out / code)
        summaries.append(
            DistrictSummary(
                code=code,
                name=profile.facts.name,
                layout=profile.layout,
                students=tables["students"].height,
                attendance_rows=tables["attendance"].height,
                chronic_absence_rate=chronic_absence_rate(tables),
                real_rate=profile.facts.rate,
                files=tuple(files),
            )
        )

    notes: list[str] = []
    edfi_code = CHERRY_CREEK_PROFILE.facts.code
    report(f"writing district {edfi_code} as Ed-Fi JSON")
    edfi_files = _write_edfi(
        region.districts[edfi_code], out / f"{edfi_code}-edfi-json", notes
    )
    if edfi_files:
        notes.append(f"Ed-Fi JSON for {edfi_code}: {len(edfi_files)} files")
    log.info("synthetic.generated", extra={"scale": scale, "seed": seed})
    return GenerationSummary(
        scale, seed, out, tuple(summaries), tuple(region.defects), tuple(notes)
    )


def _write_district(
    tables: dict[str, pl.DataFrame], layout: str, folder: Path
) -> list[Path]:
    source_map = map_path(layout)
    files = write_csv_export(tables, source_map, folder)
    copy = folder / "map.toml"
    shutil.copyfile(source_map, copy)
    return [*files, copy]


def _write_edfi(
    tables: dict[str, pl.DataFrame], folder: Path, notes: list[str]
) -> list[Path]:
    # The Ed-Fi writer is optional: a region can be generated without it.
    try:
        module = importlib.import_module(EDFI_MODULE)
    except ModuleNotFoundError as error:
        if error.name != EDFI_MODULE:
            raise
        notes.append(f"Ed-Fi JSON not written: {EDFI_MODULE} is not installed")
        return []
    writer = cast(EdfiWriter, module.write_edfi_json)
    folder.mkdir(parents=True, exist_ok=True)
    writer(tables, folder)
    return sorted(path for path in folder.rglob("*") if path.is_file())
