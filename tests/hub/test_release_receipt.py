"""What the hub does with a de-identified release it is sent.

A release is trusted only if its sender is a district of the agreement, it was
signed with that district's key and not changed since, and its disclosure report
and records meet the agreement's k. Otherwise it is refused and the store is left
exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from youthbridge.district.ingest import SourceFormat, ingest
from youthbridge.district.release import prepare_release
from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.schoolyear import SchoolYear
from youthbridge.embedded import HUB_PARTY, Region, district_party, open_region
from youthbridge.exchange.inbox import receive
from youthbridge.exchange.messages import Envelope, MessageType
from youthbridge.exchange.signing import generate_key, sign
from youthbridge.hub.store import ReleaseApplier
from youthbridge.storage.base import utcnow
from youthbridge.storage.hub_tables import release_records, releases

YEAR = SchoolYear(2021)


@pytest.fixture
def region(
    tmp_path: Path, database_url: Callable[[str], str], shared_data: Path
) -> Iterator[Region]:
    urls = {HUB_PARTY: database_url("hub"), "GB": database_url("gb")}
    opened = open_region(tmp_path / "nodes", ["GB"], database_urls=urls)
    ingest(
        opened.districts["GB"], shared_data / "edfi-grand-bend", SourceFormat.EDFI_XML
    )
    yield opened
    opened.close()


def _envelope(
    region: Region,
    payload: dict[str, object],
    *,
    sender: str,
    key_of: str | None = None,
) -> Envelope:
    envelope = Envelope(
        message_id=uuid.uuid4(),
        type=MessageType.DEIDENTIFIED_RELEASE,
        sender=sender,
        recipient=HUB_PARTY,
        idempotency_key=str(uuid.uuid4()),
        created_at=utcnow(),
        sequence=1,
        payload=payload,
    )
    key = region.keys.get(key_of or sender) or generate_key()
    return sign(envelope, key)


def _stored(region: Region) -> tuple[int, int]:
    with region.hub.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(releases))
        rows = connection.execute(select(func.count()).select_from(release_records))
        return int(count.scalar_one()), int(rows.scalar_one())


def _receive(region: Region, envelope: Envelope) -> str:
    applier = ReleaseApplier(region.parties, region.hub.agreement.k_minimum)
    ack = receive(
        region.hub.sessions, envelope, region.parties, applier, recipient=HUB_PARTY
    )
    return str(ack.status)


def _payload(region: Region) -> dict[str, object]:
    prepared = prepare_release(region.districts["GB"], YEAR)
    return prepared.payload.model_dump(mode="json")


def test_a_signed_release_from_the_district_is_stored(region: Region) -> None:
    payload = _payload(region)

    status = _receive(region, _envelope(region, payload, sender=district_party("GB")))

    assert status == "applied"
    assert _stored(region) == (1, len(payload["records"]))  # type: ignore[arg-type]


def test_a_release_changed_after_signing_is_refused(region: Region) -> None:
    payload = _payload(region)
    envelope = _envelope(region, payload, sender=district_party("GB"))
    records = list(envelope.payload["records"])  # type: ignore[arg-type]
    records[0] = {**records[0], "days_absent": "99.000000"}  # type: ignore[dict-item]
    tampered = envelope.model_copy(
        update={"payload": {**envelope.payload, "records": records}}
    )

    with pytest.raises(YouthbridgeError) as refused:
        _receive(region, tampered)

    assert refused.value.code == "message:signature"
    assert _stored(region) == (0, 0)


def test_a_release_from_an_unknown_district_is_refused(region: Region) -> None:
    payload = {**_payload(region), "district_code": "ZZ"}
    envelope = _envelope(region, payload, sender="district:zz")

    with pytest.raises(YouthbridgeError) as refused:
        _receive(region, envelope)

    assert refused.value.code == "message:unknown-party"
    assert _stored(region) == (0, 0)


def test_a_release_without_its_disclosure_report_is_refused(region: Region) -> None:
    payload = {**_payload(region), "disclosure_report": {}}

    status = _receive(region, _envelope(region, payload, sender=district_party("GB")))

    assert status == "dead"
    assert _stored(region) == (0, 0)


def test_a_release_whose_report_shows_k_below_the_minimum_is_refused(
    region: Region,
) -> None:
    payload = _payload(region)
    report = dict(payload["disclosure_report"])  # type: ignore[call-overload]
    report["k_achieved"] = 3
    status = _receive(
        region,
        _envelope(
            region,
            {**payload, "disclosure_report": report},
            sender=district_party("GB"),
        ),
    )

    assert status == "dead"
    assert _stored(region) == (0, 0)


def test_records_below_k_are_refused_whatever_the_report_says(region: Region) -> None:
    payload = _payload(region)
    records = list(payload["records"])  # type: ignore[call-overload]
    # One record moved to a zip area of its own: a group of one.
    records[0] = {**records[0], "zip3": "999"}

    status = _receive(
        region,
        _envelope(region, {**payload, "records": records}, sender=district_party("GB")),
    )

    assert status == "dead"
    assert _stored(region) == (0, 0)


def test_a_newer_release_supersedes_and_history_stays(region: Region) -> None:
    first = _payload(region)
    _receive(region, _envelope(region, first, sender=district_party("GB")))
    second = _payload(region)

    _receive(region, _envelope(region, second, sender=district_party("GB")))

    with region.hub.engine.connect() as connection:
        rows = connection.execute(
            select(releases.c.id, releases.c.superseded_by).order_by(releases.c.id)
        ).all()
    assert [(row.id, row.superseded_by) for row in rows] == [(1, 2), (2, None)]
