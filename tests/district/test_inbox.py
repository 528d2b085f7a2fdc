"""What the district keeps of the hub's progress updates and destruction notices."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.district.consent_scenario import (
    COUNSELOR_ROSA,
    DATA_STEWARD_DANA,
    MARISOL,
    load_district,
)
from tests.district.outreach_helpers import at, hub_envelope, pseudonym
from youthbridge.district.inbox import district_dispatch, district_inbox_handlers
from youthbridge.district.node import DistrictNode
from youthbridge.district.student_view import (
    DestructionItem,
    ProgressItem,
    student_view,
)
from youthbridge.domain.consent import RecordCategory
from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.messages import (
    DestructionCertificate,
    MessageType,
    OutreachOutcome,
    Payload,
    ProgressUpdate,
)
from youthbridge.exchange.vocabulary import OutreachResult


@pytest.fixture
def node(open_node: Callable[..., DistrictNode], tmp_path: Path) -> DistrictNode:
    district = open_node("T1")
    load_district(district, tmp_path / "export")
    return district


def _deliver(node: DistrictNode, payload: Payload) -> None:
    apply = district_dispatch(node, clock=lambda: at(date(2025, 4, 2)))
    with node.sessions.begin() as session:
        apply(session, hub_envelope(node, payload))


def test_the_district_takes_the_three_messages_the_hub_sends_it(
    node: DistrictNode,
) -> None:
    handlers = district_inbox_handlers(node)

    assert sorted(handlers) == sorted(
        [
            MessageType.OUTREACH_REQUEST,
            MessageType.PROGRESS_UPDATE,
            MessageType.DESTRUCTION_CERTIFICATE,
        ]
    )


def test_progress_codes_reach_the_students_counselor(node: DistrictNode) -> None:
    update = ProgressUpdate(
        pseudonym=pseudonym(node, MARISOL),
        case_id=uuid.uuid4(),
        as_of=date(2025, 4, 1),
        codes=("enrolled", "services-started:mentoring"),
    )

    _deliver(node, update)

    view = student_view(node, actor=COUNSELOR_ROSA, student_id=MARISOL)
    assert view.progress == (
        ProgressItem(date(2025, 4, 1), ("enrolled", "services-started:mentoring")),
    )


def test_the_data_steward_sees_the_record_without_progress(node: DistrictNode) -> None:
    update = ProgressUpdate(
        pseudonym=pseudonym(node, MARISOL),
        case_id=uuid.uuid4(),
        as_of=date(2025, 4, 1),
        codes=("engaged",),
    )
    _deliver(node, update)

    view = student_view(node, actor=DATA_STEWARD_DANA, student_id=MARISOL)

    assert (view.first_name, view.grade, view.progress) == ("Marisol", "08", ())


def test_a_destruction_certificate_is_kept_for_school_staff(node: DistrictNode) -> None:
    certificate = DestructionCertificate(
        certificate_id=uuid.uuid4(),
        consent_id=uuid.uuid4(),
        pseudonym=pseudonym(node, MARISOL),
        categories=(RecordCategory.CONTACT, RecordCategory.GRADES),
        destroyed_at=datetime(2025, 4, 1, 18, 0, tzinfo=UTC),
        items_destroyed=7,
    )

    _deliver(node, certificate)

    view = student_view(node, actor=COUNSELOR_ROSA, student_id=MARISOL)
    assert view.destructions == (
        DestructionItem(
            datetime(2025, 4, 1, 18, 0, tzinfo=UTC),
            ("contact", "grades"),
            certificate.certificate_id,
        ),
    )


def test_progress_for_an_unknown_pseudonym_is_refused(node: DistrictNode) -> None:
    update = ProgressUpdate(
        pseudonym="T1-NOSUCHSTUDENT00000",
        case_id=uuid.uuid4(),
        as_of=date(2025, 4, 1),
        codes=("engaged",),
    )

    with pytest.raises(NotFound) as refused:
        _deliver(node, update)

    assert refused.value.code == "pseudonym:unknown"


def test_a_message_a_district_never_receives_is_refused(node: DistrictNode) -> None:
    outcome = OutreachOutcome(
        request_id=uuid.uuid4(),
        pseudonym=pseudonym(node, MARISOL),
        result=OutreachResult.DECLINED,
    )

    with pytest.raises(Refused) as refused:
        _deliver(node, outcome)

    assert refused.value.code == "message:type"
