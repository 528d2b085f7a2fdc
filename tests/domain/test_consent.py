"""Consent validity, computed at each use: the issue's cases, one test each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from tests.domain.consent_factory import consent, draft, with_fields
from youthbridge.domain.agreement import Agreement, LeapDayBirthday, Purpose
from youthbridge.domain.consent import (
    Consent,
    ConsentDraft,
    ConsentState,
    Decision,
    MajorityWarning,
    RecordCategory,
    SignatureMethod,
    SignerCapacity,
    consent_state,
    covering_consent,
    default_expiry,
    majority_day,
    majority_warning,
    revoke,
    validate_consent,
)
from youthbridge.domain.errors import Refused

TERMS = Agreement()
BORN = date(2010, 5, 20)  # a student who stays a minor in every case below
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _covers(
    consents: list[Consent], category: RecordCategory, on: date, born: date = BORN
) -> Decision:
    return covering_consent(consents, category, on, born, TERMS)


# -- validation ---------------------------------------------------------------


def test_an_empty_form_reports_every_missing_field_at_once() -> None:
    with pytest.raises(Refused) as refused:
        validate_consent(
            ConsentDraft(signature_method=SignatureMethod.ELECTRONIC),
            consent_id=uuid4(),
            recorded_at=NOW,
            agreement=TERMS,
        )

    assert refused.value.code == "consent:invalid"
    assert sorted(problem.column or "" for problem in refused.value.problems) == [
        "authentication",
        "categories",
        "document_sha256",
        "form_language",
        "form_version",
        "purpose",
        "receiving_party",
        "signed_at",
        "signed_on",
        "signer_capacity",
        "student",
    ]


def test_a_scanned_paper_form_needs_no_sign_in_method_nor_time() -> None:
    paper = with_fields(
        draft(),
        signature_method=SignatureMethod.SCANNED_PAPER,
        authentication=None,
        signed_at=None,
    )

    stored = validate_consent(
        paper, consent_id=uuid4(), recorded_at=NOW, agreement=TERMS
    )

    assert stored.signature.method is SignatureMethod.SCANNED_PAPER
    assert stored.signature.signed_at is None


def test_a_bad_hash_a_naive_time_and_a_backwards_expiry_are_all_reported() -> None:
    form = with_fields(
        draft(expires_on=date(2024, 8, 1)),
        document_sha256="not-a-hash",
        signed_at=datetime(2024, 9, 1, 12),  # noqa: DTZ001 (the mistake under test)
        form_language="English",
    )

    with pytest.raises(Refused) as refused:
        validate_consent(form, consent_id=uuid4(), recorded_at=NOW, agreement=TERMS)

    assert [problem.rule for problem in refused.value.problems] == [
        "consent:form",
        "consent:expiry",
        "consent:signature",
        "consent:signature",
    ]


def test_a_minor_cannot_sign_their_own_release() -> None:
    form = draft(capacity=SignerCapacity.STUDENT, signed_on=date(2025, 3, 14))

    with pytest.raises(Refused) as refused:
        validate_consent(
            form,
            consent_id=uuid4(),
            recorded_at=NOW,
            agreement=TERMS,
            birth_date=date(2007, 3, 15),
        )

    [problem] = refused.value.problems
    assert problem.rule == "consent:signer"
    assert "from 2025-03-15" in problem.message


def test_a_purpose_outside_the_agreement_is_refused() -> None:
    narrow = Agreement(purposes=(Purpose.TREND_ANALYSIS,))

    with pytest.raises(Refused) as refused:
        validate_consent(draft(), consent_id=uuid4(), recorded_at=NOW, agreement=narrow)

    assert [problem.rule for problem in refused.value.problems] == ["consent:purpose"]


@pytest.mark.parametrize(
    ("signed_on", "expires_on"),
    [
        (date(2024, 9, 1), date(2026, 6, 30)),  # in 2024-25: the end of 2025-26
        (date(2025, 6, 30), date(2026, 6, 30)),  # the last day of 2024-25
        (date(2025, 7, 1), date(2027, 6, 30)),  # the first day of 2025-26
    ],
)
def test_the_default_expiry_is_the_end_of_the_next_school_year(
    signed_on: date, expires_on: date
) -> None:
    assert default_expiry(signed_on, TERMS) == expires_on
    assert consent(signed_on=signed_on).expires_on == expires_on


def test_the_default_expiry_follows_the_agreements_first_school_day() -> None:
    august = Agreement(school_year_start_month=8, school_year_start_day=15)

    # 2024-08-01 is still in 2023-24 for this agreement; 2024-25 ends 2025-08-14.
    assert default_expiry(date(2024, 8, 1), august) == date(2025, 8, 14)


# -- the cases ----------------------------------------------------------


def _two_consents() -> tuple[Consent, Consent]:
    current = consent(signed_on=date(2024, 9, 1), expires_on=date(2025, 8, 31))
    older_recorded_later = consent(
        signed_on=date(2023, 8, 15),
        expires_on=date(2024, 8, 14),
        recorded_on=date(2024, 10, 2),
    )
    return current, older_recorded_later


def test_of_two_consents_the_current_one_covers_on_1_march_2025() -> None:
    current, older = _two_consents()

    decision = _covers([current, older], RecordCategory.ATTENDANCE, date(2025, 3, 1))

    assert decision.allowed
    assert decision.consent_id == current.consent_id
    assert decision.rule == "consent:active"


def test_an_expired_consent_recorded_later_never_overrides_the_current_one() -> None:
    current, older = _two_consents()
    on = date(2025, 3, 1)

    state = consent_state(
        current, on, birth_date=BORN, later_consents=[older], agreement=TERMS
    )
    older_state = consent_state(
        older, on, birth_date=BORN, later_consents=[current], agreement=TERMS
    )

    assert (state, older_state) == (ConsentState.ACTIVE, ConsentState.EXPIRED)


def test_on_1_september_2025_both_have_expired_and_nothing_ran() -> None:
    current, older = _two_consents()

    decision = _covers([current, older], RecordCategory.ATTENDANCE, date(2025, 9, 1))

    assert not decision.allowed
    assert decision.rule == "consent:expired"
    assert decision.reason == f"consent {current.consent_id} expired on 2025-08-31"


def test_the_last_day_of_a_consent_still_covers() -> None:
    current, older = _two_consents()

    assert _covers([current, older], RecordCategory.GRADES, date(2025, 8, 31)).allowed


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(date(2025, 1, 31), True), (date(2025, 2, 1), False), (date(2025, 6, 1), False)],
)
def test_a_consent_revoked_on_1_february_covers_nothing_from_that_day(
    on: date, allowed: bool
) -> None:
    revoked = revoke(
        consent(signed_on=date(2024, 9, 1)),
        by=SignerCapacity.PARENT,
        on=date(2025, 2, 1),
        recorded_at=NOW,
    )

    decision = _covers([revoked], RecordCategory.CONTACT, on)

    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "consent:revoked"
        assert decision.reason.endswith("was revoked on 2025-02-01")


def test_only_the_signer_revokes_and_only_once() -> None:
    signed = consent()

    with pytest.raises(Refused) as by_other:
        revoke(signed, by=SignerCapacity.GUARDIAN, on=date(2025, 2, 1), recorded_at=NOW)
    done = revoke(
        signed, by=SignerCapacity.PARENT, on=date(2025, 2, 1), recorded_at=NOW
    )
    with pytest.raises(Refused) as twice:
        revoke(done, by=SignerCapacity.PARENT, on=date(2025, 2, 2), recorded_at=NOW)

    assert (by_other.value.code, twice.value.code) == (
        "consent:revoke-signer",
        "consent:revoked",
    )


TURNS_18 = date(2007, 3, 15)


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (date(2025, 3, 14), True),
        (date(2025, 3, 15), False),
        (date(2025, 3, 19), False),
    ],
)
def test_a_parents_consent_stops_on_the_students_18th_birthday(
    on: date, allowed: bool
) -> None:
    parents = consent(signed_on=date(2024, 9, 1))

    decision = _covers([parents], RecordCategory.GRADES, on, born=TURNS_18)

    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "consent:signer-no-longer-authorised"
        assert "birthday of majority on 2025-03-15" in decision.reason


def test_once_the_student_signs_their_own_consent_covers_again() -> None:
    parents = consent(signed_on=date(2024, 9, 1))
    students = consent(signed_on=date(2025, 3, 20), capacity=SignerCapacity.STUDENT)
    both = [parents, students]

    before = _covers(both, RecordCategory.GRADES, date(2025, 3, 19), born=TURNS_18)
    after = _covers(both, RecordCategory.GRADES, date(2025, 3, 20), born=TURNS_18)

    assert not before.allowed
    assert (after.allowed, after.consent_id) == (True, students.consent_id)
    assert (
        consent_state(
            parents,
            date(2025, 3, 20),
            birth_date=TURNS_18,
            later_consents=both,
            agreement=TERMS,
        )
        is ConsentState.SUPERSEDED
    )


def test_grades_are_refused_under_a_consent_naming_only_attendance() -> None:
    attendance_only = consent(categories=(RecordCategory.ATTENDANCE,))

    decision = _covers([attendance_only], RecordCategory.GRADES, date(2025, 3, 1))

    assert not decision.allowed
    assert decision.rule == "consent:category"
    assert "names `grades`" in decision.reason


def test_a_consent_signed_after_the_day_asked_about_is_not_yet_valid() -> None:
    later = consent(signed_on=date(2025, 4, 1))

    decision = _covers([later], RecordCategory.CONTACT, date(2025, 3, 1))

    assert decision.rule == "consent:not-yet-valid"


def test_a_consent_for_another_purpose_does_not_cover() -> None:
    decision = covering_consent(
        [consent()],
        RecordCategory.CONTACT,
        date(2025, 3, 1),
        BORN,
        TERMS,
        purpose=Purpose.PROGRAMME_EVALUATION,
    )

    assert decision.rule == "consent:category"


def test_another_students_consent_never_supersedes() -> None:
    mine = consent(signed_on=date(2024, 9, 1))
    theirs = consent(signed_on=date(2024, 10, 1), student="T1-ZZZZZZZZZZZZZZZZZZZZ")

    assert _covers([mine, theirs], RecordCategory.CONTACT, date(2025, 3, 1)).allowed


# -- majority --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "birthday"),
    [
        (LeapDayBirthday.MARCH_1, date(2026, 3, 1)),
        (LeapDayBirthday.FEBRUARY_28, date(2026, 2, 28)),
    ],
)
def test_a_student_born_on_29_february_comes_of_age_as_the_agreement_says(
    rule: LeapDayBirthday, birthday: date
) -> None:
    terms = Agreement(leap_day_birthday=rule)

    assert majority_day(date(2008, 2, 29), terms) == birthday


def test_a_leap_day_birthday_in_a_leap_year_is_29_february() -> None:
    assert majority_day(date(2010, 2, 28), TERMS) == date(2028, 2, 28)
    assert majority_day(date(2012, 2, 29), TERMS) == date(2030, 3, 1)
    assert majority_day(date(2006, 2, 28), TERMS) == date(2024, 2, 28)


def test_a_parents_consent_of_a_leap_day_student_stops_on_1_march() -> None:
    parents = consent(signed_on=date(2025, 9, 1))
    born = date(2008, 2, 29)

    on_28th = _covers([parents], RecordCategory.CONTACT, date(2026, 2, 28), born=born)
    on_1st = _covers([parents], RecordCategory.CONTACT, date(2026, 3, 1), born=born)

    assert (on_28th.allowed, on_1st.allowed) == (True, False)


@pytest.mark.parametrize(
    ("on", "warning"),
    [
        (date(2025, 1, 13), None),  # 61 days before
        (date(2025, 1, 14), MajorityWarning(date(2025, 3, 15), 60)),
        (date(2025, 3, 14), MajorityWarning(date(2025, 3, 15), 1)),
        (date(2025, 3, 15), None),  # the day itself: the consent has stopped
    ],
)
def test_the_majority_warning_starts_60_days_ahead(
    on: date, warning: MajorityWarning | None
) -> None:
    assert majority_warning(TURNS_18, on, TERMS) == warning
