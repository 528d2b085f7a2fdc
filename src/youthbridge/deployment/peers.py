"""The transport of a deployed node: HTTPS to each peer at its configured address.

A peer's certificate is checked against the CA file of the configuration, not
the system's store: the partnership runs its own CA (or pins its peers'), and a
certificate that some public CA issued for the same name is no proof of being
the hub. TLS says who answers; the Ed25519 signature says who wrote a message.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.errors import TransportError
from youthbridge.exchange.messages import Ack, Envelope
from youthbridge.exchange.transport import HttpTransport


def peer_client(ca_file: Path | None, timeout: float) -> httpx.Client:
    """An HTTP client that trusts only the configured CA, when one is given."""
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        try:
            verify = ssl.create_default_context(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(
                f"{ca_file}: the peers' CA file cannot be read as PEM certificates",
                code="config:tls",
            ) from error
    # A large release may take the receiver a while to check and store; the
    # read timeout covers that, the connect timeout stays short so that a node
    # that is down is noticed at once.
    limits = httpx.Timeout(timeout, connect=10.0)
    return httpx.Client(verify=verify, timeout=limits)


class PeerTransport:
    """Sends each envelope to its recipient's configured address."""

    def __init__(
        self, peers: dict[str, str], *, ca_file: Path | None, timeout: float
    ) -> None:
        self._client = peer_client(ca_file, timeout)
        self._routes = {
            party_id: HttpTransport(url, client=self._client)
            for party_id, url in peers.items()
        }

    def send(self, envelope: Envelope) -> Ack:
        route = self._routes.get(envelope.recipient)
        if route is None:
            raise TransportError(
                f"no address is configured for party `{envelope.recipient}`;"
                " add it under [peers]",
                code="transport:no-route",
            )
        return route.send(envelope)

    def close(self) -> None:
        self._client.close()
