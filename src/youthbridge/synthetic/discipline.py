"""Discipline: incidents, the students involved and what the school did.

A few percent of students are involved in an incident during the year, more in
middle and high school and more among students who miss much school. Some fights
involve two students; weapons and drugs are more often reported to police.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from youthbridge.domain.codes import AttendanceStatus
from youthbridge.domain.codes import BehaviorCategory as B
from youthbridge.domain.codes import DisciplineAction as A
from youthbridge.synthetic.draws import below, by_value, choose, uniform

BEHAVIORS_BY_LEVEL: dict[str, dict[B, float]] = {
    "elementary": {
        B.DEFIANCE: 0.35, B.FIGHTING: 0.25, B.SCHOOL_VIOLATION: 0.15,
        B.BULLYING: 0.1, B.CODE_OF_CONDUCT: 0.08, B.THEFT_VANDALISM: 0.04,
        B.OTHER: 0.03,
    },
    "middle": {
        B.DEFIANCE: 0.28, B.FIGHTING: 0.25, B.CODE_OF_CONDUCT: 0.12,
        B.BULLYING: 0.1, B.SCHOOL_VIOLATION: 0.08, B.DRUGS_ALCOHOL: 0.06,
        B.THEFT_VANDALISM: 0.05, B.WEAPON: 0.02, B.OTHER: 0.04,
    },
    "high": {
        B.DEFIANCE: 0.22, B.FIGHTING: 0.18, B.DRUGS_ALCOHOL: 0.17,
        B.CODE_OF_CONDUCT: 0.14, B.SCHOOL_VIOLATION: 0.08,
        B.THEFT_VANDALISM: 0.06, B.BULLYING: 0.05, B.WEAPON: 0.03,
        B.STATE_OFFENSE: 0.03, B.OTHER: 0.04,
    },
}  # fmt: skip

# What a school does about each behaviour: in-school or out-of-school
# suspension, expulsion, or something else (a conference, a detention).
_ACTIONS = (A.IN_SCHOOL_SUSPENSION, A.OUT_OF_SCHOOL_SUSPENSION, A.EXPULSION, A.OTHER)
ACTION_WEIGHTS: dict[B, tuple[float, float, float, float]] = {
    B.FIGHTING: (0.35, 0.55, 0.005, 0.095),
    B.WEAPON: (0.05, 0.6, 0.25, 0.1),
    B.DRUGS_ALCOHOL: (0.2, 0.6, 0.05, 0.15),
    B.BULLYING: (0.4, 0.35, 0.005, 0.245),
    B.DEFIANCE: (0.5, 0.2, 0.0, 0.3),
    B.THEFT_VANDALISM: (0.35, 0.4, 0.01, 0.24),
    B.STATE_OFFENSE: (0.1, 0.6, 0.15, 0.15),
    B.CODE_OF_CONDUCT: (0.45, 0.25, 0.0, 0.3),
    B.SCHOOL_VIOLATION: (0.5, 0.1, 0.0, 0.4),
    B.OTHER: (0.4, 0.2, 0.0, 0.4),
}

# Chance the school reports an incident of each behaviour to police.
REPORTED: dict[B, float] = {
    B.WEAPON: 0.6, B.DRUGS_ALCOHOL: 0.3, B.STATE_OFFENSE: 0.7, B.FIGHTING: 0.06,
    B.THEFT_VANDALISM: 0.1,
}  # fmt: skip
OTHER_REPORTED = 0.01

SUSPENSION_DAYS: dict[A, tuple[tuple[str, ...], tuple[float, ...]]] = {
    A.IN_SCHOOL_SUSPENSION: (("0.5", "1", "2", "3"), (0.15, 0.45, 0.25, 0.15)),
    A.OUT_OF_SCHOOL_SUSPENSION: (
        ("1", "2", "3", "5", "10"),
        (0.3, 0.3, 0.2, 0.15, 0.05),
    ),
}

SECOND_FIGHTER_SHARE = 0.4
INCIDENTS_PER_STUDENT = (0.7, 0.2, 0.1)  # one, two or three in the year

_ABSENT = (AttendanceStatus.EXCUSED_ABSENCE, AttendanceStatus.UNEXCUSED_ABSENCE)


@dataclass(frozen=True)
class Discipline:
    """The three discipline tables, keyed by student and school index."""

    incidents: pl.DataFrame
    behaviors: pl.DataFrame
    actions: pl.DataFrame


def build_discipline(
    plan: pl.DataFrame, marked: pl.DataFrame, share: float, seed: int, stream: str
) -> Discipline:
    """Incidents on days involved students were in school, and their outcomes."""
    involved = _involved(plan, share, seed, stream)
    firsts = _incident_days(involved, marked, seed, stream)
    behaviors = _with_second_fighters(firsts, marked, seed, stream)
    incidents = _incidents(behaviors, seed, stream)
    actions = _actions(behaviors, incidents, seed, stream)
    return Discipline(incidents, behaviors.drop("level"), actions)


def _involved(plan: pl.DataFrame, share: float, seed: int, stream: str) -> pl.DataFrame:
    level = pl.col("level")
    leaning = (
        pl.when(level == "middle").then(0.2)
        .when(level == "high").then(0.1)
        .when(level == "elementary").then(-0.25)
        .otherwise(0.0)
    )  # fmt: skip
    chronic = pl.when(pl.col("chronic")).then(0.25).otherwise(0.0)
    score = uniform(pl.col("key"), seed, f"{stream}/involved") + leaning + chronic
    chosen = plan.filter(
        score.rank("ordinal", descending=True) <= round(share * plan.height)
    )
    count = 1 + choose(
        uniform(pl.col("key"), seed, f"{stream}/count"),
        ("0", "1", "2"),
        INCIDENTS_PER_STUDENT,
    ).cast(pl.Int64)
    return chosen.select(
        "student_index", "key", "level", slot=pl.int_ranges(count)
    ).explode("slot")


def _incident_days(
    involved: pl.DataFrame, marked: pl.DataFrame, seed: int, stream: str
) -> pl.DataFrame:
    # An incident happens on a day the student came to school.
    attended = (
        marked.filter(~pl.col("status").is_in(_ABSENT))
        .join(involved.select("student_index").unique(), on="student_index")
        .sort("student_index", "date")
        .with_columns(day=pl.int_range(pl.len()).over("student_index"))
    )
    counts = attended.group_by("student_index").agg(attended=pl.len())
    slot_key = pl.col("key") * 8 + pl.col("slot")
    picked = involved.join(counts, on="student_index").with_columns(
        day=below(uniform(slot_key, seed, f"{stream}/day"), pl.col("attended"))
    )
    chosen = picked.join(
        attended.select("student_index", "school_index", "date", "day"),
        on=["student_index", "day"],
    )
    behavior = _behavior(uniform(slot_key, seed, f"{stream}/behavior"))
    return chosen.select(
        "student_index",
        "school_index",
        "date",
        "level",
        slot_key=slot_key,
        behavior=behavior,
    ).sort("date", "school_index", "student_index", "slot_key")


def _behavior(u: pl.Expr) -> pl.Expr:
    cases = {
        level: choose(u, list(weights), list(weights.values()))
        for level, weights in BEHAVIORS_BY_LEVEL.items()
    }
    return by_value(pl.col("level"), cases, pl.lit(B.OTHER.value))


def _with_second_fighters(
    firsts: pl.DataFrame, marked: pl.DataFrame, seed: int, stream: str
) -> pl.DataFrame:
    firsts = firsts.with_columns(incident_index=pl.int_range(pl.len()))
    pair_draw = uniform(pl.col("slot_key"), seed, f"{stream}/pair")
    fights = firsts.filter(
        (pl.col("behavior") == B.FIGHTING.value) & (pair_draw < SECOND_FIGHTER_SHARE)
    ).select("incident_index", "school_index", "date", "level", first="student_index")

    # The other student was in the same school that day; the one drawing lowest.
    present = marked.filter(~pl.col("status").is_in(_ABSENT)).select(
        "student_index", "school_index", "date"
    )
    candidates = fights.join(present, on=["school_index", "date"]).filter(
        pl.col("student_index") != pl.col("first")
    )
    pair_key = pl.col("incident_index") * 1_000_000 + pl.col("student_index")
    seconds = (
        candidates.with_columns(draw=uniform(pair_key, seed, f"{stream}/second"))
        .sort("incident_index", "draw")
        .group_by("incident_index", maintain_order=True)
        .first()
        .select(
            "student_index",
            "school_index",
            "date",
            "level",
            "incident_index",
            behavior=pl.lit(B.FIGHTING.value),
        )
    )
    return pl.concat([firsts.drop("slot_key"), seconds], how="diagonal").sort(
        "incident_index", "student_index"
    )


def _incidents(behaviors: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    first = behaviors.group_by("incident_index", maintain_order=True).first()
    chance = pl.col("behavior").replace_strict(
        {behavior.value: share for behavior, share in REPORTED.items()},
        default=OTHER_REPORTED,
        return_dtype=pl.Float64,
    )
    draw = uniform(pl.col("incident_index"), seed, f"{stream}/reported")
    return first.select(
        "incident_index",
        "school_index",
        "date",
        reported=draw < chance,
    ).sort("incident_index")


def _actions(
    behaviors: pl.DataFrame, incidents: pl.DataFrame, seed: int, stream: str
) -> pl.DataFrame:
    key = pl.col("incident_index") * 1_000_000 + pl.col("student_index")
    frame = behaviors.join(
        incidents.select("incident_index", "reported"), on="incident_index"
    ).with_columns(key=key)
    u = uniform(pl.col("key"), seed, f"{stream}/action")
    options = [action.value for action in _ACTIONS]
    cases = {
        behavior.value: choose(u, options, weights)
        for behavior, weights in ACTION_WEIGHTS.items()
    }
    action = by_value(pl.col("behavior"), cases, pl.lit(A.OTHER.value))
    actions = frame.with_columns(action=action)

    # A report to police is recorded as a separate action for most of the
    # students involved in a reported incident.
    referred = actions.filter(
        pl.col("reported") & (uniform(pl.col("key"), seed, f"{stream}/ler") < 0.7)
    ).with_columns(action=pl.lit(A.LAW_ENFORCEMENT_REFERRAL.value))
    every = pl.concat([actions, referred]).sort("incident_index", "student_index")
    return every.with_columns(
        days=_days(uniform(pl.col("key"), seed, f"{stream}/days")),
        action_index=pl.int_range(pl.len()),
    ).select(
        "action_index", "student_index", "school_index", "incident_index", "date",
        "action", "days",
    )  # fmt: skip


def _days(u: pl.Expr) -> pl.Expr:
    cases = {
        action.value: choose(u, options, weights)
        for action, (options, weights) in SUSPENSION_DAYS.items()
    }
    return by_value(pl.col("action"), cases, pl.lit(None, dtype=pl.String))
