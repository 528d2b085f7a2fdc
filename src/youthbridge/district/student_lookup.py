"""A student's identifiers inside the district: the record, the pseudonym, the age.

These are the small look-ups that outreach, consent and release share. They run
inside the caller's transaction and after the caller's access check.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import load_key, pseudonym_for
from youthbridge.domain.errors import NotFound
from youthbridge.storage.district_tables import CANONICAL, pseudonyms

_STUDENTS = CANONICAL["students"]


def require_student(session: Session, student_id: str) -> None:
    """Refuse with NotFound unless the district holds this student's record."""
    birth_date_of(session, student_id)


def birth_date_of(session: Session, student_id: str) -> date:
    """The student's birth date, which decides when a parent's consent stops."""
    found = session.execute(
        select(_STUDENTS.c.birth_date).where(_STUDENTS.c.student_id == student_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(
            f"there is no student {student_id} in this district's records",
            code="student:unknown",
        )
    birth_date: date = found
    return birth_date


def pseudonym_of(session: Session, node: DistrictNode, student_id: str) -> str:
    """The student's pseudonym, recorded for re-identification if it is new."""
    known = session.execute(
        select(pseudonyms.c.pseudonym).where(pseudonyms.c.student_id == student_id)
    ).scalar_one_or_none()
    if known is not None:
        return str(known)
    made = pseudonym_for(load_key(node.folder), node.code, student_id)
    session.execute(insert(pseudonyms).values(pseudonym=made, student_id=student_id))
    return made
