"""The demo's consent path: a handful of synthetic students, from flag to shredding.

Six of one district's flagged students are carried through every step the
partnership takes with a family. The hub asks the district to reach out; the
counselor reaches each family: two decline, one cannot be reached, three accept
and sign a release of information. The data steward releases records in the
consented categories (a request beyond a consent is refused), the hub opens
cases, refers them to a service of its directory and sends progress codes back.
One parent revokes, and the hub destroys that student's identified records.
One student turns 18 during the demo: the parent's consent stops covering them
on their birthday, until they sign their own.

Each person acts through the one service function of their step, with an
account in their own node's database (demo_cast.py); after each step the
messages it queued are delivered, as the embedded default does. District steps
are dated: most happen on the path's day, the coming of age on the student's
18th birthday, which may be a day still to come.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from youthbridge.demo_cast import (
    Cast,
    DistrictStaff,
    HubStaff,
    Member,
    choose_cast,
    district_staff,
    hub_staff,
)
from youthbridge.demo_evidence import (
    consent_form,
    identifying_values,
    moment,
    values_in_database,
)
from youthbridge.demo_path_report import (
    ComingOfAge,
    PathReport,
    RefusedRelease,
    ReleasedRecords,
    RevocationCheck,
    Step,
)
from youthbridge.district.consent import record_consent, revoke_consent
from youthbridge.district.disclosure_log import family_copy, release_records
from youthbridge.district.node import DistrictNode
from youthbridge.district.outreach import (
    begin_outreach,
    outreach_queue,
    record_decision,
)
from youthbridge.district.student_view import student_view
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import RecordCategory, SignerCapacity, majority_warning
from youthbridge.domain.errors import Refused
from youthbridge.domain.schoolyear import year_of
from youthbridge.embedded import Region, district_party
from youthbridge.exchange.inbox import list_dead_letters
from youthbridge.exchange.outbox import deliver_pending
from youthbridge.exchange.vocabulary import ConsentOutcome, ServiceCategory
from youthbridge.hub.casefile import case_file
from youthbridge.hub.caseload import caseload
from youthbridge.hub.cases import refer_to_service, start_service
from youthbridge.hub.directory import (
    categorise_service,
    load_directory,
    search_services,
)
from youthbridge.hub.node import HubNode
from youthbridge.hub.outreach import flagged_students, request_outreach
from youthbridge.hub.progress import send_progress
from youthbridge.hub.review import at_risk_review
from youthbridge.hub.store import current_incidents, current_records
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry, Outcome, list_entries
from youthbridge.security.permissions import Permission

Say = Callable[[str], None]

OFFER = "youth-mentoring"
C = RecordCategory
FULL = (C.ATTENDANCE, C.BEHAVIOUR, C.CONTACT)
ATTENDANCE_ONLY = (C.ATTENDANCE,)
COMING_OF_AGE = (C.ATTENDANCE, C.CONTACT)
BEYOND_CONSENT = (C.ATTENDANCE, C.CONTACT)
PROGRESS_CODES = ("engaged", "goal-progress")

_DELIVERY_ROUNDS = 6


@dataclass
class _Walk:
    """Everything the steps share: the nodes, the people and what happened."""

    region: Region
    node: DistrictNode
    hub_people: HubStaff
    people: DistrictStaff
    cast: Cast
    directory: Path | None
    say: Say
    report: PathReport
    referrals: dict[str, uuid.UUID] = field(default_factory=dict)
    consents: dict[str, uuid.UUID] = field(default_factory=dict)
    cases: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def hub(self) -> HubNode:
        return self.region.hub

    def deliver(self) -> None:
        """Deliver what both nodes queued, and the replies it caused."""
        factories = (self.hub.sessions, self.node.sessions)
        for _ in range(_DELIVERY_ROUNDS):
            sent = [deliver_pending(f, self.region.transport) for f in factories]
            if not any(report.delivered for report in sent):
                return


def run_consent_path(
    region: Region,
    *,
    district_code: str,
    on: date,
    say: Say,
    directory: Path | None = None,
) -> PathReport:
    """Carry six of the district's flagged students through the consent path.

    `on` is the day the families are reached (the demo's today); `directory`
    is the Open Referral folder whose services the cases are referred to.
    """
    walk = _start(region, district_code, on, say, directory)
    for step in _STEPS:
        step(walk)
    return walk.report


def _start(
    region: Region, code: str, on: date, say: Say, directory: Path | None
) -> _Walk:
    hub, node = region.hub, region.districts[code]
    with hub.sessions() as session:
        records, incidents = current_records(session), current_incidents(session)
    review = at_risk_review(records, incidents, hub.agreement)
    cast = choose_cast(node, flagged_students(review, code), on, node.agreement)
    say(f"consent path: {len(cast.members)} of district {code}'s flagged students")
    return _Walk(
        region=region,
        node=node,
        hub_people=hub_staff(hub.sessions),
        people=district_staff(node),
        cast=cast,
        directory=directory,
        say=say,
        report=PathReport(code, OFFER, cast.day, cast.flagged),
    )


def _pseudonyms(members: Iterable[Member]) -> list[str]:
    return sorted(member.pseudonym for member in members)


# -- outreach ----------------------------------------------------------------


def _request_outreach(walk: _Walk) -> None:
    """Sam, the hub supervisor, asks the district to offer mentoring, for Ana."""
    members = walk.cast.members
    asked = request_outreach(
        walk.hub,
        actor=walk.hub_people.supervisor,
        district=walk.region.parties.find(district_party(walk.node.code)),
        pseudonyms_with_flags={member.pseudonym: member.reasons for member in members},
        offer=OFFER,
        assign_to=walk.hub_people.case_manager,
    )
    walk.report.add(Step.FLAGGED, _pseudonyms(members))
    walk.report.add(Step.OUTREACH_REQUESTED, sorted(asked.referral_ids))
    walk.deliver()

    # Re-identified at the district: the queue lists students, not pseudonyms.
    by_student = {member.student_id: member.pseudonym for member in members}
    queue = outreach_queue(walk.node, actor=walk.people.counselor)
    walk.referrals = {
        by_student[item.student_id]: item.referral_id
        for item in queue
        if item.student_id in by_student
    }
    walk.report.add(Step.QUEUED, sorted(walk.referrals))
    walk.say(f"consent path: outreach requested for {len(members)} students")


def _reach_families(walk: _Walk) -> None:
    """Rosa, the district counselor, starts reaching each family."""
    for member in walk.cast.members:
        begin_outreach(
            walk.node,
            actor=walk.people.counselor,
            referral_id=walk.referrals[member.pseudonym],
            now=moment(walk.cast.day),
        )
    walk.report.add(Step.OUTREACH_BEGUN, _pseudonyms(walk.cast.members))


def _record_answers(walk: _Walk) -> None:
    """Two families decline, one cannot be reached, three accept and sign."""
    cast = walk.cast
    for member in cast.declining:
        _answer(walk, member, ConsentOutcome.DECLINED, "family-declined")
    _answer(walk, cast.unreachable, ConsentOutcome.UNREACHABLE, "no-answer")
    for member, categories in _signed_categories(cast):
        _sign(walk, member, categories)
    walk.report.add(Step.DECLINED, _pseudonyms(cast.declining))
    walk.report.add(Step.UNREACHABLE, [cast.unreachable.pseudonym])
    walk.report.add(Step.SIGNED, sorted(walk.consents))

    turning = cast.turning_18
    if turning and majority_warning(turning.birth_date, cast.day, walk.node.agreement):
        walk.report.add(Step.MAJORITY_WARNING, [turning.pseudonym])
    walk.deliver()
    walk.say(
        f"consent path: {len(cast.declining)} declined, 1 unreachable,"
        f" {len(walk.consents)} signed"
    )


def _signed_categories(cast: Cast) -> list[tuple[Member, tuple[RecordCategory, ...]]]:
    signed = [(cast.full, FULL), (cast.attendance_only, ATTENDANCE_ONLY)]
    if cast.turning_18 is not None:
        signed.append((cast.turning_18, COMING_OF_AGE))
    return signed


def _answer(walk: _Walk, member: Member, answer: ConsentOutcome, reason: str) -> None:
    record_decision(
        walk.node,
        actor=walk.people.counselor,
        referral_id=walk.referrals[member.pseudonym],
        decision=answer,
        reason=reason,
        now=moment(walk.cast.day),
    )


def _sign(walk: _Walk, member: Member, categories: tuple[RecordCategory, ...]) -> None:
    consent_id = record_decision(
        walk.node,
        actor=walk.people.counselor,
        referral_id=walk.referrals[member.pseudonym],
        decision=ConsentOutcome.ACCEPTED,
        reason="family-signed",
        consent=consent_form(categories, SignerCapacity.PARENT, walk.cast.day),
        now=moment(walk.cast.day),
    )
    if consent_id is not None:
        walk.consents[member.pseudonym] = consent_id


# -- cases and records -----------------------------------------------------------


def _find_cases(walk: _Walk) -> None:
    """Ana finds, in her caseload, the cases the accepted referrals opened."""
    accepted = {member.pseudonym for member in walk.cast.accepting}
    for case in caseload(walk.hub, actor=walk.hub_people.case_manager):
        if case.pseudonym in accepted:
            walk.cases[case.pseudonym] = case.case_id
    walk.report.add(Step.CASES_OPEN, sorted(walk.cases))
    walk.say(f"consent path: {len(walk.cases)} cases open at the hub")


def _release_records(walk: _Walk) -> None:
    """Dana, the data steward, releases each signed family's consented records."""
    cast, day = walk.cast, walk.cast.day
    _release(walk, cast.full, FULL, day)
    # Asked for contact too, which this family did not sign for: refused whole.
    _release(walk, cast.attendance_only, BEYOND_CONSENT, day)
    _release(walk, cast.attendance_only, ATTENDANCE_ONLY, day)
    if cast.turning_18 is not None:
        _release(walk, cast.turning_18, COMING_OF_AGE, day)
    report = walk.report
    report.add(Step.RELEASED, sorted({item.pseudonym for item in report.releases}))
    report.add(Step.REFUSED, sorted({item.pseudonym for item in report.refused}))
    _note_empty_categories(walk)
    walk.deliver()
    walk.say(
        f"consent path: {len(report.releases)} releases sent,"
        f" {len(report.refused)} refused"
    )


def _note_empty_categories(walk: _Walk) -> None:
    # A release carries only the school year it is made in: a district whose
    # exports are of an earlier year sends that year's categories empty.
    empty = sorted(
        {
            category
            for item in walk.report.releases
            for category, count in item.record_counts.items()
            if count == 0
        }
    )
    if empty:
        agreement = walk.node.agreement
        start = (agreement.school_year_start_month, agreement.school_year_start_day)
        year = year_of(walk.cast.day, *start).label
        walk.report.notes.append(
            f"a release holds the records of its own school year, {year}; the"
            f" district has none of {', '.join(empty)} for it, so they went empty"
        )


def _release(
    walk: _Walk, member: Member, categories: tuple[RecordCategory, ...], on: date
) -> bool:
    """One release request; a refusal is kept in the report with its rules."""
    try:
        release = release_records(
            walk.node,
            actor=walk.people.data_steward,
            pseudonym=member.pseudonym,
            categories=categories,
            purpose=Purpose.CASE_MANAGEMENT,
            on=on,
            now=moment(on),
        )
    except Refused as refusal:
        walk.report.refused.append(_refused(walk, member, categories, refusal))
        return False
    counts = dict(release.record_counts)
    walk.report.releases.append(ReleasedRecords(member.pseudonym, counts))
    return True


def _refused(
    walk: _Walk,
    member: Member,
    categories: tuple[RecordCategory, ...],
    refusal: Refused,
) -> RefusedRelease:
    problems = refusal.problems
    return RefusedRelease(
        pseudonym=member.pseudonym,
        categories=tuple(str(category) for category in categories),
        refused=tuple(problem.column or "" for problem in problems),
        rules=tuple(problem.rule for problem in problems) or (refusal.code,),
        logged=_denial_logged(walk, member.pseudonym),
    )


def _denial_logged(walk: _Walk, pseudonym: str) -> bool:
    """Whether the district's audit log holds this refusal as a denial."""
    denials = sum(
        1
        for entry in _audit_entries(walk.node.sessions, walk.people.admin)
        if entry.action == Permission.RECORD_RELEASE.value
        and entry.outcome == Outcome.DENY.value
        and entry.subject == pseudonym
    )
    # Each earlier refusal of the same student left its own entry.
    earlier = sum(1 for item in walk.report.refused if item.pseudonym == pseudonym)
    return denials > earlier


def _audit_entries(
    factory: sessionmaker[Session], auditor: Account
) -> Iterator[AuditEntry]:
    after = 0
    while True:
        with factory() as session:
            page = list_entries(session, actor=auditor, after_sequence=after)
        if not page:
            return
        yield from page
        after = page[-1].sequence


# -- services and progress ----------------------------------------------------------


def _refer_to_services(walk: _Walk) -> None:
    """Lee loads the service directory; Ana refers each case to mentoring."""
    folder = walk.directory
    if folder is None or not folder.is_dir():
        walk.report.notes.append(
            "the Open Referral sample was not found; no case was referred"
        )
        return
    load_directory(walk.hub, folder, actor=walk.hub_people.admin)
    service_id = _mentoring_service(walk)
    if service_id is None:
        walk.report.notes.append("the directory lists no mentoring service")
        return
    for case_id in walk.cases.values():
        item = refer_to_service(
            walk.hub,
            actor=walk.hub_people.case_manager,
            case_id=case_id,
            service_id=service_id,
        )
        start_service(
            walk.hub, actor=walk.hub_people.case_manager, case_id=case_id, item_id=item
        )
    walk.report.add(Step.REFERRED, sorted(walk.cases))


def _mentoring_service(walk: _Walk) -> str | None:
    """A mentoring service of the directory, categorised as such if need be."""
    mentoring = ServiceCategory.MENTORING
    listed = search_services(walk.hub, category=mentoring.value)
    if listed:
        return listed[0].service_id
    found = search_services(walk.hub, text="mentor")
    if not found:
        return None
    # The sample's taxonomy does not use the hub's kinds of service; the
    # directory manager says what kind this one is, as a deployment would.
    categorise_service(
        walk.hub,
        actor=walk.hub_people.admin,
        service_id=found[0].service_id,
        category=mentoring,
    )
    return found[0].service_id


def _send_progress(walk: _Walk) -> None:
    """Ana tells the district how each case goes; Rosa sees it in the record."""
    for case_id in walk.cases.values():
        send_progress(
            walk.hub,
            actor=walk.hub_people.case_manager,
            case_id=case_id,
            codes=PROGRESS_CODES,
        )
    walk.report.add(Step.PROGRESS_SENT, sorted(walk.cases))
    walk.deliver()

    for member in walk.cast.accepting:
        view = student_view(
            walk.node, actor=walk.people.counselor, student_id=member.student_id
        )
        codes = {code for item in view.progress for code in item.codes}
        walk.report.progress_seen[member.pseudonym] = tuple(sorted(codes))
    seen = [
        pseudonym
        for pseudonym, codes in walk.report.progress_seen.items()
        if set(PROGRESS_CODES) <= set(codes)
    ]
    walk.report.add(Step.PROGRESS_SEEN, sorted(seen))
    walk.say(f"consent path: progress codes seen for {len(seen)} students")


# -- revocation and coming of age ------------------------------------------------


def _revoke_one_consent(walk: _Walk) -> None:
    """The first signing parent withdraws; the hub shreds and certifies."""
    member = walk.cast.full
    case_id = walk.cases.get(member.pseudonym)
    consent_id = walk.consents.get(member.pseudonym)
    if case_id is None or consent_id is None:
        walk.report.notes.append("no case to revoke the consent of")
        return
    sought = identifying_values(
        family_copy(
            walk.node, actor=walk.people.data_steward, student_id=member.student_id
        )
    )
    opened_before = _opened_values(walk, case_id, sought)
    revoke_consent(
        walk.node,
        actor=walk.people.data_steward,
        consent_id=consent_id,
        by=SignerCapacity.PARENT,
        on=walk.cast.day,
        now=moment(walk.cast.day),
    )
    walk.report.add(Step.REVOKED, [member.pseudonym])
    walk.deliver()
    walk.report.revocation = _check_destroyed(
        walk, member, case_id, sought, opened_before
    )
    walk.say("consent path: 1 consent revoked, its identified records destroyed")


def _opened_values(walk: _Walk, case_id: uuid.UUID, sought: set[str]) -> int:
    """How many of the values Ana's case file shows, decrypted."""
    opened = case_file(
        walk.hub,
        actor=walk.hub_people.case_manager,
        case_id=case_id,
        purpose=Purpose.CASE_MANAGEMENT,
    )
    text = json.dumps(opened.records, ensure_ascii=False)
    return sum(1 for value in sought if json.dumps(value, ensure_ascii=False) in text)


def _check_destroyed(
    walk: _Walk,
    member: Member,
    case_id: uuid.UUID,
    sought: set[str],
    opened_before: int,
) -> RevocationCheck:
    """What is left of the student's identified records, on both sides."""
    after = case_file(
        walk.hub,
        actor=walk.hub_people.case_manager,
        case_id=case_id,
        purpose=Purpose.CASE_MANAGEMENT,
    )
    if not after.records and not after.consent.live:
        walk.report.add(Step.DESTROYED, [member.pseudonym])
    view = student_view(
        walk.node, actor=walk.people.counselor, student_id=member.student_id
    )
    if view.destructions:
        walk.report.add(Step.CERTIFIED, [member.pseudonym])
    return RevocationCheck(
        pseudonym=member.pseudonym,
        values_sought=len(sought),
        opened_before=opened_before,
        found_after=len(values_in_database(walk.hub, sought)),
        records_opened_after=len(after.records),
        certificate_received=bool(view.destructions),
    )


def _coming_of_age(walk: _Walk) -> None:
    """On their 18th birthday the parent's consent stops; the student signs."""
    member, birthday = walk.cast.turning_18, walk.cast.birthday
    if member is None or birthday is None:
        walk.report.notes.append("no flagged minor comes of age in this district")
        return
    released_before = any(r.pseudonym == member.pseudonym for r in walk.report.releases)
    refused = not _release(walk, member, (C.CONTACT,), birthday)
    if refused:
        walk.report.add(Step.REFUSED_AT_18, [member.pseudonym])
    record_consent(
        walk.node,
        actor=walk.people.counselor,
        referral_id=walk.referrals[member.pseudonym],
        draft=consent_form(COMING_OF_AGE, SignerCapacity.STUDENT, birthday),
        now=moment(birthday),
    )
    walk.report.add(Step.STUDENT_SIGNED, [member.pseudonym])
    walk.deliver()
    released_after = _release(walk, member, COMING_OF_AGE, birthday)
    if released_after:
        walk.report.add(Step.RELEASED_AT_18, [member.pseudonym])
    walk.deliver()
    walk.report.coming_of_age = ComingOfAge(
        pseudonym=member.pseudonym,
        warning_shown=walk.report.count(Step.MAJORITY_WARNING) == 1,
        released_before=released_before,
        refused_rule=walk.report.refused[-1].rules[0] if refused else None,
        student_signed=True,
        released_after=released_after,
    )
    walk.say("consent path: one student came of age and signed their own release")


def _count_dead_letters(walk: _Walk) -> None:
    """Every message should have been applied; a refused one is a dead letter."""
    for factory in (walk.hub.sessions, walk.node.sessions):
        with factory() as session:
            walk.report.dead_letters += len(list_dead_letters(session))


_STEPS: tuple[Callable[[_Walk], None], ...] = (
    _request_outreach,
    _reach_families,
    _record_answers,
    _find_cases,
    _release_records,
    _refer_to_services,
    _send_progress,
    _revoke_one_consent,
    _coming_of_age,
    _count_dead_letters,
)
