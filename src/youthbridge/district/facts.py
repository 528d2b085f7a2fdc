"""Daily attendance, stored as one columnar file per batch.

A year of daily attendance for a large district is tens of millions of rows: too
many to push through row inserts and read back quickly. Each committed batch's
rows go to a Parquet file named after the batch; the batch row in the database is
what makes the file count, so a file whose batch never committed is ignored and
removed. Reading takes, for every student, school and day, the rows of the latest
batch that spoke of that day, so a later export corrects an earlier one and a
student missing from a later export keeps what was stored.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

BATCH_COLUMN = "batch_id"


def staging_path(folder: Path, batch_id: int) -> Path:
    return folder / f".batch-{batch_id}.parquet.partial"


def final_name(batch_id: int) -> str:
    return f"batch-{batch_id}.parquet"


def write_staged(folder: Path, batch_id: int, frame: pl.DataFrame) -> Path:
    """Write a batch's rows beside their final name, flushed to disk."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = staging_path(folder, batch_id)
    frame.with_columns(
        pl.lit(batch_id, dtype=pl.Int64).alias(BATCH_COLUMN)
    ).write_parquet(staged, compression="zstd", statistics=True)
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    return staged


def publish(folder: Path, batch_id: int) -> None:
    """Give a staged file its final name once its batch has committed."""
    os.replace(staging_path(folder, batch_id), folder / final_name(batch_id))


def discard(folder: Path, batch_id: int) -> None:
    staging_path(folder, batch_id).unlink(missing_ok=True)


def scan(folder: Path, committed: list[str]) -> pl.LazyFrame | None:
    """The current attendance rows of the committed batches' files."""
    paths = [folder / name for name in committed if (folder / name).is_file()]
    if not paths:
        return None
    rows = pl.scan_parquet(paths)
    day = ["student_id", "school_id", "date"]
    return rows.filter(pl.col(BATCH_COLUMN) == pl.col(BATCH_COLUMN).max().over(day))


def recover(folder: Path, committed: list[int]) -> None:
    """Finish what a stop between commit and rename left, and sweep the rest.

    A staged file whose batch committed is published. A staged file whose batch
    never committed is removed once it is a day old: a younger one may belong to
    an ingest still under way.
    """
    known = set(committed)
    stale_before = time.time() - 86_400
    for staged in folder.glob(".batch-*.parquet.partial"):
        batch_id = int(staged.name.removeprefix(".batch-").split(".")[0])
        if batch_id in known:
            publish(folder, batch_id)
        elif staged.stat().st_mtime < stale_before:
            staged.unlink(missing_ok=True)
