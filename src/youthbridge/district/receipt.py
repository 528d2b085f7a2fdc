"""A receipt for the family: the consent as a Kantara Consent Receipt, and a page.

The receipt follows the Kantara Initiative Consent Receipt Specification (v1.1):
who controls the records, what the family agreed to, for which purposes and
categories, until when, and how it ends. The family is named only by reference
(the student's pseudonym); the page is printed and handed over, in English or
Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import Consent, RecordCategory, SignatureMethod
from youthbridge.domain.errors import Refused

RECEIPT_VERSION = "KI-CR-v1.1.0"
# Discipline and behaviour records are the sensitive ones: they can follow a
# young person, and the family should see that they were named.
_SENSITIVE = (RecordCategory.BEHAVIOUR, RecordCategory.DISCIPLINE)


@dataclass(frozen=True)
class Controller:
    """The district as the controller of the records: its office, not a person."""

    name: str
    contact: str
    address: str
    email: str
    phone: str
    url: str


def consent_receipt(
    consent: Consent,
    *,
    controller: Controller,
    jurisdiction: str = "US",
    policy_url: str = "",
) -> dict[str, Any]:
    """The consent's receipt, with the Kantara fields and their names."""
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(_signed_moment(consent).timestamp()),
        "collectionMethod": _collection_method(consent),
        "consentReceiptID": str(consent.consent_id),
        "language": consent.form_language,
        "piiPrincipalId": consent.student,
        "piiControllers": [
            {
                "piiController": controller.name,
                "onBehalf": False,
                "contact": controller.contact,
                "address": controller.address,
                "email": controller.email,
                "phone": controller.phone,
                "piiControllerUrl": controller.url,
            }
        ],
        "policyUrl": policy_url or controller.url,
        "services": [_service(consent)],
        "sensitive": any(item in _SENSITIVE for item in consent.categories),
        "spiCat": [str(item) for item in consent.categories if item in _SENSITIVE],
        "formVersion": consent.form_version,
        "formSha256": consent.signature.document_sha256,
    }


def _signed_moment(consent: Consent) -> datetime:
    signed_at = consent.signature.signed_at
    if signed_at is not None:
        return signed_at
    return datetime.combine(consent.signed_on, time(0), tzinfo=UTC)


def _collection_method(consent: Consent) -> str:
    signature = consent.signature
    if signature.method is SignatureMethod.SCANNED_PAPER:
        return "scanned-paper-form"
    return f"electronic-signature:{signature.authentication}"


def _service(consent: Consent) -> dict[str, Any]:
    return {
        "service": "youth-support-programme",
        "purposes": [
            {
                "purpose": str(consent.purpose),
                "purposeCategory": [str(consent.purpose)],
                "consentType": "EXPLICIT",
                "piiCategory": [str(item) for item in consent.categories],
                "primaryPurpose": True,
                "termination": (
                    f"expires {consent.expires_on}; ends earlier on revocation by"
                    f" the {consent.signer_capacity}, or on the student's 18th"
                    " birthday for a consent signed by a parent or guardian"
                ),
                "thirdPartyDisclosure": True,
                "thirdPartyName": consent.receiving_party,
            }
        ],
        "signerCapacity": str(consent.signer_capacity),
        "signedOn": consent.signed_on.isoformat(),
        "expiresOn": consent.expires_on.isoformat(),
    }


_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your release of information: receipt",
        "receipt": "Receipt number",
        "student": "Student reference",
        "controller": "Records kept by",
        "receiver": "Records may be given to",
        "purpose": "For this purpose",
        "categories": "These records only",
        "signed": "Signed on",
        "signer": "Signed by the",
        "expires": "Ends on",
        "method": "How it was signed",
        "revoke": (
            "You may take this back at any time by telling the district. From the"
            " day you do, no more records are shared, and the programme must"
            " destroy what it holds. Saying no has no effect on school."
        ),
        "sensitive": "This release includes behaviour or discipline records.",
        "form": "Form version",
        "contact": "Questions",
    },
    "es": {
        "title": "Su autorización para compartir información: comprobante",
        "receipt": "Número de comprobante",
        "student": "Referencia del estudiante",
        "controller": "Registros guardados por",
        "receiver": "Los registros se pueden entregar a",
        "purpose": "Con este propósito",
        "categories": "Solo estos registros",
        "signed": "Firmado el",
        "signer": "Firmado por",
        "expires": "Termina el",
        "method": "Cómo se firmó",
        "revoke": (
            "Puede retirar esta autorización en cualquier momento avisando al"
            " distrito. Desde ese día no se comparten más registros y el programa"
            " debe destruir lo que tenga. Decir que no no afecta en nada a la"
            " escuela."
        ),
        "sensitive": "Esta autorización incluye registros de conducta o disciplina.",
        "form": "Versión del formulario",
        "contact": "Preguntas",
    },
}

_TERMS: dict[str, dict[str, str]] = {
    "en": {
        "contact": "contact details",
        "grades": "grades",
        "attendance": "attendance",
        "behaviour": "behaviour incidents",
        "discipline": "discipline actions",
        "parent": "parent",
        "guardian": "guardian",
        "student": "student",
        Purpose.CASE_MANAGEMENT: "case management",
        Purpose.SERVICE_REFERRAL: "referral to services",
        Purpose.TREND_ANALYSIS: "trend analysis",
        Purpose.PROGRAMME_EVALUATION: "programme evaluation",
    },
    "es": {
        "contact": "datos de contacto",
        "grades": "calificaciones",
        "attendance": "asistencia",
        "behaviour": "incidentes de conducta",
        "discipline": "medidas disciplinarias",
        "parent": "padre o madre",
        "guardian": "tutor legal",
        "student": "estudiante",
        Purpose.CASE_MANAGEMENT: "gestión de casos",
        Purpose.SERVICE_REFERRAL: "derivación a servicios",
        Purpose.TREND_ANALYSIS: "análisis de tendencias",
        Purpose.PROGRAMME_EVALUATION: "evaluación del programa",
    },
}

_ENVIRONMENT = Environment(
    loader=PackageLoader("youthbridge.district", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def render_receipt(receipt: dict[str, Any], *, language: str = "en") -> str:
    """The printable page of a receipt, in English (`en`) or Spanish (`es`)."""
    if language not in _LABELS:
        raise Refused(
            f"the receipt is printed in English (en) or Spanish (es), not `{language}`",
            code="receipt:language",
        )
    template = _ENVIRONMENT.get_template("consent_receipt.html")
    return template.render(
        receipt=receipt,
        purpose=receipt["services"][0]["purposes"][0],
        service=receipt["services"][0],
        controller=receipt["piiControllers"][0],
        label=_LABELS[language],
        term=_TERMS[language],
        language=language,
    )
