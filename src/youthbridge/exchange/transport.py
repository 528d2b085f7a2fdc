"""Transports hand an envelope to its recipient and bring back the acknowledgement.

The in-process transport serves the embedded default, where both nodes run in one
process; the HTTP transport serves separate nodes. Both put the envelope through
its wire form, and both turn every failure on the far side into a
`TransportError`, so that neither the sender nor the receiver can tell which one
carried a message.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol

import httpx
import structlog
from pydantic import ValidationError

from youthbridge.exchange.errors import TransportError
from youthbridge.exchange.messages import Ack, Envelope
from youthbridge.exchange.signing import wire_bytes

log = structlog.get_logger(__name__)

MESSAGES_PATH = "/exchange/v1/messages"

Receiver = Callable[[Envelope], Ack]


class Transport(Protocol):
    """Delivers one envelope; returns the recipient's ack or raises TransportError."""

    def send(self, envelope: Envelope) -> Ack: ...


class InProcessTransport:
    """Routes envelopes to receivers registered in this process, by party id."""

    def __init__(self) -> None:
        self._receivers: dict[str, Receiver] = {}

    def register(self, party_id: str, receiver: Receiver) -> None:
        self._receivers[party_id] = receiver

    def send(self, envelope: Envelope) -> Ack:
        receiver = self._receivers.get(envelope.recipient)
        if receiver is None:
            raise TransportError(
                f"no receiver is registered for party `{envelope.recipient}`",
                code="transport:no-route",
            )

        # The receiver gets its own copy, read from the wire form, exactly as it
        # would over HTTP: nothing the sender holds is shared with it.
        copy = Envelope.model_validate_json(wire_bytes(envelope))
        try:
            return receiver(copy)
        except Exception as error:
            # Any failure of the receiving side is what an HTTP error status is
            # to the HTTP transport: the message stays in the outbox for later.
            log.warning(
                "exchange.transport.receiver_failed",
                message_id=str(envelope.message_id),
                error_type=type(error).__name__,
                error_code=getattr(error, "code", None),
            )
            raise TransportError(
                f"the receiver of `{envelope.recipient}` failed:"
                f" {getattr(error, 'code', type(error).__name__)}",
                code="transport:receiver",
            ) from error


class HttpTransport:
    """POSTs envelopes to a node's exchange endpoint over HTTP(S)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + MESSAGES_PATH
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, envelope: Envelope) -> Ack:
        try:
            response = self._client.post(
                self._url,
                content=wire_bytes(envelope),
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as error:
            raise TransportError(
                f"the exchange endpoint {self._url} cannot be reached:"
                f" {type(error).__name__}",
                code="transport:network",
            ) from error
        return _ack_from(response)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _ack_from(response: httpx.Response) -> Ack:
    if not response.is_success:
        raise TransportError(
            f"the exchange endpoint answered {response.status_code}"
            f" ({_error_code(response)})",
            code="transport:status",
        )
    try:
        return Ack.model_validate_json(response.content)
    except ValidationError as error:
        raise TransportError(
            "the exchange endpoint answered with something that is not an ack",
            code="transport:bad-ack",
        ) from error


def _error_code(response: httpx.Response) -> str:
    # Only the machine code of the far side's error is kept: it is what the
    # outbox records, and it holds no content of the message.
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else "no error code"
