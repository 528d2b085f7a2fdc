"""The demo's consent path: six synthetic students from a flag to shredding.

The synthetic demo runs once for the module, at its default small scale; each
test then reads what the path reported and checks it against the nodes it left:
the district's student view and audit log, and the hub's database, scanned for
the revoked student's identifying values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from youthbridge.commands.demo import _as_dict, _print
from youthbridge.commands.output import out
from youthbridge.demo import PATH_DISTRICT, DemoResult, run_demo
from youthbridge.demo_path_report import PathReport, Step
from youthbridge.district.consent import stored_consents
from youthbridge.district.disclosure_log import family_copy
from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import reidentify
from youthbridge.district.records import load_table
from youthbridge.district.student_view import student_view
from youthbridge.domain.consent import SignerCapacity, majority_day, majority_warning
from youthbridge.embedded import Region, open_region
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry
from youthbridge.security.vault import StudentKey
from youthbridge.storage.case_tables import CaseRecordRow, CaseRow

EXPECTED_COUNTS = {
    Step.FLAGGED: 6,
    Step.OUTREACH_REQUESTED: 6,
    Step.QUEUED: 6,
    Step.OUTREACH_BEGUN: 6,
    Step.DECLINED: 2,
    Step.UNREACHABLE: 1,
    Step.SIGNED: 3,
    Step.MAJORITY_WARNING: 1,
    Step.CASES_OPEN: 3,
    Step.RELEASED: 3,
    Step.REFUSED: 1,
    Step.REFERRED: 3,
    Step.PROGRESS_SENT: 3,
    Step.PROGRESS_SEEN: 3,
    Step.REVOKED: 1,
    Step.DESTROYED: 1,
    Step.CERTIFIED: 1,
    Step.REFUSED_AT_18: 1,
    Step.STUDENT_SIGNED: 1,
    Step.RELEASED_AT_18: 1,
}


@dataclass
class Demo:
    result: DemoResult
    path: PathReport
    region: Region

    @property
    def district(self) -> DistrictNode:
        return self.region.districts[PATH_DISTRICT]

    def person(self, username: str) -> Account:
        """A persona the path made in the district's database."""
        with self.district.sessions() as session:
            return session.scalars(
                select(Account).where(Account.username == username)
            ).one()

    def student(self, pseudonym: str) -> str:
        return reidentify(self.district, pseudonym)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    result = run_demo(tmp_path_factory.mktemp("demo-path"))
    assert result.consent_path is not None
    region = open_region(result.folder / "nodes", ["0180", "0130"])
    yield Demo(result, result.consent_path, region)
    region.close()


def test_every_step_happened_with_the_expected_counts(demo: Demo) -> None:
    path = demo.path

    assert {item.step: item.count for item in path.steps} == EXPECTED_COUNTS
    assert [item.step for item in path.steps] == list(EXPECTED_COUNTS)
    assert path.flagged_in_district >= 6
    assert path.dead_letters == 0
    # Everyone asked about is one of the six, and the answers split them.
    asked = set(path.step(Step.FLAGGED).pseudonyms)
    answers = [Step.DECLINED, Step.UNREACHABLE, Step.SIGNED]
    assert sorted(p for step in answers for p in path.step(step).pseudonyms) == sorted(
        asked
    )
    assert set(path.step(Step.CASES_OPEN).pseudonyms) == set(
        path.step(Step.SIGNED).pseudonyms
    )


def test_a_decline_leaves_nothing_in_the_districts_student_view(demo: Demo) -> None:
    rosa = demo.person("rosa")
    answered = (
        demo.path.step(Step.DECLINED).pseudonyms
        + demo.path.step(Step.UNREACHABLE).pseudonyms
    )

    for pseudonym in answered:
        view = student_view(
            demo.district, actor=rosa, student_id=demo.student(pseudonym)
        )
        assert (view.progress, view.destructions) == ((), ())
        shown = repr(view).lower()
        for word in ("declin", "unreachable", "outreach", "referral", "mentoring"):
            assert word not in shown


def test_a_category_beyond_the_consent_is_refused_and_logged(demo: Demo) -> None:
    [refused] = [item for item in demo.path.refused if "consent:category" in item.rules]

    assert (refused.categories, refused.refused, refused.logged) == (
        ("attendance", "contact"),
        ("contact",),
        True,
    )
    with demo.district.sessions() as session:
        denials = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "record:release",
                AuditEntry.outcome == "deny",
                AuditEntry.subject == refused.pseudonym,
            )
        ).all()
    assert [entry.details["rules"] for entry in denials] == [["consent:category"]]
    copies = family_copy(
        demo.district,
        actor=demo.person("dana"),
        student_id=demo.student(refused.pseudonym),
    )
    assert [copy.categories for copy in copies] == [("attendance",)]


def test_the_revoked_students_identified_values_are_nowhere_on_the_hub(
    demo: Demo,
) -> None:
    check = demo.path.revocation
    assert check is not None
    assert check.values_sought > 0
    assert check.opened_before == check.values_sought
    assert (check.found_after, check.records_opened_after) == (0, 0)
    assert check.certificate_received

    values = _identifying_values(demo.district, demo.student(check.pseudonym))
    assert values
    assert _found_on_hub(demo.result.folder, values) == set()
    with demo.region.hub.sessions() as session:
        case = session.scalars(
            select(CaseRow).where(CaseRow.pseudonym == check.pseudonym)
        ).one()
        assert case.identified_destroyed_at is not None
        assert (
            session.scalars(
                select(CaseRecordRow).where(CaseRecordRow.case_id == case.id)
            ).all()
            == []
        )
        key = session.scalars(
            select(StudentKey).where(StudentKey.subject == check.pseudonym)
        ).one()
        assert (key.wrapped_key, key.destroy_reason) == (None, "consent-revoked")


def test_the_progress_codes_arrived_at_the_district(demo: Demo) -> None:
    rosa = demo.person("rosa")

    for pseudonym in demo.path.step(Step.SIGNED).pseudonyms:
        view = student_view(
            demo.district, actor=rosa, student_id=demo.student(pseudonym)
        )
        codes = {code for item in view.progress for code in item.codes}
        assert codes == {
            "enrolled",
            "engaged",
            "goal-progress",
            "services-started:mentoring",
        }


def test_a_parents_consent_stops_on_the_18th_birthday_until_the_student_signs(
    demo: Demo,
) -> None:
    coming = demo.path.coming_of_age
    assert coming is not None
    student_id = demo.student(coming.pseudonym)
    born = _birth_date(demo.district, student_id)
    birthday = majority_day(born, demo.district.agreement)

    # The family signed inside the warning's window, before the birthday.
    assert majority_warning(born, demo.path.day, demo.district.agreement) is not None
    assert demo.path.day < birthday <= demo.path.day + timedelta(days=60)
    assert (coming.warning_shown, coming.released_before) == (True, True)
    assert coming.refused_rule == "consent:signer-no-longer-authorised"
    assert (coming.student_signed, coming.released_after) == (True, True)

    with demo.district.sessions() as session:
        consents = stored_consents(session, student_id)
    assert [(c.signer_capacity, c.signed_on) for c in consents] == [
        (SignerCapacity.PARENT, demo.path.day),
        (SignerCapacity.STUDENT, birthday),
    ]
    copies = family_copy(
        demo.district, actor=demo.person("dana"), student_id=student_id
    )
    assert [copy.disclosed_on for copy in copies] == [demo.path.day, birthday]


def test_the_output_and_the_report_show_no_name_of_the_six(
    demo: Demo, tmp_path: Path
) -> None:
    names = set()
    for pseudonym in demo.path.step(Step.FLAGGED).pseudonyms:
        names |= _identifying_values(demo.district, demo.student(pseudonym))
    with out.capture() as printed:
        _print(demo.result)
    shown = {
        "json": json.dumps(_as_dict(demo.result), default=str),
        "printed": printed.get(),
        "report": demo.result.report.page.read_text(encoding="utf-8"),
    }

    assert "consent_path" in json.loads(shown["json"])
    assert "Consent path, district 0180" in shown["report"]
    for where, text in shown.items():
        assert [name for name in names if name in text] == [], where


def _identifying_values(node: DistrictNode, student_id: str) -> set[str]:
    """The student's and guardians' names, street, phone and birth date."""
    students = load_table(node, "students").filter(student_id=student_id)
    guardians = load_table(node, "guardians").filter(student_id=student_id)
    values = {student_id, *(str(day) for day in students["birth_date"])}
    for frame, columns in (
        (students, ("first_name", "last_name", "street", "phone")),
        (guardians, ("first_name", "last_name", "phone")),
    ):
        for column in columns:
            values |= {str(value) for value in frame[column].drop_nulls()}
    return {value for value in values if len(value) >= 4}


def _birth_date(node: DistrictNode, student_id: str) -> date:
    students = load_table(node, "students").filter(student_id=student_id)
    born = students["birth_date"][0]
    assert isinstance(born, date)
    return born


def _found_on_hub(folder: Path, values: set[str]) -> set[str]:
    """Values held by any text column of the hub, exactly or quoted in JSON."""
    engine = create_engine(f"sqlite:///{folder / 'nodes/hub/hub.sqlite'}")
    tables = MetaData()
    tables.reflect(engine)
    found: set[str] = set()
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for cell in row:
                    if isinstance(cell, str):
                        found |= {v for v in values if cell == v or f'"{v}"' in cell}
    engine.dispose()
    return found
