"""The student record that school staff see, with the programme's progress codes.

It shows what the school already holds and what the family agreed the hub may
report back. It never shows outreach: whether a family was offered help, and
what it answered, appears in no view that school staff see, so that a decline
can have no consequence at school.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.district.node import DistrictNode
from youthbridge.district.student_lookup import pseudonym_of
from youthbridge.domain.errors import NotFound
from youthbridge.security import audit
from youthbridge.security.permissions import Actor, Permission, allowed, require
from youthbridge.storage.consent_tables import DestructionRecord, ProgressRecord
from youthbridge.storage.district_tables import CANONICAL


@dataclass(frozen=True)
class ProgressItem:
    as_of: date
    codes: tuple[str, ...]


@dataclass(frozen=True)
class DestructionItem:
    destroyed_at: datetime
    categories: tuple[str, ...]
    certificate_id: uuid.UUID


@dataclass(frozen=True)
class StudentView:
    """One student as their school staff see them in youthbridge."""

    student_id: str
    first_name: str
    last_name: str
    grade: str | None
    school_id: str | None
    progress: tuple[ProgressItem, ...]
    destructions: tuple[DestructionItem, ...]


def student_view(node: DistrictNode, *, actor: Actor, student_id: str) -> StudentView:
    """The student's record; progress codes only for staff who may see progress."""
    require(actor, Permission.STUDENT_VIEW)
    with node.sessions.begin() as session:
        first_name, last_name = _person(session, student_id)
        grade, school_id = _latest_enrollment(session, student_id)
        progress: tuple[ProgressItem, ...] = ()
        destructions: tuple[DestructionItem, ...] = ()
        if allowed(actor.role, Permission.PROGRESS_VIEW):
            progress = _progress(session, student_id)
            destructions = _destructions(session, student_id)

        audit.record(
            session,
            actor=actor,
            action=Permission.STUDENT_VIEW,
            subject=pseudonym_of(session, node, student_id),
        )
    return StudentView(
        student_id, first_name, last_name, grade, school_id, progress, destructions
    )


def _person(session: Session, student_id: str) -> tuple[str, str]:
    students = CANONICAL["students"]
    person = session.execute(
        select(students.c.first_name, students.c.last_name).where(
            students.c.student_id == student_id
        )
    ).one_or_none()
    if person is None:
        raise NotFound(f"there is no student {student_id}", code="student:unknown")
    return str(person[0]), str(person[1])


def _latest_enrollment(session: Session, student_id: str) -> tuple[str | None, ...]:
    enrollments = CANONICAL["enrollments"]
    latest = session.execute(
        select(enrollments.c.grade, enrollments.c.school_id)
        .where(enrollments.c.student_id == student_id)
        .order_by(enrollments.c.entry_date.desc())
        .limit(1)
    ).one_or_none()
    return (None, None) if latest is None else (latest[0], latest[1])


def _progress(session: Session, student_id: str) -> tuple[ProgressItem, ...]:
    updates = session.scalars(
        select(ProgressRecord)
        .where(ProgressRecord.student_id == student_id)
        .order_by(ProgressRecord.as_of, ProgressRecord.received_at)
    )
    return tuple(ProgressItem(row.as_of, tuple(row.codes)) for row in updates)


def _destructions(session: Session, student_id: str) -> tuple[DestructionItem, ...]:
    certificates = session.scalars(
        select(DestructionRecord)
        .where(DestructionRecord.student_id == student_id)
        .order_by(DestructionRecord.destroyed_at)
    )
    return tuple(
        DestructionItem(row.destroyed_at, tuple(row.categories), row.certificate_id)
        for row in certificates
    )
