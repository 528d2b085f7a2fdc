"""Which kind of party may send which message to which, as the exchange diagram says.

A valid signature proves who sent a message, not that they may send it. A district
never asks another district for anything, and never sends the hub a progress
update; a message that claims a district's data must come from, or go to, that
district.
"""

from __future__ import annotations

from youthbridge.exchange.errors import RouteRefused
from youthbridge.exchange.messages import Envelope, MessageType, Payload
from youthbridge.exchange.parties import Party, PartyKind

_DISTRICT_TO_HUB = (PartyKind.DISTRICT, PartyKind.HUB)
_HUB_TO_DISTRICT = (PartyKind.HUB, PartyKind.DISTRICT)

ROUTES: dict[MessageType, tuple[PartyKind, PartyKind]] = {
    MessageType.DEIDENTIFIED_RELEASE: _DISTRICT_TO_HUB,
    MessageType.OUTREACH_REQUEST: _HUB_TO_DISTRICT,
    MessageType.OUTREACH_OUTCOME: _DISTRICT_TO_HUB,
    MessageType.CONSENT_NOTICE: _DISTRICT_TO_HUB,
    MessageType.RECORD_RELEASE: _DISTRICT_TO_HUB,
    MessageType.PROGRESS_UPDATE: _HUB_TO_DISTRICT,
    MessageType.CONSENT_REVOKED: _DISTRICT_TO_HUB,
    MessageType.DESTRUCTION_CERTIFICATE: _HUB_TO_DISTRICT,
}


def check_route(
    envelope: Envelope, payload: Payload, sender: Party, recipient: Party
) -> None:
    """Refuse a message that its sender's kind may not send to that recipient."""
    route = ROUTES.get(envelope.type)
    if route is None:
        raise RouteRefused(
            f"`{envelope.type}` is not a message that is sent through the exchange",
            code="message:route",
        )
    if (sender.kind, recipient.kind) != route:
        raise RouteRefused(
            f"a {sender.kind} may not send `{envelope.type}` to a {recipient.kind};"
            f" it goes from a {route[0]} to a {route[1]}",
            code="message:route",
        )
    _check_district(envelope, payload, sender, recipient)


def _check_district(
    envelope: Envelope, payload: Payload, sender: Party, recipient: Party
) -> None:
    claimed = getattr(payload, "district_code", None)
    district = sender if sender.kind is PartyKind.DISTRICT else recipient
    if claimed is not None and claimed != district.district_code:
        raise RouteRefused(
            f"message {envelope.message_id} speaks for district `{claimed}`,"
            f" but its district party is `{district.party_id}`",
            code="message:route",
        )
