"""k-anonymity of de-identified releases: the ladder, the report, the check."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest

from youthbridge.domain.disclosure import (
    OTHER_OR_MULTIPLE,
    AppliedStep,
    DisclosureReport,
    Step,
    check_release,
    measure_k,
    protect,
)
from youthbridge.domain.errors import Refused, YouthbridgeError

SCHOOL_LEVELS = {"HS1": "high", "HS2": "high", "E1": "elementary", "E2": "elementary"}
RAW = ("age", "grade", "zip", "sex", "race_ethnicity", "school_id")
GENERALISED = (
    "age_band",
    "grade_band",
    "zip3",
    "sex",
    "race_ethnicity",
    "school_level",
)
SCHEMA = {
    "pseudonym": pl.String,
    "age": pl.Int64,
    "grade": pl.String,
    "zip": pl.String,
    "sex": pl.String,
    "race_ethnicity": pl.String,
    "school_id": pl.String,
    "days_absent": pl.Float64,
}


def _students(count: int, **values: Any) -> list[dict[str, Any]]:
    """`count` tenth-graders alike in every quasi-identifier but `values`."""
    student = {
        "age": 15,
        "grade": "10",
        "zip": "80203",
        "sex": "female",
        "race_ethnicity": "white",
        "school_id": "HS1",
        "days_absent": 2.5,
    }
    return [{**student, **values} for _ in range(count)]


def _frame(*groups: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [row for group in groups for row in group]
    named = [{"pseudonym": f"P-{n:04d}", **row} for n, row in enumerate(rows)]
    return pl.DataFrame(named, schema=SCHEMA)


def _protect(records: pl.DataFrame, k_minimum: int = 5) -> Any:
    return protect(records, k_minimum=k_minimum, school_levels=SCHOOL_LEVELS)


def test_a_release_that_already_meets_k_is_left_as_it_is() -> None:
    records = _frame(_students(5), _students(5, sex="male"))

    protected = _protect(records)

    assert protected.report.steps == ()
    assert protected.report.k_initial == 5
    assert protected.report.k_achieved == 5
    assert protected.report.quasi_identifiers == RAW
    assert protected.release.equals(records)


def test_four_students_sharing_a_rare_race_are_suppressed_when_merging_fails() -> None:
    # The case: zip, age and race held by 4 students, minimum 5. Merging
    # the rare category only renames the group of 4; nothing else joins it.
    records = _frame(_students(20), _students(4, race_ethnicity="asian"))

    protected = _protect(records)

    assert protected.report.steps == (
        AppliedStep(Step.AGE_BAND, k_after=4, records_affected=24),
        AppliedStep(Step.GRADE_BAND, k_after=4, records_affected=24),
        AppliedStep(Step.ZIP3, k_after=4, records_affected=24),
        AppliedStep(Step.RARE_RACE_ETHNICITY, k_after=4, records_affected=4),
        AppliedStep(Step.SCHOOL_LEVEL, k_after=4, records_affected=24),
        AppliedStep(Step.SUPPRESS, k_after=20, records_affected=4),
    )
    assert protected.report.records_in == 24
    assert protected.report.records_suppressed == 4
    assert protected.report.k_achieved == 20
    assert protected.release.height == 20
    assert protected.release["race_ethnicity"].unique().to_list() == ["white"]


def test_merging_two_rare_categories_together_is_enough() -> None:
    records = _frame(
        _students(20),
        _students(3, race_ethnicity="asian"),
        _students(2, race_ethnicity="black-african-american"),
    )

    protected = _protect(records)

    assert [applied.step for applied in protected.report.steps] == [
        Step.AGE_BAND,
        Step.GRADE_BAND,
        Step.ZIP3,
        Step.RARE_RACE_ETHNICITY,
    ]
    assert protected.report.steps[-1] == AppliedStep(
        Step.RARE_RACE_ETHNICITY, k_after=5, records_affected=5
    )
    assert protected.report.records_suppressed == 0
    races = protected.release["race_ethnicity"].value_counts(sort=True)
    assert races.rows() == [("white", 20), (OTHER_OR_MULTIPLE, 5)]


def test_age_bands_are_enough_and_the_age_column_is_replaced_in_place() -> None:
    records = _frame(
        _students(3, age=14), _students(3, age=15), _students(5, age=12, grade="07")
    )

    protected = _protect(records)

    assert protected.report.steps == (
        AppliedStep(Step.AGE_BAND, k_after=5, records_affected=11),
    )
    assert protected.release.columns == [
        "pseudonym", "age_band", "grade", "zip", "sex", "race_ethnicity",
        "school_id", "days_absent",
    ]  # fmt: skip
    assert protected.release["age_band"].to_list() == ["14-15"] * 6 + ["11-13"] * 5
    assert protected.report.quasi_identifiers == (
        "age_band", "grade", "zip", "sex", "race_ethnicity", "school_id",
    )  # fmt: skip


def test_zip_codes_are_cut_to_three_digits_when_bands_are_not_enough() -> None:
    records = _frame(_students(3, zip="80203"), _students(2, zip="80210"))

    protected = _protect(records)

    assert protected.report.steps == (
        AppliedStep(Step.AGE_BAND, k_after=2, records_affected=5),
        AppliedStep(Step.GRADE_BAND, k_after=2, records_affected=5),
        AppliedStep(Step.ZIP3, k_after=5, records_affected=5),
    )
    assert protected.release["zip3"].to_list() == ["802"] * 5


def test_schools_become_levels_and_a_step_that_changes_nothing_is_reported() -> None:
    records = _frame(
        _students(3, school_id="E1", age=9, grade="04"),
        _students(3, school_id="E2", age=9, grade="04"),
    )

    protected = _protect(records)

    assert protected.report.steps == (
        AppliedStep(Step.AGE_BAND, k_after=3, records_affected=6),
        AppliedStep(Step.GRADE_BAND, k_after=3, records_affected=6),
        AppliedStep(Step.ZIP3, k_after=3, records_affected=6),
        AppliedStep(Step.RARE_RACE_ETHNICITY, k_after=3, records_affected=0),
        AppliedStep(Step.SCHOOL_LEVEL, k_after=6, records_affected=6),
    )
    assert protected.release["school_level"].to_list() == ["elementary"] * 6
    assert protected.report.quasi_identifiers == GENERALISED


def test_age_band_boundaries() -> None:
    # Two ages per band, so that banding alone brings every group to k = 2.
    ages = [3, 4, 5, 10, 11, 13, 14, 15, 16, 17, 18, 40]
    records = _frame(*(_students(1, age=age) for age in ages))

    protected = _protect(records, k_minimum=2)

    assert [applied.step for applied in protected.report.steps] == [Step.AGE_BAND]
    assert protected.release["age_band"].to_list() == [
        "0-4", "0-4", "5-10", "5-10", "11-13", "11-13",
        "14-15", "14-15", "16-17", "16-17", "18+", "18+",
    ]  # fmt: skip


def test_grade_band_boundaries_and_an_unknown_grade_kept_apart() -> None:
    grades = ["PK", "KG", "01", "05", "06", "08", "09", "12", None, None]
    records = _frame(*(_students(1, grade=grade) for grade in grades))

    protected = _protect(records, k_minimum=2)

    assert [applied.step for applied in protected.report.steps] == [
        Step.AGE_BAND,
        Step.GRADE_BAND,
    ]
    assert protected.release["grade_band"].to_list() == [
        "elementary", "elementary", "elementary", "elementary",
        "middle", "middle", "high", "high", None, None,
    ]  # fmt: skip


def test_records_whose_grade_is_missing_form_their_own_group() -> None:
    frame = _frame(_students(5), _students(2, grade=None))

    assert measure_k(frame, RAW) == 2
    assert measure_k(frame.head(0), RAW) == 0


def test_other_columns_pass_through_untouched() -> None:
    records = _frame(_students(20), _students(4, race_ethnicity="asian"))

    protected = _protect(records)

    kept = records.filter(pl.col("race_ethnicity") == "white")
    assert protected.release["pseudonym"].equals(kept["pseudonym"])
    assert protected.release["days_absent"].equals(kept["days_absent"])


def test_protection_is_deterministic_whatever_the_order_of_records() -> None:
    records = _frame(
        _students(20),
        _students(3, race_ethnicity="asian"),
        _students(4, zip="80301", school_id="HS2"),
    )
    shuffled = records.sample(fraction=1.0, shuffle=True, seed=7)

    first, again, reordered = (
        _protect(frame) for frame in (records, records, shuffled)
    )

    assert first.report == again.report == reordered.report
    assert first.release.equals(again.release)
    assert first.release.sort("pseudonym").equals(reordered.release.sort("pseudonym"))


def test_the_report_survives_json() -> None:
    protected = _protect(_frame(_students(20), _students(4, race_ethnicity="asian")))

    text = json.dumps(protected.report.to_dict())

    assert DisclosureReport.from_dict(json.loads(text)) == protected.report


def test_a_malformed_report_is_refused() -> None:
    raw = _protect(_frame(_students(5))).report.to_dict()
    raw["k_achieved"] = "5"

    with pytest.raises(Refused) as refused:
        DisclosureReport.from_dict(raw)

    assert refused.value.code == "disclosure:report"


def test_a_protected_release_passes_the_check() -> None:
    protected = _protect(_frame(_students(20), _students(4, race_ethnicity="asian")))

    check_release(protected.release, protected.report, k_minimum=5)


def test_a_group_under_k_is_refused_without_naming_its_values() -> None:
    protected = _protect(_frame(_students(5)))
    tampered = pl.concat([protected.release, _frame(_students(1, zip="80999"))])
    claimed = DisclosureReport.from_dict(
        {**protected.report.to_dict(), "records_in": 6}
    )

    with pytest.raises(Refused) as refused:
        check_release(tampered, claimed, k_minimum=5)

    assert refused.value.code == "disclosure:k"
    assert str(refused.value) == (
        "the release does not meet k = 5: 1 group(s) of records sharing their"
        " quasi-identifiers hold fewer than 5 records (the smallest holds 1)"
    )
    assert "80999" not in str(refused.value)


def test_a_release_without_a_report_is_refused() -> None:
    protected = _protect(_frame(_students(5)))

    with pytest.raises(Refused) as refused:
        check_release(protected.release, None, k_minimum=5)

    assert refused.value.code == "disclosure:k"


def test_a_release_protected_to_a_lower_minimum_is_refused() -> None:
    protected = _protect(_frame(_students(3)), k_minimum=3)

    with pytest.raises(Refused) as refused:
        check_release(protected.release, protected.report, k_minimum=5)

    assert [problem.message for problem in refused.value.problems] == [
        "it was protected to k = 3, below the agreement's 5",
        "its report shows k = 3",
        "1 group(s) of records sharing their quasi-identifiers hold fewer than 5"
        " records (the smallest holds 3)",
    ]


def test_a_release_still_carrying_a_raw_quasi_identifier_is_refused() -> None:
    records = _frame(_students(3, zip="80203"), _students(2, zip="80210"))
    protected = _protect(records)
    leaky = protected.release.with_columns(records["zip"])

    with pytest.raises(Refused) as refused:
        check_release(leaky, protected.report, k_minimum=5)

    # The raw zip splits the group of 5 again into its 3 and its 2.
    assert [problem.message for problem in refused.value.problems] == [
        "it holds the quasi-identifiers `age_band`, `grade_band`, `race_ethnicity`,"
        " `school_id`, `sex`, `zip`, `zip3` where its report names `age_band`,"
        " `grade_band`, `race_ethnicity`, `school_id`, `sex`, `zip3`",
        "2 group(s) of records sharing their quasi-identifiers hold fewer than 5"
        " records (the smallest holds 2)",
    ]


def test_a_release_with_every_record_suppressed_is_refused() -> None:
    protected = _protect(_frame(_students(4)))

    assert protected.report.records_suppressed == 4
    assert protected.report.k_achieved == 0
    with pytest.raises(Refused) as refused:
        check_release(protected.release, protected.report, k_minimum=5)

    assert [problem.message for problem in refused.value.problems] == [
        "its report shows k = 0",
        "it holds no records",
    ]


def test_records_the_ladder_cannot_work_on_are_refused_up_front() -> None:
    records = _frame(_students(5, school_id="X9", race_ethnicity="martian"))

    with pytest.raises(YouthbridgeError) as error:
        _protect(records.drop("sex"))
    assert str(error.value) == "the records cannot be protected: missing columns `sex`"

    with pytest.raises(YouthbridgeError) as error:
        _protect(records)
    assert error.value.code == "disclosure:input"
    assert str(error.value) == (
        "the records cannot be protected: `race_ethnicity` codes not in the"
        " vocabulary `martian`; schools without a level `X9`"
    )


def _pick(seed: int, choices: list[str]) -> pl.Expr:
    """A repeatable pseudo-random choice per row."""
    index = pl.int_range(pl.len()).hash(seed) % len(choices)
    return pl.lit(pl.Series(choices)).gather(index)


def test_one_hundred_thousand_records_are_handled_whole() -> None:
    races = ["white", "hispanic-latino", "black-african-american", "asian"]
    grades = [f"{grade:02d}" for grade in range(1, 13)]
    # One zip code per three-digit prefix, so that the whole ladder is walked.
    zips = [f"{prefix}01" for prefix in range(800, 900)]
    one = _frame(_students(1))
    records = one.sample(100_000, with_replacement=True, seed=1).with_columns(
        pl.format("P-{}", pl.int_range(pl.len())).alias("pseudonym"),
        (5 + pl.int_range(pl.len()).hash(1) % 14).cast(pl.Int64).alias("age"),
        _pick(2, grades).alias("grade"),
        _pick(3, zips).alias("zip"),
        _pick(4, ["female", "male"]).alias("sex"),
        _pick(5, [*races, "two-or-more"]).alias("race_ethnicity"),
        _pick(6, list(SCHOOL_LEVELS)).alias("school_id"),
    )

    protected = _protect(records)
    check_release(protected.release, protected.report, k_minimum=5)

    assert [applied.step for applied in protected.report.steps] == list(Step)
    assert protected.report.k_achieved >= 5
