"""The family's consent receipt: Kantara fields, and a printed page in two languages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.domain.consent_factory import FORM_SHA256, STUDENT, consent
from youthbridge.district.receipt import Controller, consent_receipt, render_receipt
from youthbridge.domain.consent import RecordCategory
from youthbridge.domain.errors import Refused

DISTRICT_OFFICE = Controller(
    name="Springfield School District (synthetic)",
    contact="Office of Student Records",
    address="1 Example Plaza, Springfield",
    email="records@district.example",
    phone="303-555-0199",
    url="https://district.example/records",
)


def _receipt(*categories: RecordCategory) -> dict[str, Any]:
    signed = consent(
        signed_on=date(2024, 9, 1),
        expires_on=date(2025, 8, 31),
        categories=categories or tuple(RecordCategory),
    )
    return consent_receipt(signed, controller=DISTRICT_OFFICE, jurisdiction="US-CO")


def test_the_receipt_has_the_kantara_fields() -> None:
    receipt = _receipt(RecordCategory.ATTENDANCE, RecordCategory.DISCIPLINE)

    assert {
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    } <= receipt.keys()
    assert receipt["version"] == "KI-CR-v1.1.0"
    # 2024-09-01 12:00 UTC, the time of the electronic signature.
    assert receipt["consentTimestamp"] == 1725192000
    assert receipt["collectionMethod"] == "electronic-signature:code-to-phone-on-file"
    assert receipt["piiPrincipalId"] == STUDENT
    assert (receipt["sensitive"], receipt["spiCat"]) == (True, ["discipline"])
    assert receipt["formSha256"] == FORM_SHA256
    [service] = receipt["services"]
    [purpose] = service["purposes"]
    assert purpose["piiCategory"] == ["attendance", "discipline"]
    assert purpose["thirdPartyName"] == "hub"
    assert purpose["termination"].startswith("expires 2025-08-31")


def test_a_receipt_without_behaviour_or_discipline_is_not_sensitive() -> None:
    receipt = _receipt(RecordCategory.CONTACT)

    assert (receipt["sensitive"], receipt["spiCat"]) == (False, [])


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", ["Your release of information", "attendance", "Ends on", "2025-08-31"]),
        ("es", ["Su autorización", "asistencia", "Termina el", "padre o madre"]),
    ],
)
def test_the_printed_page_is_in_english_or_spanish(
    language: str, phrases: list[str]
) -> None:
    page = render_receipt(_receipt(), language=language)

    assert f'<html lang="{language}">' in page
    for phrase in phrases:
        assert phrase in page


def test_the_page_names_the_student_only_by_reference() -> None:
    page = render_receipt(_receipt())

    assert STUDENT in page
    assert "Marisol" not in page


def test_another_language_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        render_receipt(_receipt(), language="fr")

    assert refused.value.code == "receipt:language"
