"""How long the main job takes at district size, beside DuckDB doing the same work.

One run generates (or reuses) a synthetic Campus-style export of district 0180
with about `--students` students and a year of daily attendance, then times:
the whole `ingest()` call; DuckDB reading and grouping the same attendance file;
the year's release and its receipt by the hub; and the hub's trends beside
DuckDB's own aggregation of the same records. It prints each figure with the
ratio ours / DuckDB and writes them all to `<out>/results.json`.

    .venv/bin/python bench/ingest_bench.py [--students 100000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from youthbridge import logs
from youthbridge.district.ingest import IngestReport, SourceFormat, ingest
from youthbridge.district.release import prepare_release
from youthbridge.embedded import Region, open_region, send_release
from youthbridge.hub.store import current_incidents, current_records
from youthbridge.hub.trends import Dimension, trend
from youthbridge.synthetic import generate_region, write_csv_export
from youthbridge.synthetic.facts import AURORA, AURORA_PROFILE, SCHOOL_YEAR
from youthbridge.synthetic.layout import load_layout, map_path

BENCH = Path(__file__).parent
SEED = 2022
CODE = AURORA.code
STAMP = "bench-export.json"
TREND_DIMENSIONS = (
    Dimension.DISTRICT,
    Dimension.SCHOOL,
    Dimension.ZIP,
    Dimension.AGE,
    Dimension.MONTH,
)
# Trends take milliseconds: the best of a few runs is steadier than one.
TREND_RUNS = 5
T = TypeVar("T")


@dataclass
class Results:
    """Every figure of one run, in the shape results.json takes."""

    export: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    ingest_steps: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, work: Callable[[], T], *, best_of: int = 1) -> T:
        """Run `work`, keeping the shortest of `best_of` runs (for quick ones)."""
        times: list[float] = []
        for _ in range(best_of):
            started = time.perf_counter()
            value = work()
            times.append(time.perf_counter() - started)
        self.seconds[name] = min(times)
        print(f"  {name:<34} {self.seconds[name]:9.3f} s")
        return value

    def ratio(self, name: str, ours: str, reference: str) -> None:
        self.ratios[name] = self.seconds[ours] / self.seconds[reference]
        print(f"  {name:<34} {self.ratios[name]:9.1f} x")


def main() -> None:
    options = _arguments()
    logs.configure()  # warnings and errors only, to stderr
    out: Path = options.out
    results = Results()
    export = _export(options.students, out / "export" / CODE, results)
    attendance_csv = export / _attendance_file()

    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    region = open_region(data, [CODE])
    try:
        _bench_ingest(region, export, results)
        _bench_duckdb_attendance(attendance_csv, results)
        results.ratio("ingest / duckdb read+group", "ingest", "duckdb_attendance")
        _bench_release(region, results)
        _bench_trends(region, results)
    finally:
        region.close()
    _write_results(out / "results.json", results)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    return parser.parse_args()


def _export(students: int, folder: Path, results: Results) -> Path:
    """District 0180 alone at `students` students: its scale is students / 39,954."""
    scale = students / AURORA.students
    wanted = {"students": students, "scale": scale, "seed": SEED}
    stamp = folder / STAMP
    if stamp.is_file() and _same_export(stamp, wanted):
        results.export = json.loads(stamp.read_text(encoding="utf-8"))
        print(f"reusing the export in {folder}")
    else:
        print(f"generating district {CODE} at scale {scale:.4f} (seed {SEED})")
        results.export = _generate(folder, wanted)
        stamp.write_text(json.dumps(results.export, indent=2), encoding="utf-8")
    shown = results.export
    print(
        f"export: {shown['student_rows']:,} students,"
        f" {shown['attendance_rows']:,} attendance rows,"
        f" {shown['bytes'] / 1e6:,.0f} MB in {folder}"
    )
    return folder


def _same_export(stamp: Path, wanted: dict[str, Any]) -> bool:
    written = json.loads(stamp.read_text(encoding="utf-8"))
    return all(written.get(key) == value for key, value in wanted.items())


def _generate(folder: Path, wanted: dict[str, Any]) -> dict[str, Any]:
    # Only 0180 is written: the other district and the Ed-Fi files that
    # `generate` also writes are not measured here.
    shutil.rmtree(folder, ignore_errors=True)
    region = generate_region(wanted["scale"], SEED)
    tables = region.districts[CODE]
    layout_map = map_path(AURORA_PROFILE.layout)
    files = write_csv_export(tables, layout_map, folder)
    shutil.copyfile(layout_map, folder / "map.toml")
    return {
        **wanted,
        "district": CODE,
        "layout": AURORA_PROFILE.layout,
        "student_rows": tables["students"].height,
        "attendance_rows": tables["attendance"].height,
        "rows": {name: frame.height for name, frame in tables.items()},
        "bytes": sum(path.stat().st_size for path in files),
    }


def _attendance_file() -> str:
    return load_layout(map_path(AURORA_PROFILE.layout)).tables["attendance"].file


def _bench_ingest(region: Region, export: Path, results: Results) -> None:
    print("ingest (read + validate + store)")
    node = region.districts[CODE]
    with _steps(results.ingest_steps) as say:
        report: IngestReport = results.timed(
            "ingest",
            lambda: ingest(node, export, SourceFormat.CSV, export / "map.toml", say),
        )
    for step, seconds in results.ingest_steps.items():
        print(f"    {step:<32} {seconds:9.3f} s")
    rate = report.rows_read / results.seconds["ingest"]
    results.rates["ingest_rows_per_second"] = rate
    results.rates["rows_read"] = report.rows_read
    results.rates["rows_quarantined"] = report.rows_quarantined
    print(
        f"  {report.rows_read:,} rows read, {report.rows_quarantined:,} quarantined:"
        f" {rate:,.0f} rows/s"
    )


@contextmanager
def _steps(into: dict[str, float]) -> Iterator[Callable[[str], None]]:
    """A progress callback that times each step `ingest` announces."""
    current: list[tuple[str, float]] = []

    def close_step() -> None:
        if current:
            step, started = current.pop()
            into[step] = time.perf_counter() - started

    def say(step: str) -> None:
        close_step()
        current.append((step, time.perf_counter()))

    yield say
    close_step()


def _bench_duckdb_attendance(path: Path, results: Results) -> None:
    print("duckdb reference: read_csv (all VARCHAR) + GROUP BY student")
    table = load_layout(map_path(AURORA_PROFILE.layout)).tables["attendance"]
    headers = table.columns
    student, status = headers["student_id"], headers["status"]
    # Every column declared VARCHAR, as our reader reads them: no type guessing.
    columns = dict.fromkeys(_file_header(path), "VARCHAR")
    codes = list(table.codes["status"])
    counts = ", ".join(
        f"count(*) FILTER (WHERE {_quoted(status)} = ?) AS {_quoted(code)}"
        for code in codes
    )
    # Only identifiers from the map are pasted, each through `_quoted`.
    query = (
        f"SELECT {_quoted(student)}, count(*) AS days, {counts}"  # noqa: S608
        " FROM read_csv(?, header = true, columns = ?)"
        f" GROUP BY {_quoted(student)}"
    )
    parameters = [*codes, str(path), columns]
    with duckdb.connect() as connection:
        grouped = results.timed(
            "duckdb_attendance",
            lambda: connection.execute(query, parameters).fetchall(),
        )
    rate = results.export["attendance_rows"] / results.seconds["duckdb_attendance"]
    results.rates["duckdb_attendance_rows_per_second"] = rate
    print(f"  {len(grouped):,} students grouped: {rate:,.0f} rows/s")


def _file_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return handle.readline().rstrip("\r\n").split(",")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _bench_release(region: Region, results: Results) -> None:
    print(f"release for {SCHOOL_YEAR.label}")
    node = region.districts[CODE]
    prepared = results.timed(
        "prepare_release", lambda: prepare_release(node, SCHOOL_YEAR)
    )
    sent = results.timed(
        "send_release", lambda: send_release(region, CODE, SCHOOL_YEAR)
    )
    if not sent.applied:
        raise SystemExit("the hub did not apply the release")
    results.seconds["hub_receipt"] = (
        results.seconds["send_release"] - results.seconds["prepare_release"]
    )
    results.rates["released_records"] = len(prepared.payload.records)
    results.rates["released_incidents"] = len(prepared.payload.incidents)
    print(
        f"  {len(prepared.payload.records):,} records and"
        f" {len(prepared.payload.incidents):,} incident rows released;"
        f" hub receipt about {results.seconds['hub_receipt']:.2f} s"
    )


def _bench_trends(region: Region, results: Results) -> None:
    print("hub trends, ours beside duckdb over the same records")
    hub = region.hub

    def load() -> tuple[pl.DataFrame, pl.DataFrame]:
        with hub.sessions() as session:
            return current_records(session), current_incidents(session)

    records, incidents = results.timed("hub_load_records", load)
    with duckdb.connect() as connection:
        connection.register("records", records.to_arrow())
        connection.register("incidents", incidents.to_arrow())
        for dimension in TREND_DIMENSIONS:
            ours, reference = f"trend_{dimension}", f"duckdb_trend_{dimension}"
            ours_work = partial(trend, records, incidents, dimension, hub.agreement)
            results.timed(ours, ours_work, best_of=TREND_RUNS)
            reference_work = partial(_fetch, connection, _trend_sql(dimension))
            results.timed(reference, reference_work, best_of=TREND_RUNS)
            results.ratio(f"trend {dimension} / duckdb", ours, reference)


def _fetch(connection: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    return connection.execute(sql).fetchall()


_GROUP_SQL = {
    Dimension.DISTRICT: None,
    Dimension.SCHOOL: "coalesce(school_id, school_level)",
    Dimension.ZIP: "coalesce(zip, zip3 || 'xx')",
    Dimension.AGE: (
        "coalesce(CASE WHEN age <= 4 THEN '0-4' WHEN age <= 10 THEN '5-10'"
        " WHEN age <= 13 THEN '11-13' WHEN age <= 15 THEN '14-15'"
        " WHEN age <= 17 THEN '16-17' WHEN age IS NOT NULL THEN '18+' END,"
        " age_band)"
    ),
}
_MEASURES_SQL = (
    "count(*) AS students,"
    " sum(chronic_absence::INT) AS chronic_absence,"
    " sum(habitual_truancy::INT) AS habitual_truancy,"
    " sum((oss_count + iss_count > 0)::INT) AS suspended,"
    " sum((expulsions > 0)::INT) AS expelled"
)
_RATES_SQL = (
    "chronic_absence / students AS chronic_absence_rate,"
    " habitual_truancy / students AS habitual_truancy_rate,"
    " suspended / students AS suspended_rate,"
    " expelled / students AS expelled_rate"
)


def _trend_sql(dimension: Dimension) -> str:
    """The same counts and rates as `trend`, written as one DuckDB query."""
    if dimension is Dimension.MONTH:
        return _month_sql()
    group = _GROUP_SQL[dimension]
    keys = "school_year, district_code" + (f", {group} AS grp" if group else "")
    by = "school_year, district_code" + (", grp" if group else "")
    # Every piece is a constant of this module: nothing from outside is pasted.
    return (
        f"SELECT *, {_RATES_SQL} FROM"  # noqa: S608
        f" (SELECT {keys}, {_MEASURES_SQL} FROM records GROUP BY {by})"
        f" ORDER BY {by}"
    )


def _month_sql() -> str:
    return (
        "WITH students AS (SELECT school_year, district_code, count(*) AS students"
        " FROM records GROUP BY ALL),"
        " monthly AS (SELECT school_year, district_code, month,"
        " count(DISTINCT pseudonym) FILTER (WHERE action LIKE '%suspension%')"
        " AS suspended,"
        " count(DISTINCT pseudonym) FILTER (WHERE action = 'expulsion') AS expelled"
        " FROM incidents GROUP BY ALL)"
        " SELECT *, suspended / students AS suspended_rate,"
        " expelled / students AS expelled_rate"
        " FROM monthly JOIN students USING (school_year, district_code)"
        " ORDER BY school_year, district_code, month"
    )


def _write_results(path: Path, results: Results) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "export": results.export,
        "seconds": results.seconds,
        "ingest_steps": results.ingest_steps,
        "rates": results.rates,
        "ratios": results.ratios,
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {path}")


if __name__ == "__main__":
    main()
