"""Case events: what happened to a case, in codes; the timeline is read from them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseEventRow, CaseRow


def add_event(
    session: Session,
    case: CaseRow,
    kind: str,
    *,
    actor_id: str | None,
    codes: Sequence[str] = (),
    from_status: str | None = None,
    to_status: str | None = None,
) -> None:
    """Add one event, made of codes only, to the case's timeline."""
    now = utcnow()
    case.updated_at = now
    session.add(
        CaseEventRow(
            case_id=case.id,
            at=now,
            kind=kind,
            actor_id=actor_id,
            from_status=from_status,
            to_status=to_status,
            codes=list(codes),
        )
    )
