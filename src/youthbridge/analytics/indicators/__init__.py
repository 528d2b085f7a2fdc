"""Early-warning indicators for every student of a district in one school year.

The rules are those of `youthbridge.domain.indicators`; this package applies them
to whole tables. It runs on Polars lazy frames rather than DuckDB: the inputs arrive
as typed Polars frames from validation, so there is nothing to convert, and filters
on the year's dates reach the scans. The large steps (resolving each day, joining
it to membership) run on one Int64 key per student, school and date: a group-by and
a join over 17 million rows, done in seconds on one machine. The member days are
materialised once and every output reads them.

Exact arithmetic. A session calendar weighs each weekday `total / weekdays`, which
has no finite decimal. Every amount of days is therefore carried as a whole number
of quanta, 1 / (D * F) of a day: D is the least common multiple of the session
weights' denominators and F the power of ten that holds the fractions absent. Sums
are exact in Int128, and chronic absence is decided on those integers. The days
shown are decimals rounded to six places, exact whenever the calendar is a list of
days.

Membership. An enrollment is a member of its school on every instructional day of
that school from its entry date to its exit date, both included (no exit date: the
end of the year), within the school year and up to `as_of`: the indicators are
those known on that day, so later days never count as present. A student who
changes school carries their days with them, while each school keeps its own days.
"""

from youthbridge.analytics.indicators.compute import (
    DAYS_SCALE,
    compute_indicators,
    school_daily_rates,
)
from youthbridge.analytics.indicators.tables import (
    IndicatorInputs,
    IndicatorReport,
    IndicatorResult,
)

__all__ = [
    "DAYS_SCALE",
    "IndicatorInputs",
    "IndicatorReport",
    "IndicatorResult",
    "compute_indicators",
    "school_daily_rates",
]
