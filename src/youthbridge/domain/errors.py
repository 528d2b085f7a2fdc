"""Errors that carry a machine code and a message written for a person.

Every error that can reach a user derives from `YouthbridgeError`. The CLI and the
web app render these in one shape and never show a traceback for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in an input: file, line, column, rule."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def describe(self) -> str:
        place = self.file
        if self.line is not None:
            place += f", line {self.line}"
        if self.column:
            place += f", column `{self.column}`"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{place}: {self.message}{shown} [{self.rule}]"


@dataclass
class YouthbridgeError(Exception):
    """Base class: a code for machines, a message for people, problems for detail."""

    message: str
    code: str = "error"
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class SourceError(YouthbridgeError):
    """An input file or folder cannot be read at all."""


class BatchRefused(YouthbridgeError):
    """A batch was checked and refused as a whole; nothing was written."""


class ConfigError(YouthbridgeError):
    """A configuration or agreement file is unusable."""


class NotFound(YouthbridgeError):
    """A thing that was asked for does not exist (or may not be seen)."""


class AccessDenied(YouthbridgeError):
    """The acting person may not do this; the error never carries the data."""


class Refused(YouthbridgeError):
    """A rule of the agreement refuses the request (consent, disclosure, state)."""
