"""Errors of the exchange: a message refused at the door, or a delivery that failed.

A refusal is final for that envelope: sending the same bytes again is refused again.
A transport error is not: the outbox keeps the message and tries again later.
"""

from __future__ import annotations

from youthbridge.domain.errors import Refused, YouthbridgeError


class MessageRefused(Refused):
    """A received envelope broke a rule of the exchange and was not recorded."""


class UnknownParty(MessageRefused):
    """The envelope names a party that the agreement does not list."""


class PartyRevoked(MessageRefused):
    """The sender's key was revoked in the agreement; nothing it signs is accepted."""


class SignatureInvalid(MessageRefused):
    """The signature does not match the envelope and the sender's listed key."""


class RouteRefused(MessageRefused):
    """This kind of party may not send this type of message to that party."""


class PayloadInvalid(MessageRefused):
    """The payload does not match the model of its message type and version."""


class SequenceRefused(MessageRefused):
    """The envelope reuses a sequence number already taken by another message."""


class ContentRefused(Refused):
    """The receiver may not hold what the message carries; its payload is dropped.

    Raised by an `apply` that finds, say, records beyond what a consent names:
    the message is kept as a dead letter, but without its payload.
    """


class TransportError(YouthbridgeError):
    """A message could not be handed over; the outbox will try it again."""
