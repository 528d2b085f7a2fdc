"""How a district node signs and addresses the messages it sends to the hub.

Every service that tells the hub something queues the message through a link,
inside the service's own transaction, so that the message goes out if and only
if the change commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from youthbridge.district.node import DistrictNode
from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.messages import Envelope, Payload
from youthbridge.exchange.outbox import enqueue
from youthbridge.exchange.signing import load_private_key

# The embedded default's names for the node's identity key and the hub's party.
IDENTITY_FILE = "identity.key"
HUB_PARTY = "hub"


@dataclass(frozen=True)
class HubLink:
    """This district's party id and signing key, and the hub's party id."""

    sender: str
    recipient: str
    key: Ed25519PrivateKey

    def send(
        self,
        session: Session,
        payload: Payload,
        *,
        subject: str,
        idempotency_key: str | None = None,
    ) -> Envelope:
        """Queue one message to the hub in the caller's transaction."""
        return enqueue(
            session,
            sender_key=self.key,
            sender=self.sender,
            recipient=self.recipient,
            type=payload.message_type,
            payload=payload,
            subject=subject,
            idempotency_key=idempotency_key,
        )


def hub_link(node: DistrictNode) -> HubLink:
    """The link of an embedded node: its identity key is kept beside its database."""
    path = node.folder / IDENTITY_FILE
    if not path.exists():
        raise ConfigError(
            f"{path}: the district's identity key is missing; open the region once"
            " to create it, or restore it from the key backup",
            code="exchange:identity",
        )
    return HubLink(f"district:{node.code.lower()}", HUB_PARTY, load_private_key(path))
