"""k-anonymity of a de-identified release, before it leaves a district.

Six columns of a per-student-year record can single a student out when they are
combined, even under a pseudonym: `age`, `grade`, `zip`, `sex`, `race_ethnicity`
and `school_id`. A release is k-anonymous when every combination of their values
that occurs in it is shared by at least k records; `k` of a frame is the size of
its smallest such group.

`protect` measures k and, while it is below the agreement's minimum, walks down a
fixed ladder, measuring again after every rung and stopping at the first that is
enough:

1. `age:band`: age becomes `age_band` (0-4, 5-10, 11-13, 14-15, 16-17, 18+);
2. `grade:band`: grade becomes `grade_band` (elementary, middle, high, other);
3. `zip:first-three`: zip becomes `zip3`, its first three digits;
4. `race-ethnicity:merge-rare`: a category held by fewer than k records in the
   whole release becomes `other-or-multiple`. Merging only the rare categories
   can leave the merged group itself under k, so the ladder goes on;
5. `school:level`: school becomes `school_level` (elementary, middle, high);
6. `records:suppress`: records still in a group under k are left out.

Every other column passes through untouched. The `DisclosureReport` says which
rungs were taken, the k after each and how many records each changed; it travels
with the release, and `check_release` checks both again, at the sender before
sending and at the hub on receipt.

An empty frame has no group at all; its k is 0, so a release with no records never
passes the check: there is nothing to send, and an empty release cannot be told
apart from one whose records were lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

from youthbridge.domain import codes
from youthbridge.domain.errors import Problem, Refused, YouthbridgeError

QUASI_IDENTIFIERS: tuple[str, ...] = (
    "age",
    "grade",
    "zip",
    "sex",
    "race_ethnicity",
    "school_id",
)

# What a quasi-identifier is called once it has been generalised.
GENERALISED_NAMES: Mapping[str, str] = {
    "age": "age_band",
    "grade": "grade_band",
    "zip": "zip3",
    "school_id": "school_level",
}

# Every name under which a quasi-identifier can appear in a release.
RELEASE_QUASI_IDENTIFIERS: frozenset[str] = frozenset(QUASI_IDENTIFIERS) | frozenset(
    GENERALISED_NAMES.values()
)

OTHER_OR_MULTIPLE = "other-or-multiple"

# The last age of each band, and its label; older than all of them is an adult.
_AGE_BANDS: tuple[tuple[int, str], ...] = (
    (4, "0-4"),
    (10, "5-10"),
    (13, "11-13"),
    (15, "14-15"),
    (17, "16-17"),
)
_ADULT_BAND = "18+"

# Every band label, youngest first, for ordering tables and charts.
AGE_BANDS: tuple[str, ...] = (*(label for _, label in _AGE_BANDS), _ADULT_BAND)

_GRADE_BANDS: Mapping[str, str] = {
    **dict.fromkeys(codes.GRADES[:7], codes.SchoolLevel.ELEMENTARY.value),
    **dict.fromkeys(codes.GRADES[7:10], codes.SchoolLevel.MIDDLE.value),
    **dict.fromkeys(codes.GRADES[10:], codes.SchoolLevel.HIGH.value),
}

_RACE_ETHNICITY = codes.values(codes.RaceEthnicity) | {OTHER_OR_MULTIPLE}


class Step(StrEnum):
    """One rung of the ladder, in the order the rungs are taken."""

    AGE_BAND = "age:band"
    GRADE_BAND = "grade:band"
    ZIP3 = "zip:first-three"
    RARE_RACE_ETHNICITY = "race-ethnicity:merge-rare"
    SCHOOL_LEVEL = "school:level"
    SUPPRESS = "records:suppress"


@dataclass(frozen=True)
class AppliedStep:
    """A rung that was taken: the k measured after it, the records it changed."""

    step: Step
    k_after: int
    records_affected: int


@dataclass(frozen=True)
class DisclosureReport:
    """What was done to a release to make it k-anonymous, and what it achieved."""

    k_minimum: int
    k_initial: int
    k_achieved: int
    steps: tuple[AppliedStep, ...]
    records_in: int
    records_suppressed: int
    quasi_identifiers: tuple[str, ...]

    @property
    def records_released(self) -> int:
        return self.records_in - self.records_suppressed

    def to_dict(self) -> dict[str, Any]:
        """Plain values only, ready for JSON."""
        return {
            "k_minimum": self.k_minimum,
            "k_initial": self.k_initial,
            "k_achieved": self.k_achieved,
            "steps": [
                {
                    "step": applied.step.value,
                    "k_after": applied.k_after,
                    "records_affected": applied.records_affected,
                }
                for applied in self.steps
            ],
            "records_in": self.records_in,
            "records_suppressed": self.records_suppressed,
            "quasi_identifiers": list(self.quasi_identifiers),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DisclosureReport:
        """Read a report back; a malformed one is refused, never half-read."""
        try:
            return cls(
                k_minimum=_whole(raw["k_minimum"]),
                k_initial=_whole(raw["k_initial"]),
                k_achieved=_whole(raw["k_achieved"]),
                steps=tuple(_applied_step(item) for item in raw["steps"]),
                records_in=_whole(raw["records_in"]),
                records_suppressed=_whole(raw["records_suppressed"]),
                quasi_identifiers=tuple(
                    _text(item) for item in raw["quasi_identifiers"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise Refused(
                f"the disclosure report is malformed ({error!r}); the release"
                " cannot be checked and is refused",
                code="disclosure:report",
            ) from error


@dataclass(frozen=True, eq=False)
class Protected:
    """A release that is k-anonymous, and the report that says how."""

    release: pl.DataFrame
    report: DisclosureReport


def measure_k(frame: pl.DataFrame, columns: Sequence[str]) -> int:
    """The size of the smallest group of records sharing `columns`; 0 if empty.

    A missing value is a value like any other here: the records whose grade is
    unknown form a group of their own.
    """
    if frame.height == 0:
        return 0
    if not columns:
        return frame.height
    return int(frame.select(pl.len().over(list(columns)).min()).item())


def protect(
    records: pl.DataFrame, *, k_minimum: int, school_levels: Mapping[str, str]
) -> Protected:
    """Generalise `records` down the ladder until k reaches `k_minimum`."""
    _check_records(records, k_minimum, school_levels)

    terms = _Terms(k_minimum, school_levels)
    frame = records
    columns = list(QUASI_IDENTIFIERS)
    k_initial = measure_k(frame, columns)
    k = k_initial
    applied: list[AppliedStep] = []

    for rung in _LADDER:
        if k >= k_minimum or frame.height == 0:
            break
        frame, affected = _take(rung, frame, terms)
        columns = [_released_name(name, rung) for name in columns]
        k = measure_k(frame, columns)
        applied.append(AppliedStep(rung.step, k, affected))

    suppressed = 0
    if k < k_minimum and frame.height > 0:
        frame, suppressed = _suppress_small_groups(frame, columns, k_minimum)
        k = measure_k(frame, columns)
        applied.append(AppliedStep(Step.SUPPRESS, k, suppressed))

    report = DisclosureReport(
        k_minimum=k_minimum,
        k_initial=k_initial,
        k_achieved=k,
        steps=tuple(applied),
        records_in=records.height,
        records_suppressed=suppressed,
        quasi_identifiers=tuple(columns),
    )
    return Protected(release=frame, report=report)


def check_release(
    frame: pl.DataFrame, report: DisclosureReport | None, k_minimum: int
) -> None:
    """Refuse a release that is not k-anonymous or whose report does not fit it.

    k is measured again on the frame itself, over every quasi-identifier column
    it holds, whatever the report claims. The refusal says how many groups are
    too small, never which values they hold.
    """
    if report is None:
        raise Refused(
            "the release has no disclosure report; protect it before sending",
            code="disclosure:k",
        )

    problems = _report_problems(frame, report, k_minimum)
    present = [name for name in frame.columns if name in RELEASE_QUASI_IDENTIFIERS]
    problems += _group_problems(frame, present, k_minimum)

    if problems:
        raise Refused(
            f"the release does not meet k = {k_minimum}: "
            + "; ".join(problem.message for problem in problems),
            code="disclosure:k",
            problems=problems,
        )


@dataclass(frozen=True)
class _Rung:
    """How one rung changes one quasi-identifier column."""

    step: Step
    column: str
    coarsen: Callable[[_Terms], pl.Expr]
    changes: Callable[[_Terms], pl.Expr]


@dataclass(frozen=True)
class _Terms:
    """What a rung may need to know besides the records."""

    k_minimum: int
    school_levels: Mapping[str, str]


def age_band(age: pl.Expr) -> pl.Expr:
    """The band of an age, by the one definition releases and trends share."""
    # Built from the oldest band down, so that the youngest band's test is the
    # outermost and each age lands in the first band whose last age it reaches.
    banded: pl.Expr = pl.lit(_ADULT_BAND)
    for last_age, label in reversed(_AGE_BANDS):
        banded = pl.when(age <= last_age).then(pl.lit(label)).otherwise(banded)
    return pl.when(age.is_null()).then(pl.lit(None, dtype=pl.String)).otherwise(banded)


def _age_band(terms: _Terms) -> pl.Expr:
    return age_band(pl.col("age"))


def _grade_band(terms: _Terms) -> pl.Expr:
    grade = pl.col("grade")
    # NOTE: a grade outside the canonical list becomes "other" rather than
    # passing through, since an unusual value is the most identifying of all.
    banded = grade.replace_strict(
        _GRADE_BANDS, default=codes.SchoolLevel.OTHER.value, return_dtype=pl.String
    )
    return pl.when(grade.is_null()).then(None).otherwise(banded)


def _zip3(terms: _Terms) -> pl.Expr:
    return pl.col("zip").str.slice(0, 3)


def _rare_race_ethnicity(terms: _Terms) -> pl.Expr:
    race = pl.col("race_ethnicity")
    rare = pl.len().over("race_ethnicity") < terms.k_minimum
    return race.is_not_null() & rare & (race != OTHER_OR_MULTIPLE)


def _merge_rare(terms: _Terms) -> pl.Expr:
    merged = pl.lit(OTHER_OR_MULTIPLE)
    race = pl.col("race_ethnicity")
    return pl.when(_rare_race_ethnicity(terms)).then(merged).otherwise(race)


def _school_level(terms: _Terms) -> pl.Expr:
    return pl.col("school_id").replace_strict(
        dict(terms.school_levels), return_dtype=pl.String
    )


def _not_null(column: str) -> Callable[[_Terms], pl.Expr]:
    return lambda terms: pl.col(column).is_not_null()


_LADDER: tuple[_Rung, ...] = (
    _Rung(Step.AGE_BAND, "age", _age_band, _not_null("age")),
    _Rung(Step.GRADE_BAND, "grade", _grade_band, _not_null("grade")),
    _Rung(Step.ZIP3, "zip", _zip3, _not_null("zip")),
    _Rung(
        Step.RARE_RACE_ETHNICITY,
        "race_ethnicity",
        _merge_rare,
        _rare_race_ethnicity,
    ),
    _Rung(Step.SCHOOL_LEVEL, "school_id", _school_level, _not_null("school_id")),
)


def _take(rung: _Rung, frame: pl.DataFrame, terms: _Terms) -> tuple[pl.DataFrame, int]:
    affected = int(frame.select(rung.changes(terms).sum()).item())

    coarse = rung.coarsen(terms).alias(rung.column)
    frame = frame.with_columns(coarse)

    # Renaming in place keeps the column where it was in the record.
    renamed = GENERALISED_NAMES.get(rung.column, rung.column)
    if renamed != rung.column:
        frame = frame.rename({rung.column: renamed})
    return frame, affected


def _released_name(name: str, rung: _Rung) -> str:
    return GENERALISED_NAMES.get(name, name) if name == rung.column else name


def _suppress_small_groups(
    frame: pl.DataFrame, columns: Sequence[str], k_minimum: int
) -> tuple[pl.DataFrame, int]:
    kept = frame.filter(pl.len().over(list(columns)) >= k_minimum)
    return kept, frame.height - kept.height


def _check_records(
    records: pl.DataFrame, k_minimum: int, school_levels: Mapping[str, str]
) -> None:
    """Refuse input the ladder cannot work on, before any rung is taken.

    Every school must have a level now, not only when the school rung is
    reached, so that the same records fail the same way whatever their k.
    """
    problems: list[str] = []
    if k_minimum < 1:
        problems.append(f"k_minimum must be at least 1, not {k_minimum}")
    missing = [name for name in QUASI_IDENTIFIERS if name not in records.columns]
    if missing:
        problems.append("missing columns " + _listed(missing))
    taken = [name for name in GENERALISED_NAMES.values() if name in records.columns]
    if taken:
        problems.append("columns already named as generalised ones " + _listed(taken))
    if not missing:
        problems += _value_problems(records, school_levels)

    if problems:
        raise YouthbridgeError(
            "the records cannot be protected: " + "; ".join(problems),
            code="disclosure:input",
        )


def _value_problems(
    records: pl.DataFrame, school_levels: Mapping[str, str]
) -> list[str]:
    problems: list[str] = []
    if not records.schema["age"].is_integer():
        problems.append(f"`age` holds {records.schema['age']}, not whole years")
    for name in ("grade", "zip", "sex", "race_ethnicity", "school_id"):
        if records.schema[name] != pl.String:
            problems.append(f"`{name}` holds {records.schema[name]}, not text")
    if problems:
        return problems

    races = set(records.get_column("race_ethnicity").drop_nulls().unique())
    unknown_races = sorted(races - _RACE_ETHNICITY)
    if unknown_races:
        problems.append(
            "`race_ethnicity` codes not in the vocabulary " + _listed(unknown_races)
        )
    schools = set(records.get_column("school_id").unique())
    unmapped = sorted(str(school) for school in schools - set(school_levels))
    if unmapped:
        problems.append("schools without a level " + _listed(unmapped))
    return problems


def _report_problems(
    frame: pl.DataFrame, report: DisclosureReport, k_minimum: int
) -> list[Problem]:
    problems: list[str] = []
    if report.k_minimum < k_minimum:
        problems.append(
            f"it was protected to k = {report.k_minimum}, below the agreement's"
            f" {k_minimum}"
        )
    if report.k_achieved < k_minimum:
        problems.append(f"its report shows k = {report.k_achieved}")
    if frame.height != report.records_released:
        problems.append(
            f"it holds {frame.height} records where its report says"
            f" {report.records_released}"
        )
    present = sorted(
        name for name in frame.columns if name in RELEASE_QUASI_IDENTIFIERS
    )
    if present != sorted(report.quasi_identifiers):
        problems.append(
            f"it holds the quasi-identifiers {_listed(present)} where its report"
            f" names {_listed(sorted(report.quasi_identifiers))}"
        )
    return [_problem(message) for message in problems]


def _group_problems(
    frame: pl.DataFrame, columns: Sequence[str], k_minimum: int
) -> list[Problem]:
    if frame.height == 0:
        return [_problem("it holds no records")]
    if not columns:
        return [] if frame.height >= k_minimum else [_problem("it is too small")]

    sizes = frame.group_by(list(columns)).len()
    small = sizes.filter(pl.col("len") < k_minimum)
    if small.height == 0:
        return []
    k = int(sizes.get_column("len").min())  # type: ignore[arg-type]
    return [
        _problem(
            f"{small.height} group(s) of records sharing their quasi-identifiers"
            f" hold fewer than {k_minimum} records (the smallest holds {k})"
        )
    ]


def _problem(message: str) -> Problem:
    return Problem(
        file="release",
        line=None,
        column=None,
        value=None,
        rule="disclosure:k",
        message=message,
    )


def _listed(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "none"


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _applied_step(raw: Mapping[str, Any]) -> AppliedStep:
    return AppliedStep(
        step=Step(raw["step"]),
        k_after=_whole(raw["k_after"]),
        records_affected=_whole(raw["records_affected"]),
    )
