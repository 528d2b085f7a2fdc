"""Small-cell and complementary suppression of every aggregate shown or exported.

A table of counts and rates goes through `suppress` before it becomes a page, a
CSV file or a JSON document. What comes back is text, ready to show, in which a
suppressed cell holds only the marker (`<10`): its number is nowhere in the
display, so a renderer cannot leak it by accident. A mask of the same shape says
which cells were suppressed, so that every format renders the same cells the same
way (a chart leaves the bar out, a CSV writes the marker).

The rules, with `minimum` taken from the agreement (`small_cell_minimum`):

- a count under the minimum is suppressed, and that includes 0. A zero says
  something about every member of a group ("none of the 12 students in this
  group was suspended"), which is the disclosure the rule exists to prevent;
- a rate is suppressed when its denominator is under the minimum, when its
  numerator is under the minimum, or when either of them is suppressed in the
  table: a shown rate and a shown denominator give back the numerator, and a
  shown rate and a shown numerator give back the denominator;
- complementary suppression: within each group of rows that add up to a total
  shown elsewhere (the rows of one district-year, say), a count column with
  exactly one suppressed cell has its next smallest cell suppressed as well, so
  that the suppressed one cannot be recovered by subtraction. Such a cell is not
  under the minimum, so it shows `complement_marker` (`*`) rather than the
  marker, which would misstate it; a rate suppressed only because of one does too.

A missing value (null) is not a count: it is shown as an empty cell and is never
suppressed, except that a rate whose numerator or denominator is missing is
suppressed, since nothing proves it safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

from youthbridge.domain.errors import YouthbridgeError

# Working columns; the prefix keeps them apart from any column a caller names.
_ROW = "__suppression_row"
_MASK = "__suppressed__"
_PRIMARY = "__under_minimum__"
_WHOLE_TABLE = "__suppression_whole_table"


class RateSpec(NamedTuple):
    """A rate column and the two columns it was computed from."""

    rate: str
    numerator: str
    denominator: str


@dataclass(frozen=True, eq=False)
class Suppressed:
    """A table ready to show, and which of its cells were suppressed.

    `display` has the input's columns in the input's order; its count and rate
    columns are text. `suppressed_mask` has one boolean column per count and rate
    column, row for row with `display`.
    """

    display: pl.DataFrame
    suppressed_mask: pl.DataFrame

    @property
    def suppressed_cells(self) -> int:
        """How many cells of the table hold a marker instead of their number."""
        if self.suppressed_mask.width == 0:
            return 0
        total = self.suppressed_mask.select(pl.sum_horizontal(pl.all()).sum())
        return int(total.item())


def suppress(
    table: pl.DataFrame,
    *,
    count_columns: Sequence[str],
    rate_specs: Sequence[RateSpec | tuple[str, str, str]],
    minimum: int,
    marker: str,
    group_by_for_complement: Sequence[str] | None,
    rate_decimals: int = 1,
    complement_marker: str = "*",
) -> Suppressed:
    """Suppress small cells of `table` and return it as display-ready text.

    `group_by_for_complement` names the columns whose values make one group of
    rows for complementary suppression; an empty list makes the whole table one
    group, and None turns complementary suppression off (for a table whose rows
    add up to nothing that is shown). Rates are shown as given, rounded half away
    from zero to `rate_decimals` places. A cell under the minimum shows `marker`;
    a cell suppressed only to protect another shows `complement_marker`.
    """
    specs = [RateSpec(*spec) for spec in rate_specs]
    markers = (marker, complement_marker)
    _check_arguments(table, count_columns, specs, minimum, markers)

    work = table.with_row_index(_ROW)
    work = work.with_columns(_under_minimum(name, minimum) for name in count_columns)
    # The mask starts as the cells under the minimum; complements join it later.
    work = work.with_columns(
        pl.col(_PRIMARY + name).alias(_MASK + name) for name in count_columns
    )

    if group_by_for_complement is not None:
        work = _add_complements(work, count_columns, group_by_for_complement)

    counted = set(count_columns)
    work = work.with_columns(
        expression
        for spec in specs
        for expression in _rate_masks(spec, counted, minimum)
    )

    shown = [*count_columns, *(spec.rate for spec in specs)]
    display = work.with_columns(
        *(_count_text(name, markers) for name in count_columns),
        *(_rate_text(spec.rate, markers, rate_decimals) for spec in specs),
    ).select(table.columns)
    mask = work.select(pl.col(_MASK + name).alias(name) for name in shown)
    return Suppressed(display=display, suppressed_mask=mask)


def fixed_decimals(value: pl.Expr, decimals: int) -> pl.Expr:
    """A number as text with exactly `decimals` places, rounded half away from 0.

    Casting a float to text gives its shortest form, so that 12.5 and 12.25 in
    one column would be shown with different numbers of places.
    """
    scale = 10**decimals
    scaled = (value * scale).round(0, mode="half_away_from_zero").cast(pl.Int64)
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (scaled.abs() // scale).cast(pl.String)
    if decimals == 0:
        return pl.concat_str(sign, whole).name.keep()
    fraction = (scaled.abs() % scale).cast(pl.String).str.zfill(decimals)
    return pl.concat_str(sign, whole, pl.lit("."), fraction).name.keep()


def _under_minimum(name: str, minimum: int) -> pl.Expr:
    column = pl.col(name)
    return (column.is_not_null() & (column < minimum)).alias(_PRIMARY + name)


def _add_complements(
    work: pl.DataFrame, count_columns: Sequence[str], group_by: Sequence[str]
) -> pl.DataFrame:
    groups = list(group_by)
    if not groups:
        work = work.with_columns(pl.lit(0).alias(_WHOLE_TABLE))
        groups = [_WHOLE_TABLE]

    work = work.with_columns(_complement_mask(name, groups) for name in count_columns)
    return work.drop(_WHOLE_TABLE, strict=False)


def _complement_mask(name: str, groups: list[str]) -> pl.Expr:
    """The primary mask, plus the next smallest cell where a group has one alone.

    Ties between equal counts go to the earlier row, so that the same table is
    always suppressed the same way.
    """
    mask = pl.col(_MASK + name)
    value = pl.col(name)
    candidate = ~mask & value.is_not_null()
    smallest = pl.when(candidate).then(value).min().over(groups)
    at_smallest = candidate & (value == smallest)
    first_row = pl.when(at_smallest).then(pl.col(_ROW)).min().over(groups)
    lone = mask.sum().over(groups) == 1
    complement = lone & (pl.col(_ROW) == first_row).fill_null(False)
    return (mask | complement).alias(_MASK + name)


def _rate_masks(
    spec: RateSpec, counted: set[str], minimum: int
) -> tuple[pl.Expr, pl.Expr]:
    """Whether the rate is unsafe in itself, and whether it is suppressed at all."""
    numerator = pl.col(spec.numerator)
    denominator = pl.col(spec.denominator)
    unproven = numerator.is_null() | denominator.is_null()
    small = (numerator < minimum) | (denominator < minimum)
    primary = unproven | small.fill_null(False)

    # A complementary suppression of either input must carry over to the rate,
    # or the rate would give the suppressed number back.
    mask = primary
    for name in (spec.numerator, spec.denominator):
        if name in counted:
            mask = mask | pl.col(_MASK + name)
    return primary.alias(_PRIMARY + spec.rate), mask.alias(_MASK + spec.rate)


def _count_text(name: str, markers: tuple[str, str]) -> pl.Expr:
    number = pl.col(name).cast(pl.String).fill_null("")
    return _marked(name, markers, number)


def _rate_text(name: str, markers: tuple[str, str], decimals: int) -> pl.Expr:
    number = fixed_decimals(pl.col(name), decimals).fill_null("")
    return _marked(name, markers, number)


def _marked(name: str, markers: tuple[str, str], number: pl.Expr) -> pl.Expr:
    under_minimum, complement = markers
    return (
        pl.when(pl.col(_PRIMARY + name))
        .then(pl.lit(under_minimum))
        .when(pl.col(_MASK + name))
        .then(pl.lit(complement))
        .otherwise(number)
        .alias(name)
    )


def _check_arguments(
    table: pl.DataFrame,
    count_columns: Sequence[str],
    specs: Sequence[RateSpec],
    minimum: int,
    markers: tuple[str, str],
) -> None:
    problems: list[str] = []
    if minimum < 1:
        problems.append(f"the minimum must be at least 1, not {minimum}")
    if not all(markers):
        problems.append("a marker must not be empty")

    for name in count_columns:
        problems += _column_problems(table, name, "count", integer=True)
    for spec in specs:
        problems += _column_problems(table, spec.rate, "rate", integer=False)
        problems += _column_problems(table, spec.numerator, "numerator", integer=False)
        problems += _column_problems(
            table, spec.denominator, "denominator", integer=False
        )

    if problems:
        raise YouthbridgeError(
            "the table cannot be suppressed: " + "; ".join(problems),
            code="suppression:input",
        )


def _column_problems(
    table: pl.DataFrame, name: str, role: str, *, integer: bool
) -> list[str]:
    if name not in table.columns:
        return [f"the {role} column `{name}` is missing"]
    dtype = table.schema[name]
    if integer and not dtype.is_integer():
        return [f"the {role} column `{name}` holds {dtype}, not whole numbers"]
    if not dtype.is_numeric():
        return [f"the {role} column `{name}` holds {dtype}, not numbers"]
    return []
