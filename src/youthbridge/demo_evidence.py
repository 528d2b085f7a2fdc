"""The evidence of the demo's consent path: the form signed, and what is left.

The families sign one electronic form whose exact text is kept here, so that
its SHA-256 in the signature evidence can be checked against it. After a
revocation, the hub's database is scanned for the identifying values that the
district's disclosure log says it released.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import MetaData, select

from youthbridge.district.disclosure_log import DisclosureCopy
from youthbridge.district.hub_link import HUB_PARTY
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import (
    ConsentDraft,
    RecordCategory,
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
)
from youthbridge.hub.node import HubNode
from youthbridge.storage.base import utcnow

# The exact text the signer is shown; the signature evidence keeps its hash.
FORM_VERSION = "demo-1"
FORM_TEXT = (
    "Release of information (youthbridge demonstration form, version demo-1,"
    " English). I agree that the school district may share the records named"
    " on this form with the city's youth programme, for case management, until"
    " the date shown or until I withdraw this consent in writing."
)
FORM_SHA256 = hashlib.sha256(FORM_TEXT.encode("utf-8")).hexdigest()

# The released fields that identify a student or a guardian, looked for in the
# hub's database once the consent is revoked.
_IDENTIFYING = (
    "student_id",
    "guardian_id",
    "first_name",
    "last_name",
    "street",
    "phone",
    "email",
)


def moment(day: date) -> datetime:
    """Now, on the path's day when it is today; noon UTC on any other day."""
    now = utcnow()
    return now if day == now.date() else datetime.combine(day, time(12), tzinfo=UTC)


def consent_form(
    categories: tuple[RecordCategory, ...], signer: SignerCapacity, day: date
) -> ConsentDraft:
    """The demo's form, signed electronically on `day` by `signer`."""
    # A parent signs from home with a code sent to the phone the school has on
    # file; a student of age signs at school, in front of the counselor.
    known_by = (
        SignerAuthentication.IN_PERSON_IDENTITY_CHECK
        if signer is SignerCapacity.STUDENT
        else SignerAuthentication.CODE_TO_PHONE_ON_FILE
    )
    return ConsentDraft(
        categories=categories,
        purpose=Purpose.CASE_MANAGEMENT,
        receiving_party=HUB_PARTY,
        signer_capacity=signer,
        signature_method=SignatureMethod.ELECTRONIC,
        authentication=known_by,
        document_sha256=FORM_SHA256,
        signed_at=moment(day),
        signed_on=day,
        form_language="en",
        form_version=FORM_VERSION,
    )


def identifying_values(copies: Iterable[DisclosureCopy]) -> set[str]:
    """The identifying values that the district disclosed, from its own log."""
    values: set[str] = set()
    for copy in copies:
        for row in copy.content.get(str(RecordCategory.CONTACT), []):
            values |= {
                value
                for name in _IDENTIFYING
                if isinstance(value := row.get(name), str) and len(value) >= 4
            }
    return values


def values_in_database(hub: HubNode, sought: set[str]) -> set[str]:
    """Which of these values any text column of the hub's database holds.

    A value counts as found when a column holds it exactly, or quoted as JSON
    would hold it inside a longer text (a stored message, an audit detail).
    """
    tables = MetaData()
    tables.reflect(hub.engine)
    quoted = {value: json.dumps(value, ensure_ascii=False) for value in sought}
    found: set[str] = set()
    with hub.engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for cell in row:
                    if isinstance(cell, str):
                        found |= _matches(cell, quoted)
    return found


def _matches(cell: str, quoted: dict[str, str]) -> set[str]:
    return {
        value for value, as_json in quoted.items() if cell == value or as_json in cell
    }
