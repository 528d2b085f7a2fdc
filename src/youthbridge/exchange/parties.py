"""The parties of the agreement, as the exchange needs them: who may sign what.

The agreement lists every party with its public key. A receiver trusts an envelope
only if its sender is listed, is not revoked, and signed it with the listed key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from youthbridge.domain.errors import ConfigError, Problem
from youthbridge.exchange.errors import PartyRevoked, UnknownParty


class PartyKind(StrEnum):
    HUB = "hub"
    DISTRICT = "district"


@dataclass(frozen=True)
class Party:
    """One signatory of the agreement and the key its messages are checked with."""

    party_id: str
    kind: PartyKind
    public_key: str
    district_code: str | None = None
    revoked: bool = False

    def verifying_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(
            base64.b64decode(self.public_key, validate=True)
        )


class PartyDirectory:
    """Every party of one agreement, looked up by party id."""

    def __init__(self, parties: Iterable[Party]) -> None:
        self._parties: dict[str, Party] = {}
        for party in parties:
            if party.party_id in self._parties:
                raise ConfigError(
                    f"the agreement lists the party `{party.party_id}` twice",
                    code="agreement:parties",
                )
            self._parties[party.party_id] = party

    def __contains__(self, party_id: object) -> bool:
        return party_id in self._parties

    def find(self, party_id: str) -> Party:
        """The listed party, or a refusal naming the party id that is unknown."""
        try:
            return self._parties[party_id]
        except KeyError:
            raise UnknownParty(
                f"the party `{party_id}` is not listed in the agreement;"
                " add it to the agreement's parties before exchanging messages",
                code="message:unknown-party",
            ) from None

    def trusted(self, party_id: str) -> Party:
        """The listed party if its key may still be trusted; refused otherwise."""
        party = self.find(party_id)
        if party.revoked:
            raise PartyRevoked(
                f"the key of party `{party_id}` is revoked in the agreement;"
                " its messages are refused until a new key is listed",
                code="message:revoked-key",
            )
        return party


def directory_from_mappings(
    entries: Iterable[Mapping[str, Any]], source: str = "agreement"
) -> PartyDirectory:
    """Read the agreement's `[[parties]]` tables, reporting every bad entry at once."""
    parties: list[Party] = []
    problems: list[Problem] = []
    for position, entry in enumerate(entries, start=1):
        try:
            parties.append(_party_from_mapping(entry))
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            problems.append(_party_problem(source, position, error))
    if problems:
        raise ConfigError(
            f"{source}: {len(problems)} party entr(ies) of the agreement are unusable",
            code="agreement:parties",
            problems=problems,
        )
    return PartyDirectory(parties)


def _party_from_mapping(entry: Mapping[str, Any]) -> Party:
    party = Party(
        party_id=str(entry["party_id"]),
        kind=PartyKind(entry["kind"]),
        public_key=str(entry["public_key"]),
        district_code=entry.get("district_code"),
        revoked=bool(entry.get("revoked", False)),
    )

    # A key that does not decode is found when the agreement is read, not when
    # the first message from that party is refused for a reason nobody can see.
    party.verifying_key()

    if (party.kind is PartyKind.DISTRICT) != (party.district_code is not None):
        raise ValueError("a district party needs a district code; the hub has none")
    return party


def _party_problem(source: str, position: int, error: Exception) -> Problem:
    why = f"missing field {error}" if isinstance(error, KeyError) else str(error)
    return Problem(
        file=source,
        line=None,
        column=f"parties[{position}]",
        value=None,
        rule="agreement:party",
        message=f"party entry {position} is unusable: {why}",
    )
