"""`youthbridge demo`: the main job end to end on an embedded default."""

from __future__ import annotations

from pathlib import Path

import click

from youthbridge.commands.output import (
    data_dir_option,
    json_option,
    out,
    print_json,
    progress,
    reported,
)
from youthbridge.demo import DemoResult, DemoSource, run_demo
from youthbridge.demo_path_report import PathReport, Step


@click.command("demo")
@click.option(
    "--source",
    type=click.Choice([item.value for item in DemoSource]),
    default=DemoSource.SYNTHETIC.value,
    show_default=True,
    help="A synthetic region, or the real Ed-Fi sample district.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.001, max=2.0),
    default=0.02,
    show_default=True,
    help="Size of the synthetic region.",
)
@click.option("--seed", type=int, default=2023, show_default=True)
@click.option(
    "--serve",
    is_flag=True,
    help="Then serve the hub and both districts on loopback ports, with demo"
    " accounts for every role.",
)
@data_dir_option
@json_option
def command(
    source: str, scale: float, seed: int, serve: bool, data_dir: Path, as_json: bool
) -> None:
    """Generate or read a district's data, ingest, release, and report on it."""
    with reported(as_json):
        if serve:
            from youthbridge.web.demo_serve import run_demo_servers

            run_demo_servers(data_dir, scale=scale, say=click.echo)
            return
        with progress(quiet=as_json) as say:
            result = run_demo(
                data_dir, DemoSource(source), scale=scale, seed=seed, say=say
            )
        if as_json:
            print_json(_as_dict(result))
            return
        _print(result)


def _as_dict(result: DemoResult) -> dict[str, object]:
    return {
        "folder": str(result.folder),
        "report": str(result.report.page),
        "tables": [str(path) for path in result.report.tables],
        "chronic_absence_on_hub": result.report.district_rates,
        "ingests": [report.to_dict() for report in result.ingests],
        "releases": [
            {
                "district": sent.prepared.payload.district_code,
                "school_year": sent.prepared.payload.school_year,
                "records": len(sent.prepared.payload.records),
                "applied": sent.applied,
                "disclosure_report": sent.prepared.report.to_dict(),
            }
            for sent in result.releases
        ],
        "consent_path": None
        if result.consent_path is None
        else result.consent_path.to_dict(),
    }


def _print(result: DemoResult) -> None:
    out.print(f"Demo written to {result.folder}")
    for ingested in result.ingests:
        students = ingested.tables.get("students", {}).get("accepted", 0)
        out.print(
            f"  district {ingested.district}: {students:,} students ingested,"
            f" {ingested.rows_quarantined:,} rows quarantined"
        )
    for sent in result.releases:
        payload, disclosure = sent.prepared.payload, sent.prepared.report
        out.print(
            f"  release {payload.district_code} {payload.school_year}:"
            f" {len(payload.records):,} records, k = {disclosure.k_achieved},"
            f" {disclosure.records_suppressed:,} suppressed,"
            f" {'applied' if sent.applied else 'NOT applied'} at the hub"
        )
    for district, rate in sorted(result.report.district_rates.items()):
        out.print(f"  chronic absence on the hub, {district}: {rate:.1%}")
    if result.consent_path is not None:
        _print_path(result.consent_path)
    out.print(f"Report: {result.report.page}")
    out.print(f"Tables: {result.report.page.parent}")


def _print_path(path: PathReport) -> None:
    """A few lines on the consent path: counts and rule codes, never a name."""
    count = path.count
    out.print(
        f"  consent path, district {path.district}: {count(Step.FLAGGED)} flagged"
        f" students asked about; {count(Step.DECLINED)} declined,"
        f" {count(Step.UNREACHABLE)} unreachable, {count(Step.SIGNED)} signed"
    )
    out.print(
        f"    {count(Step.CASES_OPEN)} cases opened, {count(Step.REFERRED)} referred"
        f" to a service, progress seen at the district for"
        f" {count(Step.PROGRESS_SEEN)}"
    )
    rules = ", ".join(rule for item in path.refused for rule in item.rules)
    out.print(f"    {len(path.refused)} release request(s) refused: {rules or 'none'}")
    if path.revocation is not None:
        check = path.revocation
        out.print(
            f"    1 consent revoked: {check.found_after} of {check.values_sought}"
            " released identifying values left on the hub, certificate"
            f" {'received' if check.certificate_received else 'NOT received'}"
        )
    if path.coming_of_age is not None:
        out.print(
            "    1 student turned 18: the parent's consent was refused on the"
            " birthday, and records went again once the student signed"
        )
    for note in path.notes:
        out.print(f"    note: {note}")
