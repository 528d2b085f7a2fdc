"""Who takes part in the demo's consent path: the staff, and the families.

The staff are named personas, each an account made in their own node's
database through `create_account`: the node's administrator first (the
bootstrap account), who then makes the others. Their passwords are random and
kept nowhere, since nobody signs in to a demo run.

The families are chosen from the at-risk review's flags for one district. A
demo plays every person at once, so the choice uses what both sides know: the
counselor knows which student is about to turn 18, and the script decides which
families decline. Nothing chosen here is ever printed but the pseudonyms.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import reidentify
from youthbridge.district.student_lookup import birth_date_of
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.consent import majority_day, majority_warning
from youthbridge.domain.errors import ConfigError
from youthbridge.security.accounts import Account, create_account
from youthbridge.security.permissions import Role

HUB_TEAM = "east"

# A family that signs must stay covered by its parent's consent for the whole
# demo, so steady families are at least this far from their 18th birthday.
_STEADY_MARGIN = timedelta(days=365)


@dataclass(frozen=True)
class HubStaff:
    """Lee administers the hub, Sam supervises the east team, Ana manages cases."""

    admin: Account
    supervisor: Account
    case_manager: Account


@dataclass(frozen=True)
class DistrictStaff:
    """Omar administers the district, Rosa counsels, Dana is the data steward."""

    admin: Account
    counselor: Account
    data_steward: Account


def hub_staff(factory: sessionmaker[Session]) -> HubStaff:
    """The hub's personas, made in the hub's own database."""
    admin = _person(factory, None, "lee", Role.HUB_ADMIN)
    return HubStaff(
        admin=admin,
        supervisor=_person(factory, admin, "sam", Role.SUPERVISOR, team=HUB_TEAM),
        case_manager=_person(factory, admin, "ana", Role.CASE_MANAGER, team=HUB_TEAM),
    )


def district_staff(node: DistrictNode) -> DistrictStaff:
    """The district's personas, made in the district's own database."""
    factory, code = node.sessions, node.code
    admin = _person(factory, None, "omar", Role.DISTRICT_ADMIN, district=code)
    return DistrictStaff(
        admin=admin,
        counselor=_person(factory, admin, "rosa", Role.SCHOOL_COUNSELOR, district=code),
        data_steward=_person(factory, admin, "dana", Role.DATA_STEWARD, district=code),
    )


def _person(
    factory: sessionmaker[Session],
    by: Account | None,
    username: str,
    role: Role,
    *,
    district: str | None = None,
    team: str | None = None,
) -> Account:
    with factory.begin() as session:
        return create_account(
            session,
            actor=by,
            username=username,
            role=role,
            password=secrets.token_urlsafe(18),
            district_code=district,
            team=team,
        )


@dataclass(frozen=True)
class Member:
    """One flagged student in the cast; only the pseudonym is ever shown."""

    pseudonym: str
    reasons: tuple[str, ...]
    student_id: str = field(repr=False)
    birth_date: date = field(repr=False)
    majority_on: date = field(repr=False)


@dataclass(frozen=True)
class Cast:
    """The families of the path, by what each will do, and the days it runs on.

    `day` is when the families are reached and sign; `birthday` is the 18th
    birthday of the student who comes of age during the demo, if any does.
    """

    declining: tuple[Member, ...]
    unreachable: Member
    full: Member
    attendance_only: Member
    turning_18: Member | None
    flagged: int
    day: date
    birthday: date | None

    @property
    def accepting(self) -> tuple[Member, ...]:
        coming_of_age = () if self.turning_18 is None else (self.turning_18,)
        return (self.full, self.attendance_only, *coming_of_age)

    @property
    def members(self) -> tuple[Member, ...]:
        return (*self.declining, self.unreachable, *self.accepting)


def choose_cast(
    node: DistrictNode,
    flags: Mapping[str, Sequence[str]],
    on: date,
    agreement: Agreement,
) -> Cast:
    """Six of the district's flagged students, and what each family will do."""
    members = _members(node, flags, agreement)
    turning = _turning_18(members, on)
    day = _signing_day(turning, on, agreement)
    last_day = day if turning is None else turning.majority_on
    steady = [
        member
        for member in members
        if member is not turning and member.majority_on > last_day + _STEADY_MARGIN
    ]
    others = [m for m in members if m is not turning and m not in steady[:2]]
    if len(steady) < 2 or len(others) < 3:
        raise ConfigError(
            f"district {node.code} has too few flagged students for the consent"
            " path: it needs at least two minors and three others",
            code="demo:cast",
        )
    return Cast(
        declining=(others[0], others[1]),
        unreachable=others[2],
        full=steady[0],
        attendance_only=steady[1],
        turning_18=turning,
        flagged=len(flags),
        day=day,
        birthday=None if turning is None else turning.majority_on,
    )


def _members(
    node: DistrictNode, flags: Mapping[str, Sequence[str]], agreement: Agreement
) -> list[Member]:
    members = []
    with node.sessions() as session:
        for pseudonym, reasons in sorted(flags.items()):
            student_id = reidentify(node, pseudonym)
            born = birth_date_of(session, student_id)
            members.append(
                Member(
                    pseudonym=pseudonym,
                    reasons=tuple(reasons),
                    student_id=student_id,
                    birth_date=born,
                    majority_on=majority_day(born, agreement),
                )
            )
    return members


def _turning_18(members: list[Member], on: date) -> Member | None:
    """The minor whose 18th birthday comes soonest after `on`."""
    minors = [member for member in members if member.majority_on > on]
    return min(minors, key=lambda member: member.majority_on, default=None)


def _signing_day(turning: Member | None, on: date, agreement: Agreement) -> date:
    # The family of the student coming of age signs inside the majority
    # warning's window, so that the warning shows on the form. If the soonest
    # birthday is further off, the whole path moves to a later day.
    if turning is None or majority_warning(turning.birth_date, on, agreement):
        return on
    return turning.majority_on - timedelta(days=agreement.majority_warning_days // 2)
