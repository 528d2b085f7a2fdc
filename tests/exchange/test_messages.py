"""Payloads are strict: closed codes, no extra fields, no free text."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from youthbridge.exchange.errors import PayloadInvalid
from youthbridge.exchange.messages import (
    ConsentNotice,
    DeidentifiedRelease,
    Envelope,
    MessageType,
    ProgressUpdate,
    RecordRelease,
    parse_payload,
    read_payload,
)
from youthbridge.exchange.vocabulary import (
    ConsentOutcome,
    RecordCategory,
    progress_codes,
)

from .conftest import progress


def _progress_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = progress().model_dump(mode="json")
    data.update(changes)
    return data


def test_message_types_are_readable_strings() -> None:
    assert [item.value for item in MessageType] == [
        "release:deidentified",
        "outreach:request",
        "outreach:outcome",
        "consent:notice",
        "record:release",
        "progress:update",
        "consent:revoked",
        "destruction:certificate",
        "ack",
    ]


@pytest.mark.parametrize(
    "code",
    ["enrolled", "engaged", "goal-progress", "services-started:tutoring"],
)
def test_progress_update_takes_the_listed_codes(code: str) -> None:
    parsed = parse_payload(MessageType.PROGRESS_UPDATE, _progress_data(codes=[code]))

    assert isinstance(parsed, ProgressUpdate)
    assert parsed.codes == (code,)


@pytest.mark.parametrize(
    "code",
    [
        "Engaged well, mum says things are better at home",
        "services-started:probation",
        "closed:",
        "ENGAGED",
    ],
)
def test_progress_update_refuses_anything_off_the_list(code: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        parse_payload(MessageType.PROGRESS_UPDATE, _progress_data(codes=[code]))

    assert refused.value.code == "message:payload"
    assert [problem.column for problem in refused.value.problems] == ["codes.0"]
    assert all(problem.value is None for problem in refused.value.problems)


def test_a_refusal_never_repeats_the_refused_text() -> None:
    text = "Engaged well, mum says things are better at home"

    with pytest.raises(PayloadInvalid) as refused:
        parse_payload(MessageType.PROGRESS_UPDATE, _progress_data(codes=[text]))

    shown = [refused.value.message, *(p.describe() for p in refused.value.problems)]
    assert not any("mum" in line for line in shown)


def test_progress_update_refuses_a_note_field() -> None:
    data = _progress_data(note="asked about the family's housing")

    with pytest.raises(PayloadInvalid) as refused:
        parse_payload(MessageType.PROGRESS_UPDATE, data)

    assert [problem.column for problem in refused.value.problems] == ["note"]


def test_the_model_itself_refuses_free_text_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        progress(codes=("met with the family on Tuesday",))

    assert "Tuesday" not in str(refused.value)


def test_every_progress_code_has_a_known_shape() -> None:
    for code in progress_codes():
        head, _, tail = code.partition(":")
        assert head in {"enrolled", "engaged", "goal-progress"} or (
            head in {"services-started", "closed"} and tail
        )


def test_an_unknown_payload_version_is_refused() -> None:
    with pytest.raises(PayloadInvalid, match="version 2 of `progress:update`"):
        parse_payload(MessageType.PROGRESS_UPDATE, _progress_data(version=2))


def test_a_decline_carries_no_consent_details() -> None:
    with pytest.raises(ValidationError, match="only an acceptance"):
        ConsentNotice(
            referral_id=uuid.uuid4(),
            pseudonym="P-7QK2M9",
            outcome=ConsentOutcome.DECLINED,
            categories=(RecordCategory.GRADES,),
        )


def test_an_acceptance_names_its_consent() -> None:
    with pytest.raises(ValidationError, match="an acceptance names"):
        ConsentNotice(
            referral_id=uuid.uuid4(),
            pseudonym="P-7QK2M9",
            outcome=ConsentOutcome.ACCEPTED,
        )


def test_a_record_release_stays_within_its_categories() -> None:
    with pytest.raises(ValidationError, match="categories the release does not"):
        RecordRelease(
            pseudonym="P-7QK2M9",
            consent_id=uuid.uuid4(),
            categories=(RecordCategory.ATTENDANCE,),
            records={RecordCategory.DISCIPLINE: ({"action": "suspension"},)},
        )


def test_a_deidentified_release_refuses_a_direct_identifier() -> None:
    with pytest.raises(ValidationError, match=r"row 1 carries direct identifiers"):
        DeidentifiedRelease(
            district_code="RVB",
            school_year="2024-2025",
            generated_at=datetime(2025, 6, 30, 12, tzinfo=UTC),
            records=({"pseudonym": "P-1"}, {"pseudonym": "P-2", "birth_date": "x"}),
            disclosure_report={"k": 5},
        )


def test_times_are_kept_in_utc() -> None:
    eastern = timezone(timedelta(hours=-5))

    release = DeidentifiedRelease(
        district_code="RVB",
        school_year="2024-2025",
        generated_at=datetime(2025, 6, 30, 8, tzinfo=eastern),
        records=(),
        disclosure_report={},
    )

    assert release.generated_at == datetime(2025, 6, 30, 13, tzinfo=UTC)
    assert release.generated_at.tzinfo is UTC


def test_a_school_year_runs_into_the_next() -> None:
    with pytest.raises(ValidationError, match="one year into the next"):
        DeidentifiedRelease(
            district_code="RVB",
            school_year="2024-2026",
            generated_at=datetime(2025, 6, 30, tzinfo=UTC),
            records=(),
            disclosure_report={},
        )


def test_read_payload_checks_the_message_type() -> None:
    envelope = Envelope(
        message_id=uuid.uuid4(),
        type=MessageType.PROGRESS_UPDATE,
        sender="hub:city",
        recipient="district:riverbend",
        idempotency_key="k-1",
        created_at=datetime(2025, 3, 14, tzinfo=UTC),
        sequence=1,
        payload=progress().model_dump(mode="json"),
    )

    assert read_payload(envelope, ProgressUpdate).as_of == date(2025, 3, 14)
    with pytest.raises(PayloadInvalid, match="not `consent:notice`"):
        read_payload(envelope, ConsentNotice)
