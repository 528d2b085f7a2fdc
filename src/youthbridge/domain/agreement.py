"""The data-sharing agreement's terms, as the code applies them.

Every threshold that a rule uses comes from here, so that a partnership changes its
terms in one TOML file and never in code. Purposes are a closed list: an agreement
that names any other purpose is refused when it is read.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

from youthbridge.domain.errors import ConfigError, Problem


class Purpose(StrEnum):
    """Why identified or de-identified data may be used. There is no other."""

    CASE_MANAGEMENT = "case-management"
    SERVICE_REFERRAL = "service-referral"
    TREND_ANALYSIS = "trend-analysis"
    PROGRAMME_EVALUATION = "programme-evaluation"


class LeapDayBirthday(StrEnum):
    """When someone born on 29 February has a birthday in a common year."""

    MARCH_1 = "march-1"
    FEBRUARY_28 = "february-28"


@dataclass(frozen=True)
class Agreement:
    """Terms with the defaults that widely used practice suggests."""

    # school years and attendance
    school_year_start_month: int = 7
    school_year_start_day: int = 1
    chronic_absence_share: Fraction = Fraction(1, 10)
    truancy_unexcused_per_month: int = 4
    truancy_unexcused_per_year: int = 10
    recent_window_days: int = 30
    # ingest
    max_rejected_share: Fraction = Fraction(5, 100)
    # disclosure control
    k_minimum: int = 5
    small_cell_minimum: int = 10
    suppression_marker: str = "<10"
    # at-risk review
    attendance_drop_points: int = 10
    flag_expiry_days: int = 60
    oss_count_for_flag: int = 2
    # outreach and consent
    re_outreach_block_days: int = 180
    age_of_majority: int = 18
    majority_warning_days: int = 60
    leap_day_birthday: LeapDayBirthday = LeapDayBirthday.MARCH_1
    # retention
    destroy_days_after_close: int = 90
    purposes: tuple[Purpose, ...] = field(default=tuple(Purpose))


_FRACTIONS = {"chronic_absence_share", "max_rejected_share"}


def load_agreement(path: Path | None) -> Agreement:
    """Read an agreement file; missing terms keep their defaults."""
    if path is None:
        return Agreement()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path}: the agreement file cannot be read: {error}", code="agreement"
        ) from error
    return agreement_from_mapping(raw.get("terms", raw), source=str(path))


def agreement_from_mapping(raw: dict[str, Any], source: str = "agreement") -> Agreement:
    """Build an agreement from plain values, reporting every bad term at once."""
    known = {item.name: item for item in fields(Agreement)}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            problems.append(_term_problem(source, name, value, "is not a known term"))
            continue
        try:
            values[name] = _convert(name, value)
        except (ValueError, TypeError, ZeroDivisionError) as error:
            problems.append(_term_problem(source, name, value, str(error)))
    if problems:
        raise ConfigError(
            f"{source}: {len(problems)} term(s) of the agreement are unusable",
            code="agreement",
            problems=problems,
        )
    return replace(Agreement(), **values)


def _convert(name: str, value: Any) -> Any:
    if name in _FRACTIONS:
        return Fraction(str(value))
    if name == "purposes":
        return tuple(Purpose(item) for item in value)
    if name == "leap_day_birthday":
        return LeapDayBirthday(value)
    if name == "suppression_marker":
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("must be a whole number")
    return value


def _term_problem(source: str, name: str, value: Any, why: str) -> Problem:
    return Problem(
        file=source,
        line=None,
        column=name,
        value=str(value),
        rule="agreement:term",
        message=f"the term `{name}` {why}",
    )
