"""What the district does with each message the hub sends it.

The hub asks for outreach, reports how a consented student's case is going (in
codes a school may see), and certifies that it destroyed records. Each is applied
in the inbox's transaction; a pseudonym this district did not make refuses the
message, which the inbox keeps as a dead letter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from youthbridge.district.node import DistrictNode
from youthbridge.district.outreach import apply_outreach_request
from youthbridge.district.pseudonyms import reidentify
from youthbridge.domain.errors import Refused
from youthbridge.exchange.inbox import Apply
from youthbridge.exchange.messages import (
    DestructionCertificate,
    Envelope,
    MessageType,
    ProgressUpdate,
    read_payload,
)
from youthbridge.storage.base import utcnow
from youthbridge.storage.consent_tables import DestructionRecord, ProgressRecord

Clock = Callable[[], datetime]


def district_inbox_handlers(
    node: DistrictNode, *, clock: Clock = utcnow
) -> dict[MessageType, Apply]:
    """The apply function of every message type a district receives."""
    return {
        MessageType.OUTREACH_REQUEST: apply_outreach_request(node, clock=clock),
        MessageType.PROGRESS_UPDATE: apply_progress_update(node, clock=clock),
        MessageType.DESTRUCTION_CERTIFICATE: apply_destruction_certificate(
            node, clock=clock
        ),
    }


def district_dispatch(node: DistrictNode, *, clock: Clock = utcnow) -> Apply:
    """One `apply` for the node's inbox, refusing any type it does not take."""
    handlers = district_inbox_handlers(node, clock=clock)

    def apply(session: Session, envelope: Envelope) -> None:
        handler = handlers.get(envelope.type)
        if handler is None:
            raise Refused(
                f"a district does not take `{envelope.type}` messages",
                code="message:type",
            )
        handler(session, envelope)

    return apply


def apply_progress_update(node: DistrictNode, *, clock: Clock = utcnow) -> Apply:
    """Keep a progress update's codes where the student's school staff see them."""

    def apply(session: Session, envelope: Envelope) -> None:
        update = read_payload(envelope, ProgressUpdate)
        session.add(
            ProgressRecord(
                message_id=envelope.message_id,
                student_id=reidentify(node, update.pseudonym),
                pseudonym=update.pseudonym,
                case_id=update.case_id,
                as_of=update.as_of,
                codes=list(update.codes),
                received_at=clock(),
            )
        )

    return apply


def apply_destruction_certificate(
    node: DistrictNode, *, clock: Clock = utcnow
) -> Apply:
    """Keep the hub's certificate that a student's identified records are gone."""

    def apply(session: Session, envelope: Envelope) -> None:
        certificate = read_payload(envelope, DestructionCertificate)
        session.add(
            DestructionRecord(
                certificate_id=certificate.certificate_id,
                consent_id=certificate.consent_id,
                student_id=reidentify(node, certificate.pseudonym),
                pseudonym=certificate.pseudonym,
                categories=[str(category) for category in certificate.categories],
                destroyed_at=certificate.destroyed_at,
                items_destroyed=certificate.items_destroyed,
                received_at=clock(),
            )
        )

    return apply
