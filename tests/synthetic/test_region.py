"""The generated region: canonical shapes, plausible people, real rates."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from youthbridge.district.canonical import TABLES
from youthbridge.domain.codes import GRADES, AttendanceStatus
from youthbridge.synthetic import Region, generate_region
from youthbridge.synthetic.facts import PROFILES

CODES = [profile.facts.code for profile in PROFILES]
REAL_RATE = {profile.facts.code: profile.facts.rate for profile in PROFILES}
AREA_ZIPS = {
    "80010", "80011", "80012", "80013", "80014", "80015", "80016", "80017",
    "80018", "80019", "80045", "80047", "80111", "80112", "80121", "80122",
    "80231", "80237", "80247",
}  # fmt: skip
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _chronic_rate(tables: dict[str, pl.DataFrame]) -> float:
    """Chronic absence computed from enrolments and calendars, not from rows."""
    membership = (
        tables["enrollments"]
        .join(tables["calendar_days"], on="school_id")
        .filter(
            (pl.col("date") >= pl.col("entry_date"))
            & (pl.col("date") <= pl.col("exit_date"))
        )
        .group_by("student_id")
        .agg(days=pl.col("date").n_unique())
    )
    status = pl.col("status")
    missed = (
        tables["attendance"]
        .with_columns(
            missed=pl.when(status.is_in(["excused-absence", "unexcused-absence"]))
            .then(1.0)
            .when(status == "partial")
            .then(pl.col("fraction_absent").cast(pl.Float64).fill_null(0.5))
            .otherwise(0.0)
        )
        .group_by("student_id")
        .agg(pl.col("missed").sum())
    )
    per_student = (
        tables["students"]
        .select("student_id")
        .join(membership, on="student_id", how="left")
        .join(missed, on="student_id", how="left")
        .with_columns(pl.col("missed").fill_null(0.0))
    )
    chronic = per_student["missed"] / per_student["days"] >= 0.1
    return float(chronic.sum()) / per_student.height


@pytest.mark.parametrize("code", CODES)
def test_each_table_has_exactly_the_canonical_columns_as_text(
    region: Region, code: str
) -> None:
    tables = region.districts[code]

    assert set(tables) == set(TABLES) - {"calendar_sessions"}
    for name, frame in tables.items():
        assert frame.columns == list(TABLES[name].column_names), name
        assert all(dtype == pl.String for dtype in frame.dtypes), name
        assert frame.height > 0, name


@pytest.mark.parametrize("code", CODES)
def test_student_counts_are_the_real_counts_scaled(region: Region, code: str) -> None:
    facts = next(p.facts for p in PROFILES if p.facts.code == code)

    students = region.districts[code]["students"]

    assert students.height == round(facts.students * region.scale)
    assert students["student_id"].n_unique() == students.height


@pytest.mark.parametrize("code", CODES)
def test_chronic_absence_lands_within_a_point_of_the_real_rate(
    region: Region, code: str
) -> None:
    rate = _chronic_rate(region.districts[code])

    assert abs(rate - REAL_RATE[code]) < 0.01


@pytest.mark.parametrize("seed", [1, 99])
def test_calibration_holds_for_other_seeds(seed: int) -> None:
    other = generate_region(0.02, seed)

    for code in CODES:
        assert abs(_chronic_rate(other.districts[code]) - REAL_RATE[code]) < 0.01


@pytest.mark.parametrize("code", CODES)
def test_attendance_has_one_row_for_every_enrolled_school_day(
    region: Region, code: str
) -> None:
    tables = region.districts[code]
    membership = (
        tables["enrollments"]
        .join(tables["calendar_days"], on="school_id")
        .filter(pl.col("date").is_between("entry_date", "exit_date"))
        .select("student_id", "school_id", "date")
    )
    known = tables["attendance"].join(tables["students"], on="student_id", how="semi")

    assert known.select("student_id", "date").is_duplicated().sum() == 0
    assert known.height == membership.height
    assert known.join(membership, on=["student_id", "school_id", "date"]).height == (
        membership.height
    )


@pytest.mark.parametrize("code", CODES)
def test_statuses_are_canonical_apart_from_the_listed_defects(
    region: Region, code: str
) -> None:
    statuses = set(region.districts[code]["attendance"]["status"].unique())
    planted = {d.value for d in region.defects if d.column == "status"}
    canonical = {status.value for status in AttendanceStatus}

    assert AttendanceStatus.PRESENT.value in statuses
    assert statuses - canonical <= planted
    partial = region.districts[code]["attendance"].filter(pl.col("status") == "partial")
    assert set(partial["fraction_absent"].unique()) == {"0.5"}


@pytest.mark.parametrize("code", CODES)
def test_dates_are_iso_and_in_the_school_year(region: Region, code: str) -> None:
    tables = region.districts[code]

    for name, column in [
        ("calendar_days", "date"),
        ("attendance", "date"),
        ("enrollments", "entry_date"),
        ("incidents", "date"),
    ]:
        values = tables[name][column]
        assert values.str.contains(r"^\d{4}-\d{2}-\d{2}$").all(), name
        assert values.min() >= "2022-08-01", name  # type: ignore[operator]
        assert values.max() <= "2023-06-30", name  # type: ignore[operator]


def test_school_calendars_run_about_172_days_and_differ(region: Region) -> None:
    for code in CODES:
        days = region.districts[code]["calendar_days"].group_by("school_id").len()
        assert days["len"].min() >= 165  # type: ignore[operator]
        assert days["len"].max() <= 180  # type: ignore[operator]
    calendars = region.districts[CODES[0]]["calendar_days"]
    per_school = calendars.group_by("school_id").agg(pl.col("date").sort())
    assert per_school["date"].n_unique() > 1


@pytest.mark.parametrize("code", CODES)
def test_students_have_plausible_ages_for_their_grades(
    region: Region, code: str
) -> None:
    tables = region.districts[code]
    grades = tables["enrollments"].group_by("student_id").agg(pl.col("grade").first())
    students = tables["students"].join(grades, on="student_id")
    ages = students.select(
        grade=pl.col("grade")
        .replace_strict({"KG": 0}, default=None)
        .fill_null(pl.col("grade").cast(pl.Int64, strict=False)),
        age=(
            pl.lit(date(2022, 10, 1)) - pl.col("birth_date").str.to_date()
        ).dt.total_days()
        / 365.25,
    )

    assert set(tables["enrollments"]["grade"].unique()) <= set(GRADES[1:])
    assert tables["enrollments"]["grade"].n_unique() == 13
    offset = ages["age"] - ages["grade"]
    assert offset.min() >= 4.9  # type: ignore[operator]
    assert offset.max() < 7.1  # type: ignore[operator]


@pytest.mark.parametrize("code", CODES)
def test_homes_are_in_the_area_zip_codes(region: Region, code: str) -> None:
    zips = set(region.districts[code]["students"]["zip"].unique())
    short = {d.value for d in region.defects if d.column == "zip"}

    assert zips - short <= AREA_ZIPS
    phones = region.districts[code]["students"]["phone"]
    assert phones.str.contains("555-").all()


def test_names_keep_their_hyphens_apostrophes_particles_and_accents(
    region: Region,
) -> None:
    aurora = region.districts[CODES[0]]["students"]
    surnames = set(aurora["last_name"]) | set(
        region.districts[CODES[0]]["guardians"]["last_name"]
    )

    assert any("-" in name for name in surnames)
    assert any("'" in name for name in surnames)
    assert any(" " in name for name in surnames)
    assert any(name.isascii() is False for name in surnames)


def test_a_cp1252_district_holds_only_what_cp1252_can_spell(region: Region) -> None:
    cherry = region.districts["0130"]
    names = pl.concat(
        [cherry["students"]["last_name"], cherry["guardians"]["last_name"]]
    )

    for name in names.unique().to_list():
        name.encode("cp1252")
    assert any(not name.isascii() for name in names.to_list())


def test_some_student_numbers_start_with_zero(region: Region) -> None:
    ids = region.districts["0180"]["students"]["student_id"]

    assert ids.str.starts_with("0").any()
    assert ids.str.len_chars().n_unique() == 1


def test_each_student_has_one_or_two_guardians(region: Region) -> None:
    for code in CODES:
        per_student = region.districts[code]["guardians"].group_by("student_id").len()
        students = region.districts[code]["students"].height
        assert per_student.height == students
        assert set(per_student["len"].unique()) == {1, 2}


def test_some_students_move_between_two_schools_of_their_district(
    region: Region,
) -> None:
    for code in CODES:
        enrollments = region.districts[code]["enrollments"]
        movers = enrollments.group_by("student_id").agg(
            schools=pl.col("school_id").n_unique(), grades=pl.col("grade").n_unique()
        )
        assert (movers["schools"] == 2).sum() > 0
        assert movers["grades"].max() == 1


def test_students_who_cross_leave_one_district_and_enter_the_other(
    region: Region,
) -> None:
    aurora, cherry = region.districts["0180"], region.districts["0130"]
    crossings = region.crossings

    assert crossings.height > 0
    left = crossings.join(
        aurora["enrollments"], left_on="from_student_id", right_on="student_id"
    )
    entered = crossings.join(
        cherry["enrollments"], left_on="to_student_id", right_on="student_id"
    )
    pairs = left.join(entered, on="from_student_id", suffix="_there")
    assert (pairs["exit_date"] < pairs["entry_date_there"]).all()
    people = crossings.join(
        aurora["students"], left_on="from_student_id", right_on="student_id"
    ).join(cherry["students"], left_on="to_student_id", right_on="student_id")
    assert (people["birth_date"] == people["birth_date_right"]).all()
    assert (people["first_name"] != "").all()


def test_discipline_is_rare_and_mostly_suspensions(region: Region) -> None:
    for code in CODES:
        tables = region.districts[code]
        involved = tables["incident_behaviors"]["student_id"].n_unique()
        share = involved / tables["students"].height
        assert 0.01 < share < 0.08
        actions = tables["discipline_actions"]["action"].value_counts()
        counts = dict(zip(actions["action"], actions["count"], strict=True))
        suspensions = counts.get("in-school-suspension", 0) + counts.get(
            "out-of-school-suspension", 0
        )
        assert suspensions > counts.get("expulsion", 0) * 5
        days = tables["discipline_actions"].filter(
            pl.col("action").str.contains("suspension")
        )["days"]
        assert days.is_not_null().all()


def test_grades_are_letters_per_course_and_term(region: Region) -> None:
    grades = region.districts["0180"]["grades"]

    assert set(grades["term"].unique()) == {"S1", "S2"}
    assert set(grades["school_year"].unique()) == {"2022-2023"}
    assert grades["letter"].str.contains(r"^[A-DF][+-]?$").all()
    assert grades.select("student_id", "course", "term").is_duplicated().sum() == 0


def test_the_defects_are_few_listed_and_present(region: Region) -> None:
    kinds = {(d.district, d.table, d.column) for d in region.defects}

    assert kinds == {
        ("0180", "students", "zip"),
        ("0180", "guardians", "relation"),
        ("0130", "attendance", "status"),
        ("0130", "attendance", "student_id"),
    }
    for defect in region.defects:
        column = region.districts[defect.district][defect.table][defect.column]
        assert defect.value in set(column), defect
    orphan = next(d for d in region.defects if d.column == "student_id")
    assert orphan.value not in set(region.districts["0130"]["students"]["student_id"])
    zip_defect = next(d for d in region.defects if d.column == "zip")
    assert len(zip_defect.value) == 4


def test_the_same_seed_gives_the_same_region(region: Region) -> None:
    again = generate_region(region.scale, region.seed)

    for code in CODES:
        for name, frame in region.districts[code].items():
            assert frame.equals(again.districts[code][name]), name


@pytest.mark.slow
def test_a_full_size_region_is_generated_whole() -> None:
    # How long it takes is measured by the benchmark, not here.
    full = generate_region(1.0, 5)

    rows = sum(full.districts[code]["attendance"].height for code in CODES)
    assert rows > 15_000_000


def test_iso_pattern_is_what_the_tables_use() -> None:
    assert ISO.fullmatch("2022-08-17")
