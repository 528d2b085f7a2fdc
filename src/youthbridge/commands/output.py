"""What every command shares: options, output, and how errors are shown.

Every command prints a readable summary, or JSON with --json, and exits 0 on
success, 1 when the work was refused (a batch, a release), 2 when the arguments
or a configuration file are unusable. Bad input never shows a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from youthbridge.domain.errors import (
    AccessDenied,
    BatchRefused,
    ConfigError,
    Refused,
    SourceError,
    YouthbridgeError,
)

EXIT_REFUSED = 1
EXIT_USAGE = 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


F = TypeVar("F", bound=Callable[..., Any])


def data_dir_option(command: F) -> F:
    option = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="YOUTHBRIDGE_DATA_DIR",
        default=Path("youthbridge-data"),
        show_default=True,
        help="Folder holding the nodes' databases and files.",
    )
    return option(command)


def json_option(command: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


@contextmanager
def reported(as_json: bool) -> Iterator[None]:
    """Turn a youthbridge error into a clear message and the right exit code."""
    try:
        yield
    except YouthbridgeError as error:
        _print_error(error, as_json)
        sys.exit(_exit_code(error))


def _exit_code(error: YouthbridgeError) -> int:
    if isinstance(error, BatchRefused | SourceError | Refused | AccessDenied):
        return EXIT_REFUSED
    if isinstance(error, ConfigError):
        return EXIT_USAGE
    return EXIT_REFUSED


def _print_error(error: YouthbridgeError, as_json: bool) -> None:
    if as_json:
        body = {
            "error": error.code,
            "message": error.message,
            "problems": [vars(problem) for problem in error.problems],
        }
        click.echo(json.dumps(body, indent=2, default=str))
        return
    err.print(f"[bold red]error[/]: {error.message}", markup=True)
    for problem in error.problems[:50]:
        err.print(f"  - {problem.describe()}", markup=False)
    if len(error.problems) > 50:
        err.print(f"  … and {len(error.problems) - 50} more", markup=False)


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


class Steps:
    """A spinner naming the current step, on standard error, when it is a terminal."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = progress.add_task("starting", total=None) if progress else None

    def __call__(self, step: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=step)

    def __enter__(self) -> Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def progress(quiet: bool) -> Steps:
    if quiet or not err.is_terminal:
        return Steps(None)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    return Steps(Progress(*columns, console=err, transient=True))


def print_table(
    title: str,
    columns: list[tuple[str, str]],
    rows: list[dict[str, Any]],
    *,
    limit: int = 40,
) -> None:
    """A readable table of the first `limit` rows, saying what it leaves out.

    `columns` pairs each key of the rows with its heading. Every cell is shown as
    text exactly as given; numbers are formatted by the caller.
    """
    table = Table(title=title, title_justify="left", show_lines=False)
    for _key, heading in columns:
        table.add_column(heading, overflow="fold")
    for row in rows[:limit]:
        table.add_row(
            *(
                "" if row.get(key) is None else str(row[key])
                for key, _heading in columns
            )
        )
    out.print(table)
    if len(rows) > limit:
        out.print(f"Showing {limit} of {len(rows):,} rows; --json gives them all.")
