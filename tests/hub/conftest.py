"""A hub with its staff, and the Riverbend district sending it signed messages.

The personas: hub case manager Ana and her colleague Ben on the east team, the
east team's supervisor Sam, the analyst Ivy, the auditor Oren and the hub
administrator Lee. The students are synthetic and known to the hub only by
their Riverbend pseudonyms, until a consent releases records about them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from youthbridge.exchange.inbox import receive
from youthbridge.exchange.messages import (
    AckStatus,
    ConsentNotice,
    Envelope,
    Payload,
)
from youthbridge.exchange.parties import Party, PartyDirectory, PartyKind
from youthbridge.exchange.signing import generate_key, public_key_text, sign
from youthbridge.exchange.vocabulary import ConsentOutcome, RecordCategory
from youthbridge.hub.inbox import dispatch, hub_inbox_handlers
from youthbridge.hub.node import HubNode, open_hub
from youthbridge.hub.outreach import request_outreach
from youthbridge.security.accounts import Account
from youthbridge.security.keys import FileSecretStore, MasterKey
from youthbridge.security.permissions import Role
from youthbridge.security.vault import Vault
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseRow

RIVERBEND = "district:riverbend"
STUDENT = "RVB-7QK2M9XA"  # a synthetic Riverbend student's pseudonym
FLAGS = ("attendance:chronic-absence", "behaviour:suspensions")


@dataclass
class Staff:
    ana: Account
    ben: Account
    sam: Account
    ivy: Account
    oren: Account
    lee: Account


@dataclass
class District:
    """Riverbend's side of the channel: it signs and numbers what it sends."""

    key: Ed25519PrivateKey
    hub: HubNode
    parties: PartyDirectory
    sequences: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def send(self, payload: Payload, subject: str | None = STUDENT) -> AckStatus:
        """Deliver one message to the hub's inbox, as the transport would."""
        key = subject or ""
        self.sequences[key] += 1
        envelope = Envelope(
            message_id=uuid.uuid4(),
            type=payload.message_type,
            sender=RIVERBEND,
            recipient=self.hub.party_id,
            idempotency_key=f"test:{uuid.uuid4()}",
            created_at=utcnow(),
            subject=subject,
            sequence=self.sequences[key],
            payload=payload.model_dump(mode="json"),
        )
        apply = dispatch(hub_inbox_handlers(self.hub, self.parties))
        signed = sign(envelope, self.key)
        ack = receive(self.hub.sessions, signed, self.parties, apply, recipient="hub")
        return ack.status


@pytest.fixture
def hub_key() -> Ed25519PrivateKey:
    return generate_key()


@pytest.fixture
def district_key() -> Ed25519PrivateKey:
    return generate_key()


@pytest.fixture
def parties(
    hub_key: Ed25519PrivateKey, district_key: Ed25519PrivateKey
) -> PartyDirectory:
    return PartyDirectory(
        [
            Party("hub", PartyKind.HUB, public_key_text(hub_key)),
            Party(
                RIVERBEND,
                PartyKind.DISTRICT,
                public_key_text(district_key),
                district_code="RVB",
            ),
        ]
    )


@pytest.fixture
def hub(
    tmp_path: Path,
    database_url: Callable[[str], str],
    hub_key: Ed25519PrivateKey,
) -> Iterator[HubNode]:
    vault = Vault(MasterKey.generate(), FileSecretStore(tmp_path / "key-store"))
    node = open_hub(
        tmp_path, database_url=database_url("hub"), vault=vault, identity=hub_key
    )
    yield node
    node.close()


@pytest.fixture
def staff(hub: HubNode) -> Staff:
    def person(role: Role, username: str, team: str | None) -> Account:
        return Account(
            id=uuid.uuid4().hex,
            node="hub",
            username=username,
            role=role,
            team=team,
            password_hash="not-used-here",
            recovery_code_hashes=[],
            disabled=False,
            failed_attempts=0,
        )

    people = Staff(
        ana=person(Role.CASE_MANAGER, "ana", "east"),
        ben=person(Role.CASE_MANAGER, "ben", "east"),
        sam=person(Role.SUPERVISOR, "sam", "east"),
        ivy=person(Role.ANALYST, "ivy", None),
        oren=person(Role.AUDITOR, "oren", None),
        lee=person(Role.HUB_ADMIN, "lee", None),
    )
    with hub.sessions.begin() as session:
        session.add_all(vars(people).values())
    return people


@pytest.fixture
def riverbend(
    hub: HubNode, district_key: Ed25519PrivateKey, parties: PartyDirectory
) -> District:
    return District(district_key, hub, parties)


@dataclass(frozen=True)
class OpenCase:
    case_id: uuid.UUID
    request_id: uuid.UUID
    consent_id: uuid.UUID


@pytest.fixture
def open_case(
    hub: HubNode, staff: Staff, riverbend: District, parties: PartyDirectory
) -> Callable[..., OpenCase]:
    """A student whose family accepted, assigned to Ana, with this consent."""

    def make(
        categories: tuple[RecordCategory, ...] = (
            RecordCategory.CONTACT,
            RecordCategory.ATTENDANCE,
        ),
        pseudonym: str = STUDENT,
    ) -> OpenCase:
        asked = request_outreach(
            hub,
            actor=staff.ana,
            district=parties.find(RIVERBEND),
            pseudonyms_with_flags={pseudonym: FLAGS},
            offer="youth-mentoring",
            assign_to=staff.ana,
        )
        consent_id = uuid.uuid4()
        status = riverbend.send(
            ConsentNotice(
                referral_id=asked.request_id,
                pseudonym=pseudonym,
                outcome=ConsentOutcome.ACCEPTED,
                consent_id=consent_id,
                categories=categories,
                expires_on=utcnow().date() + timedelta(days=365),
            ),
            subject=pseudonym,
        )
        assert status is AckStatus.APPLIED
        return OpenCase(_case_id(hub, pseudonym), asked.request_id, consent_id)

    return make


def _case_id(hub: HubNode, pseudonym: str) -> uuid.UUID:
    with hub.sessions() as session:
        return session.scalars(
            select(CaseRow.id).where(CaseRow.pseudonym == pseudonym)
        ).one()
