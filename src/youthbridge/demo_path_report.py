"""What the demo's consent path did, step by step: pseudonyms, counts and codes.

Nothing here names a student or gives a birth date; a pseudonym is the most a
step shows about who took part.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    """The steps of the path, in the order they happen."""

    FLAGGED = "flagged"
    OUTREACH_REQUESTED = "outreach-requested"
    QUEUED = "queued-at-district"
    OUTREACH_BEGUN = "outreach-begun"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    SIGNED = "accepted-and-signed"
    MAJORITY_WARNING = "majority-warning"
    CASES_OPEN = "cases-open"
    RELEASED = "records-released"
    REFUSED = "release-refused"
    REFERRED = "referred-to-service"
    PROGRESS_SENT = "progress-sent"
    PROGRESS_SEEN = "progress-seen-at-district"
    REVOKED = "consent-revoked"
    DESTROYED = "identified-records-destroyed"
    CERTIFIED = "destruction-certificate-received"
    REFUSED_AT_18 = "release-refused-at-18"
    STUDENT_SIGNED = "student-signed-at-18"
    RELEASED_AT_18 = "released-after-student-signed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Step.FLAGGED: "flagged by the at-risk review",
    Step.OUTREACH_REQUESTED: "outreach requested by the hub",
    Step.QUEUED: "in the district's outreach queue",
    Step.OUTREACH_BEGUN: "outreach begun by the counselor",
    Step.DECLINED: "family declined",
    Step.UNREACHABLE: "family unreachable",
    Step.SIGNED: "family accepted and signed a release",
    Step.MAJORITY_WARNING: "majority warning on the form",
    Step.CASES_OPEN: "cases open at the hub",
    Step.RELEASED: "records released in consented categories",
    Step.REFUSED: "release refused beyond the consent",
    Step.REFERRED: "referred to a directory service",
    Step.PROGRESS_SENT: "progress codes sent by the case manager",
    Step.PROGRESS_SEEN: "progress codes seen at the district",
    Step.REVOKED: "consent revoked",
    Step.DESTROYED: "identified records destroyed at the hub",
    Step.CERTIFIED: "destruction certificate received",
    Step.REFUSED_AT_18: "parent's consent refused on the 18th birthday",
    Step.STUDENT_SIGNED: "student signed their own release",
    Step.RELEASED_AT_18: "released again under the student's release",
}


@dataclass(frozen=True)
class PathStep:
    step: Step
    pseudonyms: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.pseudonyms)


@dataclass(frozen=True)
class ReleasedRecords:
    """One allowed release: how many records of each category went."""

    pseudonym: str
    record_counts: dict[str, int]


@dataclass(frozen=True)
class RefusedRelease:
    """A release the district refused, with the rule of each refused category.

    `logged` says that the district's audit log holds the refusal as a denial.
    """

    pseudonym: str
    categories: tuple[str, ...]
    refused: tuple[str, ...]
    rules: tuple[str, ...]
    logged: bool


@dataclass(frozen=True)
class ComingOfAge:
    """What happened to the student who turned 18 during the demo."""

    pseudonym: str
    warning_shown: bool
    released_before: bool
    refused_rule: str | None
    student_signed: bool
    released_after: bool


@dataclass(frozen=True)
class RevocationCheck:
    """Whether the hub still holds anything identified about the revoked student.

    `values_sought` are the identifying values the district released about the
    student; `opened_before` of them showed in the case file before the
    revocation, and `found_after` anywhere in the hub's database after it.
    """

    pseudonym: str
    values_sought: int
    opened_before: int
    found_after: int
    records_opened_after: int
    certificate_received: bool


@dataclass
class PathReport:
    """Each step's students by pseudonym, and what was refused and destroyed."""

    district: str
    offer: str
    day: date
    flagged_in_district: int
    steps: list[PathStep] = field(default_factory=list)
    releases: list[ReleasedRecords] = field(default_factory=list)
    refused: list[RefusedRelease] = field(default_factory=list)
    progress_seen: dict[str, tuple[str, ...]] = field(default_factory=dict)
    coming_of_age: ComingOfAge | None = None
    revocation: RevocationCheck | None = None
    dead_letters: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, step: Step, members: tuple[str, ...] | list[str]) -> None:
        self.steps.append(PathStep(step, tuple(members)))

    def step(self, step: Step) -> PathStep:
        found = [item for item in self.steps if item.step is step]
        return found[0] if found else PathStep(step, ())

    def count(self, step: Step) -> int:
        return self.step(step).count

    def step_rows(self) -> list[dict[str, object]]:
        """One row per step that happened, in order: its label and its count."""
        return [
            {"step": str(item.step), "label": item.step.label, "students": item.count}
            for item in self.steps
        ]

    def summary(self) -> dict[str, Any]:
        """Counts per step and refusals by rule, with no pseudonym: for the report."""
        check = self.revocation
        return {
            "district": self.district,
            "steps": self.step_rows(),
            "refused": [
                {
                    "categories": item.categories,
                    "refused": item.refused,
                    "rules": item.rules,
                }
                for item in self.refused
            ],
            "identified_left": None if check is None else check.found_after,
            "values_sought": None if check is None else check.values_sought,
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict[str, object]:
        """The report as plain values, for JSON."""
        plain = asdict(self)
        plain["day"] = self.day.isoformat()
        plain["steps"] = [
            {"step": str(item.step), "count": item.count, "pseudonyms": item.pseudonyms}
            for item in self.steps
        ]
        return plain
