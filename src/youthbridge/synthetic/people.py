"""Students as people: sex, race/ethnicity, names, birth dates, home language.

Every attribute is drawn from the person's key, so that a student who moves to the
other district can be copied there with the same name and birth date.
"""

from __future__ import annotations

import polars as pl

from youthbridge.domain.codes import GRADES, Sex
from youthbridge.synthetic.draws import below, by_value, choose, uniform
from youthbridge.synthetic.facts import SCHOOL_YEAR, DistrictProfile
from youthbridge.synthetic.names import ORIGIN_MIX, ORIGINS

SCHOOL_GRADES: tuple[str, ...] = GRADES[1:]  # KG to 12; no preschool here

# Enrolment thins a little in the last years of high school.
GRADE_WEIGHTS: tuple[float, ...] = (1.0,) * 10 + (0.97, 0.94, 0.9)

SEX_WEIGHTS: dict[Sex, float] = {
    Sex.FEMALE: 0.487,
    Sex.MALE: 0.503,
    Sex.NONBINARY: 0.005,
    Sex.NOT_SELECTED: 0.005,
}


def draw_people(
    keys: pl.Series, profile: DistrictProfile, seed: int, stream: str
) -> pl.DataFrame:
    """One row per key: the person-level attributes of a student."""
    frame = pl.DataFrame({"key": keys})
    frame = _with_demographics(frame, profile, seed, stream)
    frame = with_given_name(frame, "first_name", "name_kind", seed, f"{stream}/first")
    frame = _with_middle_name(frame, seed, stream)
    frame = _with_surnames(frame, seed, stream)
    frame = _with_birth_date(frame, seed, stream)
    return _with_language(frame, seed, stream)


def _draw(seed: int, stream: str, name: str) -> pl.Expr:
    return uniform(pl.col("key"), seed, f"{stream}/{name}")


def _with_demographics(
    frame: pl.DataFrame, profile: DistrictProfile, seed: int, stream: str
) -> pl.DataFrame:
    races = list(profile.race_mix)
    frame = frame.with_columns(
        sex=choose(
            _draw(seed, stream, "sex"), list(SEX_WEIGHTS), list(SEX_WEIGHTS.values())
        ),
        race_ethnicity=choose(
            _draw(seed, stream, "race"), races, list(profile.race_mix.values())
        ),
        grade=choose(_draw(seed, stream, "grade"), SCHOOL_GRADES, GRADE_WEIGHTS),
    )

    # Names follow the sex a family chose; with none chosen, either list.
    coin = _draw(seed, stream, "name-kind") < 0.5
    return frame.with_columns(
        name_kind=pl.when(pl.col("sex") == Sex.FEMALE.value)
        .then(pl.lit("female"))
        .when(pl.col("sex") == Sex.MALE.value)
        .then(pl.lit("male"))
        .otherwise(pl.when(coin).then(pl.lit("female")).otherwise(pl.lit("male"))),
        origin=_origin_of(pl.col("race_ethnicity"), _draw(seed, stream, "origin")),
    )


def _origin_of(race: pl.Expr, u: pl.Expr) -> pl.Expr:
    cases = {
        code.value: choose(u, list(mix), list(mix.values()))
        for code, mix in ORIGIN_MIX.items()
    }
    return by_value(race, cases, pl.lit("anglo"))


def _pool() -> pl.DataFrame:
    rows: list[tuple[str, str, int, str]] = []
    for origin, spec in ORIGINS.items():
        for kind, names in (
            ("female", spec.female),
            ("male", spec.male),
            ("surname", spec.surnames),
        ):
            rows.extend((origin, kind, index, name) for index, name in enumerate(names))
    return pl.DataFrame(
        rows, schema=["origin", "kind", "index", "name"], orient="row"
    ).with_columns(size=pl.len().over("origin", "kind"))


POOL = _pool()


def pick_name(frame: pl.DataFrame, out: str, kind: pl.Expr, u: pl.Expr) -> pl.DataFrame:
    """Add column `out`: a name of `kind` from each row's `origin` list."""
    sizes = POOL.select("origin", "kind", "size").unique()
    picked = (
        frame.with_columns(_kind=kind, _u=u)
        .join(
            sizes,
            left_on=["origin", "_kind"],
            right_on=["origin", "kind"],
            how="left",
            maintain_order="left",
        )
        .with_columns(_index=below(pl.col("_u"), pl.col("size")))
        .join(
            POOL.select("origin", "kind", "index", pl.col("name").alias(out)),
            left_on=["origin", "_kind", "_index"],
            right_on=["origin", "kind", "index"],
            how="left",
            maintain_order="left",
        )
    )
    return picked.drop("_kind", "_u", "_index", "size")


def with_given_name(
    frame: pl.DataFrame, out: str, kind_column: str, seed: int, stream: str
) -> pl.DataFrame:
    """Add a given name of each row's origin and name kind."""
    u = uniform(pl.col("key"), seed, stream)
    return pick_name(frame, out, pl.col(kind_column), u)


def _with_middle_name(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    frame = with_given_name(frame, "middle_name", "name_kind", seed, f"{stream}/mid")
    has_middle = _draw(seed, stream, "has-middle") < 0.35
    differs = pl.col("middle_name") != pl.col("first_name")
    return frame.with_columns(
        middle_name=pl.when(has_middle & differs).then(pl.col("middle_name"))
    )


def _with_surnames(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    surname = pl.lit("surname")
    frame = pick_name(frame, "paternal", surname, _draw(seed, stream, "paternal"))
    frame = pick_name(frame, "maternal", surname, _draw(seed, stream, "maternal"))

    # Many Hispanic families give both surnames, with a space or a hyphen.
    u = _draw(seed, stream, "two-part")
    two_part = (pl.col("origin") == "hispanic") & (
        pl.col("paternal") != pl.col("maternal")
    )
    return frame.with_columns(
        last_name=pl.when(two_part & (u < 0.15))
        .then(pl.format("{} {}", "paternal", "maternal"))
        .when(two_part & (u < 0.3))
        .then(pl.format("{}-{}", "paternal", "maternal"))
        .otherwise(pl.col("paternal"))
    )


def _with_birth_date(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    # Colorado's kindergarten cutoff: five years old by October 1 of the year.
    grade_number = pl.col("grade").replace_strict(
        {grade: number for number, grade in enumerate(SCHOOL_GRADES)},
        return_dtype=pl.Int32,
    )
    cohort_start = pl.date(SCHOOL_YEAR.start_year - 6, 10, 2)
    years_back = grade_number * 365 + grade_number // 4
    held_back = pl.when(_draw(seed, stream, "held-back") < 0.04).then(365).otherwise(0)
    offset = below(_draw(seed, stream, "birthday"), 365) - years_back - held_back
    return frame.with_columns(
        birth_date=cohort_start + pl.duration(days=offset),
    )


def _with_language(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    u = _draw(seed, stream, "language")
    cases = {
        origin: choose(u, list(spec.languages), list(spec.languages.values()))
        for origin, spec in ORIGINS.items()
    }
    return frame.with_columns(
        language=by_value(pl.col("origin"), cases, pl.lit("English"))
    )
