"""Seeded draws that depend on a row's key, never on the order of the rows.

Every random value is a hash of (seed, stream, key). Polars may reorder rows in a
join or a group, so a draw tied to the key instead of the position keeps the same
seed giving the same region, byte for byte. Polars guarantees its hash only within
one version, which the pinned dependency fixes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from itertools import accumulate

import polars as pl

_MANTISSA = float(2**53)


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit seed for one named stream of draws under the region's seed."""
    digest = hashlib.blake2b(f"{seed}/{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def uniform(key: pl.Expr, seed: int, stream: str) -> pl.Expr:
    """A draw in [0, 1) for each key value: the same key always draws the same."""
    hashed = key.hash(stream_seed(seed, stream))
    return (hashed // 2048).cast(pl.Float64) / _MANTISSA


def choose_index(u: pl.Expr, weights: Sequence[float]) -> pl.Expr:
    """The index of the option that a uniform draw falls on, by weight."""
    total = sum(weights)
    bounds = list(accumulate(weight / total for weight in weights))[:-1]
    if not bounds:
        return pl.lit(0, dtype=pl.UInt32)
    return pl.lit(pl.Series(bounds)).search_sorted(u, side="right")


def choose(
    u: pl.Expr, options: Sequence[str], weights: Sequence[float] | None = None
) -> pl.Expr:
    """The option (text) that a uniform draw falls on, by weight or uniformly."""
    chosen = choose_index(u, weights or [1.0] * len(options))
    mapping = dict(enumerate(options))
    return chosen.replace_strict(mapping, return_dtype=pl.String)


def below(u: pl.Expr, count: pl.Expr | int) -> pl.Expr:
    """An integer in [0, count) from a uniform draw."""
    return (u * count).floor().cast(pl.Int64)


def by_value(
    column: pl.Expr, cases: Mapping[str, pl.Expr], default: pl.Expr
) -> pl.Expr:
    """For each row, the expression listed under the row's value of `column`."""
    branches = [pl.when(column == value).then(expr) for value, expr in cases.items()]
    return pl.coalesce([*branches, default])
