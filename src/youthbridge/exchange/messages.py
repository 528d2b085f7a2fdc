"""The messages of the exchange: an envelope, and one payload model per message type.

Every payload is a versioned pydantic model that forbids extra fields, so that a
field nobody agreed to carry (a name, a note) cannot ride along. Free text has no
place in any payload: codes come from closed lists, identifiers from patterns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from youthbridge.domain.errors import Problem
from youthbridge.exchange.errors import PayloadInvalid
from youthbridge.exchange.vocabulary import (
    ConsentOutcome,
    OutreachResult,
    RecordCategory,
    RevocationReason,
    progress_codes,
)


class MessageType(StrEnum):
    DEIDENTIFIED_RELEASE = "release:deidentified"
    OUTREACH_REQUEST = "outreach:request"
    OUTREACH_OUTCOME = "outreach:outcome"
    CONSENT_NOTICE = "consent:notice"
    RECORD_RELEASE = "record:release"
    PROGRESS_UPDATE = "progress:update"
    CONSENT_REVOKED = "consent:revoked"
    DESTRUCTION_CERTIFICATE = "destruction:certificate"
    ACK = "ack"


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _school_year_label(label: str) -> str:
    first, second = label.split("-")
    if int(second) != int(first) + 1:
        raise ValueError("a school year runs from one year into the next")
    return label


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
PartyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9:._-]{0,63}$")]
Pseudonym = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{3,127}$")
]
Code = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-:][a-z0-9]+)*$", max_length=64)
]
DistrictCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
]
SchoolYearLabel = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{4}$"),
    AfterValidator(_school_year_label),
]
JsonObject = dict[str, JsonValue]


class Envelope(BaseModel):
    """One signed message from one party to another; the payload is plain JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    message_id: UUID
    type: MessageType
    sender: PartyId
    recipient: PartyId
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    created_at: UtcDatetime
    subject: Pseudonym | None = None
    sequence: PositiveInt
    payload: JsonObject
    signature: str = ""


class Payload(BaseModel):
    """A message's content: typed, versioned, and closed to unexpected fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    message_type: ClassVar[MessageType]
    version: Literal[1] = 1


# Defence in depth only: disclosure control decides what a release may hold. This
# refuses a release that plainly carries a direct identifier, whatever let it by.
_IDENTIFYING_FIELDS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "middle_name",
        "birth_date",
        "date_of_birth",
        "address",
        "street",
        "phone",
        "email",
        "student_id",
        "state_id",
        "local_id",
        "guardian",
        "guardians",
    }
)


def _no_direct_identifiers(rows: tuple[JsonObject, ...]) -> tuple[JsonObject, ...]:
    for position, row in enumerate(rows):
        found = sorted(_IDENTIFYING_FIELDS.intersection(row))
        if found:
            raise ValueError(
                f"row {position} carries direct identifiers ({', '.join(found)});"
                " a de-identified release may not"
            )
    return rows


DeidentifiedRows = Annotated[
    tuple[JsonObject, ...], AfterValidator(_no_direct_identifiers)
]


class DeidentifiedRelease(Payload):
    """A district's de-identified student-year records for one school year."""

    message_type: ClassVar[MessageType] = MessageType.DEIDENTIFIED_RELEASE

    district_code: DistrictCode
    school_year: SchoolYearLabel
    generated_at: UtcDatetime
    records: DeidentifiedRows
    incidents: DeidentifiedRows = ()
    disclosure_report: JsonObject


class OutreachStudent(BaseModel):
    """One pseudonym the hub asks a district to reach out to, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    pseudonym: Pseudonym
    reasons: tuple[Code, ...] = Field(min_length=1)


class OutreachRequest(Payload):
    """The hub asks a district to offer a programme to some of its students."""

    message_type: ClassVar[MessageType] = MessageType.OUTREACH_REQUEST

    request_id: UUID
    district_code: DistrictCode
    students: tuple[OutreachStudent, ...] = Field(min_length=1)
    offer: Code


class OutreachOutcome(Payload):
    """What a district's outreach to one student's family came to."""

    message_type: ClassVar[MessageType] = MessageType.OUTREACH_OUTCOME

    request_id: UUID
    pseudonym: Pseudonym
    result: OutreachResult


class ConsentNotice(Payload):
    """A family's answer to a referral; only an acceptance carries a consent."""

    message_type: ClassVar[MessageType] = MessageType.CONSENT_NOTICE

    referral_id: UUID
    pseudonym: Pseudonym
    outcome: ConsentOutcome
    consent_id: UUID | None = None
    categories: tuple[RecordCategory, ...] = ()
    expires_on: date | None = None

    @model_validator(mode="after")
    def _consent_only_when_accepted(self) -> ConsentNotice:
        granted = (self.consent_id, self.expires_on, self.categories or None)
        if self.outcome is ConsentOutcome.ACCEPTED:
            if any(part is None for part in granted):
                raise ValueError(
                    "an acceptance names its consent id, categories and expiry"
                )
        elif any(part is not None for part in granted):
            raise ValueError("only an acceptance may carry consent details")
        return self


class RecordRelease(Payload):
    """Identified records of one student, only in the categories consented to."""

    message_type: ClassVar[MessageType] = MessageType.RECORD_RELEASE

    pseudonym: Pseudonym
    consent_id: UUID
    categories: tuple[RecordCategory, ...] = Field(min_length=1)
    records: dict[RecordCategory, tuple[JsonObject, ...]]

    @model_validator(mode="after")
    def _records_within_categories(self) -> RecordRelease:
        beyond = sorted(set(self.records) - set(self.categories))
        if beyond:
            raise ValueError(
                f"records in categories the release does not name: {', '.join(beyond)}"
            )
        return self


_PROGRESS_CODES = progress_codes()


def _known_progress_code(code: str) -> str:
    # The refused value is not repeated in the error: it may be the very free
    # text this check exists to keep out of messages and out of logs.
    if code not in _PROGRESS_CODES:
        raise ValueError(
            "not a progress code; use enrolled, engaged, goal-progress,"
            " services-started:<service> or closed:<outcome>"
        )
    return code


def _at_least_one(codes: tuple[str, ...]) -> tuple[str, ...]:
    # Checked after the items, so that a refused code is reported once, alone.
    if not codes:
        raise ValueError("a progress update carries at least one code")
    return codes


ProgressCode = Annotated[str, AfterValidator(_known_progress_code)]
ProgressCodes = Annotated[tuple[ProgressCode, ...], AfterValidator(_at_least_one)]


class ProgressUpdate(Payload):
    """How a consented student's case is going, in codes a school may see."""

    message_type: ClassVar[MessageType] = MessageType.PROGRESS_UPDATE

    pseudonym: Pseudonym
    case_id: UUID
    as_of: date
    codes: ProgressCodes


class ConsentRevoked(Payload):
    """A consent stopped covering a student: the hub must destroy what it holds."""

    message_type: ClassVar[MessageType] = MessageType.CONSENT_REVOKED

    consent_id: UUID
    pseudonym: Pseudonym
    reason: RevocationReason
    effective_at: UtcDatetime


class DestructionCertificate(Payload):
    """The hub certifies that it destroyed a student's identified records."""

    message_type: ClassVar[MessageType] = MessageType.DESTRUCTION_CERTIFICATE

    certificate_id: UUID
    consent_id: UUID
    pseudonym: Pseudonym
    categories: tuple[RecordCategory, ...] = Field(min_length=1)
    destroyed_at: UtcDatetime
    items_destroyed: NonNegativeInt


class AckStatus(StrEnum):
    """What the receiver did with a message it now holds durably."""

    APPLIED = "applied"
    WAITING = "waiting"
    DEAD = "dead"


class Ack(Payload):
    """A receiver's acknowledgement: the message is recorded and need not be resent."""

    message_type: ClassVar[MessageType] = MessageType.ACK

    message_id: UUID
    idempotency_key: str
    status: AckStatus


P = TypeVar("P", bound=Payload)

PAYLOAD_MODELS: dict[tuple[MessageType, int], type[Payload]] = {
    (model.message_type, 1): model
    for model in (
        DeidentifiedRelease,
        OutreachRequest,
        OutreachOutcome,
        ConsentNotice,
        RecordRelease,
        ProgressUpdate,
        ConsentRevoked,
        DestructionCertificate,
        Ack,
    )
}


def parse_payload(message_type: MessageType, data: JsonObject) -> Payload:
    """The payload model for a message, or a refusal listing every problem."""
    version = data.get("version")
    model = PAYLOAD_MODELS.get((message_type, version))  # type: ignore[arg-type]
    if model is None:
        raise PayloadInvalid(
            f"version {version!r} of `{message_type}` is not a known payload version",
            code="message:payload",
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _payload_refusal(message_type, error) from None


def read_payload(envelope: Envelope, model: type[P]) -> P:
    """The envelope's payload as the model an `apply` function expects."""
    if envelope.type is not model.message_type:
        raise PayloadInvalid(
            f"message {envelope.message_id} is `{envelope.type}`,"
            f" not `{model.message_type}`",
            code="message:payload",
        )
    payload = parse_payload(envelope.type, envelope.payload)
    assert isinstance(payload, model)
    return payload


def _payload_refusal(
    message_type: MessageType, error: ValidationError
) -> PayloadInvalid:
    # Only the place and the rule are reported, never the input: a refused value
    # may hold exactly the personal data the rule keeps out.
    problems = [
        Problem(
            file=str(message_type),
            line=None,
            column=".".join(str(part) for part in item["loc"]),
            value=None,
            rule="message:payload",
            message=item["msg"],
        )
        for item in error.errors(include_input=False, include_url=False)
    ]
    return PayloadInvalid(
        f"the `{message_type}` payload is refused: {len(problems)} problem(s)",
        code="message:payload",
        problems=problems,
    )
