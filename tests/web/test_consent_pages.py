"""The district's consent pages: the form the family signs, releases, receipts."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from tests.web.browsing import signed_in_client
from tests.web.conftest import WebRegion
from tests.web.scenario import (
    ask_about,
    case_of,
    family_reached,
    family_signs,
    records_released,
)
from youthbridge.domain.consent import RecordCategory
from youthbridge.hub.casefile import case_file
from youthbridge.security.permissions import Role
from youthbridge.storage.consent_tables import ConsentRecord, DisclosureLogEntry
from youthbridge.web.district.consent_form import Answers, signed_text

_TYPED = ("lang", "method", "purpose", "signed_on", "signer_name", "signature")
_EMPTY_FORM = {
    "method": "tablet",
    "purpose": "case-management",
    "signed_on": "2026-01-05",
}


def _consents_of(web_region: WebRegion, student_id: str) -> list[ConsentRecord]:
    node = web_region.region.districts["0180"]
    with node.sessions() as session:
        query = select(ConsentRecord).where(ConsentRecord.student_id == student_id)
        return list(session.scalars(query))


def _disclosures(web_region: WebRegion) -> int:
    node = web_region.region.districts["0180"]
    with node.sessions() as session:
        count = session.scalar(select(func.count()).select_from(DisclosureLogEntry))
        return int(count or 0)


def test_an_empty_form_names_every_missing_answer_in_english(
    web_region: WebRegion,
) -> None:
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = family_reached(
        web_region,
        counselor,
        ask_about(web_region, web_region.staff()[Role.CASE_MANAGER]),
    )
    client, token = signed_in_client(web_region.district_app(), counselor)

    page = client.post(
        f"/outreach/{asked.referral_id}/consent",
        data=_EMPTY_FORM | {"csrf_token": token, "lang": "en"},
    )

    assert page.status_code == 422
    assert "4 answer(s) are missing or need a change" in page.text
    assert "Choose at least one kind of record to share." in page.text
    assert "Say whether you sign as parent, guardian or student." in page.text
    assert "Write the full name of the person signing." in page.text
    assert "Type your name as your signature." in page.text
    assert _consents_of(web_region, asked.student_id) == []
    assert str(asked.referral_id) in client.get("/outreach").text


def test_the_same_form_speaks_spanish_to_a_spanish_speaking_family(
    web_region: WebRegion,
) -> None:
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = family_reached(
        web_region,
        counselor,
        ask_about(web_region, web_region.staff()[Role.CASE_MANAGER]),
    )
    client, token = signed_in_client(web_region.district_app(), counselor)

    page = client.post(
        f"/outreach/{asked.referral_id}/consent",
        data=_EMPTY_FORM
        | {"csrf_token": token, "lang": "es", "signer_name": "Ana Ejemplo"},
    )

    assert page.status_code == 422
    assert '<html lang="es">' in page.text
    assert "faltan o hay que cambiar 3 respuesta(s)" in page.text
    assert "Elija al menos un tipo de registro para compartir." in page.text
    assert "Indique si firma como madre o padre, tutor legal o estudiante." in (
        page.text
    )
    assert "Escriba su nombre como firma." in page.text
    # What the family typed is kept on the form for them to finish.
    assert 'value="Ana Ejemplo"' in page.text
    assert _consents_of(web_region, asked.student_id) == []


def test_a_tablet_signature_keeps_the_hash_of_what_the_family_saw(
    web_region: WebRegion,
) -> None:
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = family_reached(
        web_region,
        counselor,
        ask_about(web_region, web_region.staff()[Role.CASE_MANAGER]),
    )
    client, token = signed_in_client(web_region.district_app(), counselor)
    today = client.get(f"/outreach/{asked.referral_id}/consent?lang=es")
    signed_on = today.text.split('name="signed_on" type="date" value="')[1][:10]
    chosen = ["contact", "grades"]
    answers = Answers(
        "es", "tablet", chosen, "parent", "case-management", signed_on, "",
        "Ana Ejemplo", "Ana Ejemplo",
    )  # fmt: skip

    receipt = client.post(
        f"/outreach/{asked.referral_id}/consent",
        data={"csrf_token": token, "category": chosen, "capacity": "parent"}
        | {name: getattr(answers, name) for name in _TYPED},
    )

    assert receipt.status_code == 200, receipt.text
    assert "comprobante" in receipt.text
    assert "datos de contacto" in receipt.text
    [consent] = _consents_of(web_region, asked.student_id)
    expected = hashlib.sha256(signed_text(answers).encode("utf-8")).hexdigest()
    assert consent.document_sha256 == expected
    assert consent.form_language == "es"
    assert consent.categories == ["contact", "grades"]
    assert case_of(web_region, asked)


def test_a_scanned_paper_form_keeps_the_scans_hash(web_region: WebRegion) -> None:
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = family_reached(
        web_region,
        counselor,
        ask_about(web_region, web_region.staff()[Role.CASE_MANAGER]),
    )
    client, token = signed_in_client(web_region.district_app(), counselor)
    scan = b"%PDF-1.4 a scanned release, signed on paper\n"

    receipt = client.post(
        f"/outreach/{asked.referral_id}/consent",
        data={
            "csrf_token": token,
            "lang": "en",
            "method": "scan",
            "category": ["attendance"],
            "capacity": "guardian",
            "purpose": "service-referral",
            "signed_on": "2026-01-05",
        },
        files={"scan": ("release.pdf", scan, "application/pdf")},
    )

    assert receipt.status_code == 200, receipt.text
    assert "scanned-paper-form" in receipt.text
    [consent] = _consents_of(web_region, asked.student_id)
    assert consent.document_sha256 == hashlib.sha256(scan).hexdigest()
    assert consent.signature_method == "scanned-paper"


def test_a_scan_chosen_without_a_file_is_asked_for(web_region: WebRegion) -> None:
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = family_reached(
        web_region,
        counselor,
        ask_about(web_region, web_region.staff()[Role.CASE_MANAGER]),
    )
    client, token = signed_in_client(web_region.district_app(), counselor)

    page = client.post(
        f"/outreach/{asked.referral_id}/consent",
        data=_EMPTY_FORM
        | {
            "csrf_token": token,
            "method": "scan",
            "category": "contact",
            "capacity": "parent",
        },
    )

    assert page.status_code == 422
    assert "Choose the file with the scan of the signed form." in page.text
    assert _consents_of(web_region, asked.student_id) == []


def test_the_release_form_offers_only_the_consented_categories(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    client, _token = signed_in_client(
        web_region.district_app(), district[Role.DATA_STEWARD]
    )

    page = client.get(f"/consents/{consent_id}/release")

    assert page.status_code == 200
    assert 'value="contact"' in page.text
    assert 'value="attendance"' in page.text
    assert 'value="discipline"' not in page.text
    assert 'value="grades"' not in page.text


def test_a_release_of_a_category_the_consent_does_not_name_is_refused(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    client, token = signed_in_client(
        web_region.district_app(), district[Role.DATA_STEWARD]
    )
    before = _disclosures(web_region)

    page = client.post(
        f"/consents/{consent_id}/release",
        data={"csrf_token": token, "category": ["contact", "discipline"]},
    )

    assert page.status_code == 422
    assert 'data-code="release:refused"' in page.text
    assert "no active consent covers discipline" in page.text
    assert _disclosures(web_region) == before
    opened = case_file(
        web_region.region.hub,
        actor=case_manager.account,
        case_id=case_of(web_region, asked),
        purpose="case-management",
    )
    assert opened.records == {}


def test_a_release_reaches_the_case_and_the_familys_log(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    client, token = signed_in_client(
        web_region.district_app(), district[Role.DATA_STEWARD]
    )

    done = client.post(
        f"/consents/{consent_id}/release",
        data={"csrf_token": token, "category": ["attendance"]},
    )
    copy = client.get(f"/disclosures?student={asked.student_id}&lang=es")

    assert "The records were released and the release was logged." in done.text
    assert "Su copia del registro de divulgaciones" in copy.text
    assert "<td>Asistencia</td>" in copy.text
    assert str(consent_id) in copy.text
    opened = case_file(
        web_region.region.hub,
        actor=case_manager.account,
        case_id=case_of(web_region, asked),
        purpose="case-management",
    )
    assert list(opened.records) == ["attendance"]


def test_the_receipt_prints_in_either_language(web_region: WebRegion) -> None:
    district = web_region.staff("0180")
    asked = ask_about(web_region, web_region.staff()[Role.CASE_MANAGER])
    consent_id = family_signs(
        web_region,
        district[Role.SCHOOL_COUNSELOR],
        asked,
        (RecordCategory.DISCIPLINE,),
    )
    client, _token = signed_in_client(
        web_region.district_app(), district[Role.SCHOOL_COUNSELOR]
    )

    english = client.get(f"/consents/{consent_id}/receipt?lang=en")
    spanish = client.get(f"/consents/{consent_id}/receipt?lang=es")

    assert "Your release of information: receipt" in english.text
    assert "This release includes behaviour or discipline records." in english.text
    assert '<html lang="es">' in spanish.text
    assert "medidas disciplinarias" in spanish.text
    assert str(consent_id) in spanish.text


def test_the_register_groups_consents_and_revoking_ends_the_case(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    records_released(web_region, district[Role.DATA_STEWARD], asked)
    client, token = signed_in_client(
        web_region.district_app(), district[Role.DATA_STEWARD]
    )
    listed = client.get("/consents").text
    assert 'id="group-active"' in listed
    assert f'data-consent="{consent_id}"' in listed

    done = client.post(
        f"/consents/{consent_id}/revoke", data={"csrf_token": token, "by": "parent"}
    )

    assert "The consent was revoked" in done.text
    revoked = done.text.split('id="group-revoked"')[1]
    assert f'data-consent="{consent_id}"' in revoked.split("</section>")[0]
    opened = case_file(
        web_region.region.hub,
        actor=case_manager.account,
        case_id=case_of(web_region, asked),
        purpose="case-management",
    )
    assert not opened.consent.live
    assert opened.records == {}


def test_a_counselor_may_not_revoke_or_release(web_region: WebRegion) -> None:
    district = web_region.staff("0180")
    asked = ask_about(web_region, web_region.staff()[Role.CASE_MANAGER])
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    client, token = signed_in_client(
        web_region.district_app(), district[Role.SCHOOL_COUNSELOR]
    )

    listed = client.get("/consents")
    revoke = client.post(
        f"/consents/{consent_id}/revoke", data={"csrf_token": token, "by": "parent"}
    )
    release = client.get(f"/consents/{consent_id}/release")

    assert f"/consents/{consent_id}/revoke" not in listed.text
    assert revoke.status_code == 403
    assert release.status_code == 403
