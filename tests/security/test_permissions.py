"""The role x permission matrix, checked pair by pair against a table written here.

The table below is written out by hand from the partnership's rules, not derived
from ROLE_PERMISSIONS: a change to either must be made on purpose in both.
"""

from __future__ import annotations

import pytest

from youthbridge.domain.agreement import Purpose
from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.security.permissions import (
    IDENTIFIED,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    allowed,
    parse_role,
    require,
    require_purpose,
    second_factor_required,
)

COLUMNS = (
    "data-steward",
    "school-counselor",
    "district-admin",
    "case-manager",
    "supervisor",
    "analyst",
    "auditor",
    "hub-admin",
)

#                             stew couns dadm  cm   sup  anal audi hadm
EXPECTED = """
student:view                   Y    Y    .    .    .    .    .    .
outreach:view                  Y    Y    .    .    .    .    .    .
outreach:decide                .    Y    .    .    .    .    .    .
consent:record                 Y    Y    .    .    .    .    .    .
consent:revoke                 Y    .    .    .    .    .    .    .
consent:view                   Y    Y    .    .    .    .    .    .
record:release                 Y    .    .    .    .    .    .    .
disclosure-log:view            Y    .    .    .    .    .    .    .
upload:ingest                  Y    .    .    .    .    .    .    .
quarantine:view                Y    .    .    .    .    .    .    .
progress:view                  .    Y    .    .    .    .    .    .
breakglass:decide              .    .    Y    .    .    .    .    .
breakglass:review              Y    .    .    .    .    .    .    .
export:approve                 Y    .    .    .    .    .    .    .
release:deidentified:send      Y    .    .    .    .    .    .    .
trends:view                    .    .    .    .    Y    Y    .    .
at-risk:view                   .    .    .    Y    Y    Y    .    .
outreach:request               .    .    .    Y    Y    .    .    .
directory:view                 .    .    .    Y    Y    Y    .    Y
directory:manage               .    .    .    .    .    .    .    Y
case:view                      .    .    .    Y    Y    .    .    .
case:manage                    .    .    .    Y    Y    .    .    .
case:note:add                  .    .    .    Y    Y    .    .    .
case:assign                    .    .    .    .    Y    .    .    .
caseload:team:view             .    .    .    .    Y    .    .    .
progress:send                  .    .    .    Y    Y    .    .    .
record:destroy                 .    .    .    .    Y    .    .    Y
audit:view                     .    .    Y    .    .    .    Y    Y
audit:verify                   .    .    .    .    .    .    Y    .
account:manage                 .    .    Y    .    .    .    .    Y
key:rotate                     .    .    Y    .    .    .    .    Y
"""


def _expected() -> dict[tuple[str, str], bool]:
    table: dict[tuple[str, str], bool] = {}
    for line in EXPECTED.strip().splitlines():
        permission, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        for role, mark in zip(COLUMNS, marks, strict=True):
            table[(role, permission)] = mark == "Y"
    return table


EXPECTED_TABLE = _expected()
PAIRS = [(role, permission) for role in Role for permission in Permission]


def test_the_expected_table_names_every_role_and_permission() -> None:
    assert set(COLUMNS) == {str(role) for role in Role}
    permissions = {permission for _, permission in EXPECTED_TABLE}
    assert permissions == {str(permission) for permission in Permission}


@pytest.mark.parametrize(("role", "permission"), PAIRS, ids=lambda v: str(v))
def test_each_pair_is_allowed_or_denied_as_the_table_says(
    role: Role, permission: Permission
) -> None:
    assert allowed(role, permission) is EXPECTED_TABLE[(str(role), str(permission))]


class _Person:
    def __init__(self, role: Role) -> None:
        self.id = "a" * 32
        self.role = role


def test_require_refuses_a_hub_analyst_a_case_file_without_showing_data() -> None:
    analyst = _Person(Role.ANALYST)

    with pytest.raises(AccessDenied) as refusal:
        require(analyst, Permission.CASE_VIEW)

    assert refusal.value.code == "access:denied"
    assert str(refusal.value) == (
        "Your role (analyst) does not allow `case:view`. "
        "Ask your administrator if your work needs it."
    )


def test_require_lets_a_hub_case_manager_add_a_case_note() -> None:
    require(_Person(Role.CASE_MANAGER), Permission.CASE_NOTE_ADD)


@pytest.mark.parametrize(
    "name",
    [
        "police",
        "school-resource-officer",
        "discipline",
        "dean-of-discipline",
        "admin",
        "",
    ],
)
def test_no_law_enforcement_or_discipline_role_can_be_named(name: str) -> None:
    with pytest.raises(Refused) as refusal:
        parse_role(name)
    assert refusal.value.code == "role:unknown"


def test_every_role_name_parses_to_itself() -> None:
    assert [parse_role(str(role)) for role in Role] == list(Role)


def test_the_roles_are_exactly_the_eight_of_the_partnership() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert len(Role) == 8


def test_purposes_outside_the_agreement_are_refused() -> None:
    assert require_purpose("case-management") is Purpose.CASE_MANAGEMENT
    for other in ("law-enforcement", "school-discipline", "Case-Management"):
        with pytest.raises(Refused):
            require_purpose(other)


def test_identified_permissions_are_declared_and_the_analyst_holds_none() -> None:
    assert Permission.CASE_VIEW in IDENTIFIED
    assert Permission.TRENDS_VIEW not in IDENTIFIED
    assert not ROLE_PERMISSIONS[Role.ANALYST] & IDENTIFIED
    assert not ROLE_PERMISSIONS[Role.AUDITOR] & IDENTIFIED


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.DATA_STEWARD, True),
        (Role.SCHOOL_COUNSELOR, True),
        (Role.DISTRICT_ADMIN, True),
        (Role.CASE_MANAGER, True),
        (Role.SUPERVISOR, True),
        (Role.ANALYST, False),
        (Role.AUDITOR, False),
        (Role.HUB_ADMIN, True),
    ],
)
def test_second_factor_is_required_for_identified_data_and_administration(
    role: Role, required: bool
) -> None:
    assert second_factor_required(role) is required
