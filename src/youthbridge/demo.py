"""The main job end to end, on the embedded default.

Synthetic region: generate two districts' exports, ingest them (one as CSV
through its column map, one as Ed-Fi JSON), release each district's year to the
hub through the disclosure check, carry a few flagged students of one district
through outreach, consent, case work and a revocation (demo_path.py), compute
the trends and the at-risk review, and write the report. The Grand Bend source
runs the same flow on the real Ed-Fi sample district.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from youthbridge.demo_path import run_consent_path
from youthbridge.demo_path_report import PathReport
from youthbridge.district.ingest import IngestReport, SourceFormat, ingest
from youthbridge.domain.errors import ConfigError
from youthbridge.domain.schoolyear import SchoolYear
from youthbridge.embedded import Region, SentRelease, open_region, send_release
from youthbridge.hub.report import ReportInputs, WrittenReport, write_report
from youthbridge.hub.review import at_risk_review
from youthbridge.hub.store import current_incidents, current_records, current_releases
from youthbridge.hub.trends import Dimension, trend
from youthbridge.storage.base import utcnow
from youthbridge.synthetic.facts import PROFILES, SCHOOL_YEAR
from youthbridge.synthetic.generate import GenerationSummary, generate

MARKER_FILE = ".youthbridge-demo"
PATH_DISTRICT = "0180"
SAMPLE_VARIABLE = "YOUTHBRIDGE_SAMPLE_DATA"


def sample_folder() -> Path:
    """Where the public sample data is: the environment, else beside the checkout.

    The partnership keeps the public samples in a `shared/data` folder next to
    the repository; a deployment names its own with YOUTHBRIDGE_SAMPLE_DATA.
    """
    configured = os.environ.get(SAMPLE_VARIABLE)
    if configured:
        return Path(configured)
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


class DemoSource(StrEnum):
    SYNTHETIC = "synthetic"
    GRAND_BEND = "edfi-grand-bend"


@dataclass
class DemoResult:
    folder: Path
    ingests: list[IngestReport]
    releases: list[SentRelease]
    report: WrittenReport
    generation: GenerationSummary | None = None
    notes: list[str] = field(default_factory=list)
    consent_path: PathReport | None = None


Say = Callable[[str], None]


def run_demo(
    data_dir: Path,
    source: DemoSource = DemoSource.SYNTHETIC,
    *,
    scale: float = 0.02,
    seed: int = 2023,
    grand_bend: Path | None = None,
    say: Say | None = None,
) -> DemoResult:
    """Run the whole flow into a fresh demo folder under the data folder."""
    step = say or (lambda _message: None)
    folder = _fresh_folder(data_dir / f"demo-{source.value}")
    if source is DemoSource.SYNTHETIC:
        return _synthetic(folder, scale, seed, step)
    return _grand_bend(folder, grand_bend or sample_folder() / "edfi-grand-bend", step)


def _fresh_folder(folder: Path) -> Path:
    # Only a folder an earlier demo made is ever cleared, never one a person
    # pointed at by mistake.
    if folder.exists():
        if not (folder / MARKER_FILE).exists():
            raise ConfigError(
                f"{folder} exists and was not made by the demo; move it or choose"
                " another --data-dir",
                code="demo:folder",
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER_FILE).write_text("made by youthbridge demo\n", encoding="utf-8")
    return folder


def _synthetic(folder: Path, scale: float, seed: int, step: Say) -> DemoResult:
    step("generating the synthetic region")
    summary = generate(scale, seed, folder / "exports", on_progress=step)
    codes = [profile.facts.code for profile in PROFILES]
    region = open_region(folder / "nodes", codes)
    try:
        step("ingesting district 0180 (CSV) and 0130 (Ed-Fi JSON)")
        exports = folder / "exports"
        ingests = [
            ingest(
                region.districts["0180"],
                exports / "0180",
                SourceFormat.CSV,
                exports / "0180" / "map.toml",
            ),
            ingest(
                region.districts["0130"],
                exports / "0130-edfi-json",
                SourceFormat.EDFI_JSON,
            ),
        ]
        year = SCHOOL_YEAR
        step("releasing de-identified records to the hub")
        sent = [send_release(region, code, year) for code in codes]
        path = _consent_path(region, step)
        benchmarks = {d.code: d.real_rate for d in summary.districts}
        report = _report(
            region, folder, "Synthetic Aurora-like region", benchmarks, step, path
        )
    finally:
        region.close()
    return DemoResult(folder, ingests, sent, report, summary, consent_path=path)


def _consent_path(region: Region, step: Say) -> PathReport:
    step(f"carrying flagged students of {PATH_DISTRICT} through the consent path")
    return run_consent_path(
        region,
        district_code=PATH_DISTRICT,
        on=utcnow().date(),
        say=step,
        directory=sample_folder() / "hsds-sample",
    )


def _grand_bend(folder: Path, source: Path, step: Say) -> DemoResult:
    if not source.is_dir():
        raise ConfigError(
            f"the Grand Bend sample is not at {source}", code="demo:source"
        )
    region = open_region(folder / "nodes", ["GB"])
    try:
        step("ingesting Grand Bend ISD (Ed-Fi XML)")
        ingests = [ingest(region.districts["GB"], source, SourceFormat.EDFI_XML)]
        step("releasing de-identified records to the hub")
        sent = [send_release(region, "GB", SchoolYear(2021))]
        report = _report(region, folder, "Grand Bend ISD sample district", {}, step)
    finally:
        region.close()
    return DemoResult(folder, ingests, sent, report)


def _report(
    region: Region,
    folder: Path,
    title: str,
    benchmarks: dict[str, float],
    step: Say,
    path: PathReport | None = None,
) -> WrittenReport:
    step("computing trends and the at-risk review")
    hub = region.hub
    with hub.sessions() as session:
        records, incidents = current_records(session), current_incidents(session)
        releases = current_releases(session)
    trends = {d: trend(records, incidents, d, hub.agreement) for d in Dimension}
    review = at_risk_review(records, incidents, hub.agreement)
    step("writing the report")
    inputs = ReportInputs(
        title,
        trends,
        review,
        releases,
        hub.agreement,
        benchmarks,
        consent_path=None if path is None else path.summary(),
    )
    return write_report(inputs, folder / "report")
