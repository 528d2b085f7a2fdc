"""The main job end to end, as `youthbridge demo` runs it.

The demo's hub database is scanned for every direct identifier the districts
hold: no name, birth date, address, phone, local identifier or guardian of any
student may be anywhere in it.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, select, text, update

from youthbridge.cli import main
from youthbridge.district.node import open_district
from youthbridge.district.records import load_table
from youthbridge.storage.hub_tables import release_incidents

REAL_RATES = {"0180": 0.433, "0130": 0.287}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output
    return {"data": data, **json.loads(result.output)}


def test_the_report_and_tables_are_written(demo: dict[str, Any]) -> None:
    page = Path(demo["report"])
    html = page.read_text(encoding="utf-8")

    assert "<svg" in html
    assert "Disclosure reports" in html
    assert {Path(name).name for name in demo["tables"]} >= {
        "trends-by-zip.csv",
        "trends-by-age.csv",
        "trends-by-month.csv",
        "at-risk-by-district-and-rule.csv",
    }


def test_chronic_absence_on_the_hub_is_within_two_points_of_the_real_rates(
    demo: dict[str, Any],
) -> None:
    rates = demo["chronic_absence_on_hub"]

    assert set(rates) == set(REAL_RATES)
    for district, real in REAL_RATES.items():
        assert abs(rates[district] - real) <= 0.02, district


def test_every_release_met_k_and_was_applied(demo: dict[str, Any]) -> None:
    for release in demo["releases"]:
        assert release["applied"] is True
        assert release["disclosure_report"]["k_achieved"] >= 5


def test_a_suppressed_cell_never_shows_its_number(demo: dict[str, Any]) -> None:
    folder = Path(demo["report"]).parent
    with (folder / "trends-by-month.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    counts = [row[name] for row in rows for name in ("suspended", "expelled")]
    assert counts
    assert all(value == "<10" or int(value) >= 10 for value in counts)


def _identifiers(data: Path) -> set[str]:
    """Every direct identifier the demo's districts hold, read from their nodes."""
    found: set[str] = set()
    nodes = data / "demo-synthetic" / "nodes"
    for code in ("0180", "0130"):
        node = open_district(nodes, code)
        students = load_table(node, "students")
        guardians = load_table(node, "guardians")
        node.close()
        found |= set(students["student_id"])
        found |= {
            f"{a} {b}" for a, b in students.select("first_name", "last_name").rows()
        }
        found |= {str(day) for day in students["birth_date"].drop_nulls()}
        found |= set(students["street"].drop_nulls()) | set(
            students["phone"].drop_nulls()
        )
        found |= {
            f"{a} {b}" for a, b in guardians.select("first_name", "last_name").rows()
        }
        found |= set(guardians["phone"].drop_nulls())
    return {value for value in found if len(value) >= 4}


def _hub_text(
    data: Path, database: Path | None = None
) -> Iterator[tuple[str, str, str]]:
    path = database or data / "demo-synthetic/nodes/hub/hub.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    reflected = MetaData()
    reflected.reflect(engine)
    with engine.connect() as connection:
        for table in reflected.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, str):
                        yield table.name, column, value
    engine.dispose()


def _leaks(
    rows: Iterator[tuple[str, str, str]], identifiers: set[str]
) -> list[tuple[str, str, str]]:
    leaks = []
    for table, column, value in rows:
        if value in identifiers:
            leaks.append((table, column, value))
        elif len(value) > 40:
            # Long text (a stored message, a report) is searched for quoted
            # values, as JSON would hold them.
            leaks += [
                (table, column, found) for found in identifiers if f'"{found}"' in value
            ]
    return leaks


def test_the_hub_holds_no_direct_identifier(demo: dict[str, Any]) -> None:
    identifiers = _identifiers(demo["data"])
    assert len(identifiers) > 1000  # the scan has something to look for

    assert _leaks(_hub_text(demo["data"]), identifiers) == []


def test_the_scan_finds_an_identifier_planted_in_a_copy(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    copy = tmp_path / "hub.sqlite"
    shutil.copy(demo["data"] / "demo-synthetic/nodes/hub/hub.sqlite", copy)
    identifiers = _identifiers(demo["data"])
    planted = sorted(name for name in identifiers if " " in name)[0]
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        connection.execute(update(release_incidents).values(behavior=planted))
    engine.dispose()

    leaks = _leaks(_hub_text(demo["data"], copy), identifiers)

    assert {(table, column) for table, column, _ in leaks} == {
        ("release_incidents", "behavior")
    }


def test_grand_bend_runs_end_to_end(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["demo", "--source", "edfi-grand-bend", "--data-dir", str(tmp_path), "--json"],
    )

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["ingests"][0]["students"] == 960
    assert body["releases"][0]["applied"] is True
    assert Path(body["report"]).is_file()


@pytest.mark.parametrize("by", ["month", "zip", "age", "race", "sex", "school"])
def test_trends_json_never_shows_a_small_count(demo: dict[str, Any], by: str) -> None:
    nodes = demo["data"] / "demo-synthetic" / "nodes"
    result = CliRunner().invoke(
        main, ["hub", "trends", "--by", by, "--json", "--data-dir", str(nodes)]
    )

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    counts = [
        row[name]
        for row in rows
        for name in ("students", "chronic_absence", "suspended", "expelled")
    ]
    assert all(value in ("<10", "*", "", None) or int(value) >= 10 for value in counts)
    assert "<10" in counts


@pytest.mark.parametrize(("kind", "code"), [("hub", None), ("district", "0180")])
def test_audit_verify_passes_on_the_untouched_demo(
    demo: dict[str, Any], kind: str, code: str | None
) -> None:
    nodes = demo["data"] / "demo-synthetic" / "nodes"
    args = ["audit", "verify", "--node", kind, "--json", "--data-dir", str(nodes)]
    result = CliRunner().invoke(main, args + (["--district", code] if code else []))

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["ok"] is True
    assert body["checked"] > 0


def test_audit_verify_names_the_entry_changed_by_one_byte(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    nodes = tmp_path / "nodes"
    shutil.copytree(demo["data"] / "demo-synthetic" / "nodes", nodes)
    engine = create_engine(f"sqlite:///{nodes / 'hub' / 'hub.sqlite'}")
    with engine.begin() as connection:
        entries = connection.execute(
            text("SELECT sequence, action FROM audit_entries ORDER BY sequence")
        ).all()
        sequence, action = entries[len(entries) // 2]
        changed = action[:-1] + ("x" if action[-1] != "x" else "y")
        connection.execute(
            text("UPDATE audit_entries SET action = :a WHERE sequence = :s"),
            {"a": changed, "s": sequence},
        )
    engine.dispose()

    result = CliRunner().invoke(
        main, ["audit", "verify", "--node", "hub", "--json", "--data-dir", str(nodes)]
    )

    assert result.exit_code == 1
    assert json.loads(result.output)["broken_entries"] == [sequence]
