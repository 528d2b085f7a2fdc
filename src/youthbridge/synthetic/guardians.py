"""Parents and guardians: one or two per student, with their relation.

A guardian usually shares the student's surname and address; in families that
give two surnames the parents each carry their own, and some parents live apart.
"""

from __future__ import annotations

import polars as pl

from youthbridge.domain.codes import GuardianRelation as G
from youthbridge.synthetic.addresses import with_address
from youthbridge.synthetic.draws import choose, uniform
from youthbridge.synthetic.facts import DistrictProfile
from youthbridge.synthetic.people import pick_name, with_given_name
from youthbridge.synthetic.spelling import email_handle, respell

# The households students live in, by relation of each guardian, with weights.
HOUSEHOLDS: dict[tuple[G, ...], float] = {
    (G.MOTHER, G.FATHER): 0.50,
    (G.MOTHER,): 0.20,
    (G.FATHER, G.MOTHER): 0.08,
    (G.FATHER,): 0.04,
    (G.MOTHER, G.STEPPARENT): 0.05,
    (G.GRANDPARENT,): 0.04,
    (G.GRANDPARENT, G.GRANDPARENT): 0.02,
    (G.GUARDIAN,): 0.02,
    (G.FOSTER_PARENT,): 0.02,
    (G.RELATIVE,): 0.01,
    (G.PARENT, G.PARENT): 0.02,
}

# Chance that a guardian of this relation holds legal custody.
LEGAL_CUSTODY: dict[G, float] = {
    G.MOTHER: 0.98, G.FATHER: 0.95, G.PARENT: 0.98, G.STEPPARENT: 0.25,
    G.GRANDPARENT: 0.5, G.GUARDIAN: 1.0, G.FOSTER_PARENT: 0.0, G.RELATIVE: 0.3,
}  # fmt: skip

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


def build_guardians(
    students: pl.DataFrame, profile: DistrictProfile, seed: int
) -> pl.DataFrame:
    """Guardian rows keyed by `student_index`, canonical columns but dates."""
    stream = f"{profile.facts.code}/guardians"
    frame = _households(students, seed, stream)
    frame = _with_names(frame, seed, stream)
    frame = _with_flags(frame, seed, stream)
    frame = _with_contact(frame, profile, seed, stream)
    return frame.sort("student_index", "ordinal").with_columns(
        guardian_id=(pl.int_range(pl.len()) * 3 + profile.guardian_id_floor).cast(
            pl.String
        )
    )


def _households(students: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    labels = ["|".join(relation.value for relation in h) for h in HOUSEHOLDS]
    u = uniform(pl.col("key"), seed, f"{stream}/household")
    frame = students.select(
        "student_index",
        pl.col("key").alias("student_key"),
        "origin",
        "paternal",
        "maternal",
        pl.col("last_name").alias("student_last_name"),
        pl.col("street").alias("home_street"),
        pl.col("city").alias("home_city"),
        pl.col("zip").alias("home_zip"),
        "language",
        relation=choose(u, labels, list(HOUSEHOLDS.values())).str.split("|"),
    ).explode("relation")
    ordinal = pl.int_range(pl.len()).over("student_index")
    return frame.with_columns(ordinal=ordinal).with_columns(
        key=pl.col("student_key") * 4 + pl.col("ordinal")
    )


def _with_names(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    relation = pl.col("relation")
    coin = uniform(pl.col("key"), seed, f"{stream}/kind") < 0.6
    frame = frame.with_columns(
        name_kind=pl.when(relation == G.MOTHER.value).then(pl.lit("female"))
        .when(relation == G.FATHER.value).then(pl.lit("male"))
        .when(coin).then(pl.lit("female"))
        .otherwise(pl.lit("male"))
    )  # fmt: skip
    frame = with_given_name(frame, "first_name", "name_kind", seed, f"{stream}/first")
    frame = pick_name(
        frame, "other_surname", pl.lit("surname"), uniform(pl.col("key"), seed, stream)
    )

    # Mothers in two-surname families often keep their own; some guardians of
    # any family carry a surname the student does not.
    u = uniform(pl.col("key"), seed, f"{stream}/surname")
    keeps_own = (pl.col("origin") == "hispanic") & (u < 0.6)
    return frame.with_columns(
        last_name=pl.when(relation == G.FATHER.value).then(pl.col("paternal"))
        .when((relation == G.MOTHER.value) & keeps_own).then(pl.col("maternal"))
        .when(u < 0.85).then(pl.col("student_last_name"))
        .otherwise(pl.col("other_surname"))
    )  # fmt: skip


def _with_flags(frame: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    custody = pl.col("relation").replace_strict(
        {relation.value: share for relation, share in LEGAL_CUSTODY.items()},
        return_dtype=pl.Float64,
    )
    home = pl.when(pl.col("ordinal") == 0).then(0.95).otherwise(0.8)
    draw = uniform(pl.col("key"), seed, f"{stream}/custody")
    return frame.with_columns(
        legal_guardian=_flag(draw < custody),
        lives_with=_flag(uniform(pl.col("key"), seed, f"{stream}/home") < home),
    )


def _flag(condition: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(pl.lit("true")).otherwise(pl.lit("false"))


def _with_contact(
    frame: pl.DataFrame, profile: DistrictProfile, seed: int, stream: str
) -> pl.DataFrame:
    frame = with_address(frame, "key", profile, seed, f"{stream}/address")
    at_home = pl.col("lives_with") == "true"
    frame = frame.with_columns(
        street=pl.when(at_home).then(pl.col("home_street")).otherwise("street"),
        city=pl.when(at_home).then(pl.col("home_city")).otherwise("city"),
        zip=pl.when(at_home).then(pl.col("home_zip")).otherwise("zip"),
        first_handle=pl.col("first_name"),
        last_handle=pl.col("last_name"),
    )
    frame = respell(frame, ["first_handle", "last_handle"], email_handle)
    number = (uniform(pl.col("key"), seed, f"{stream}/email-n") * 90 + 10).floor()
    domain = choose(uniform(pl.col("key"), seed, f"{stream}/domain"), EMAIL_DOMAINS)
    has_email = uniform(pl.col("key"), seed, f"{stream}/has-email") < 0.7
    email = pl.format(
        "{}.{}{}@{}", "first_handle", "last_handle", number.cast(pl.Int64), domain
    )
    return frame.with_columns(email=pl.when(has_email).then(email))
