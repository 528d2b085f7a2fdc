"""A hub and two districts as separate processes, talking only over HTTPS.

The personas: the city hub, and the districts 0180 and 0130 of a small
synthetic region (no real person). Each node is killed with SIGKILL and
started again at least once while messages are on their way; at the end every
message has been applied exactly once, in the order it was written. Replays
and out-of-order arrival are covered by tests/exchange, for both transports.
"""

from __future__ import annotations

import csv
import json
import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.deployment.config import load_config
from youthbridge.deployment.node import IDENTITY_FILE, node_folder, read_parties
from youthbridge.district.node import DistrictNode, open_district
from youthbridge.district.outreach import (
    begin_outreach,
    outreach_queue,
    record_decision,
)
from youthbridge.district.release import prepare_release
from youthbridge.exchange.messages import (
    DeidentifiedRelease,
    Envelope,
    MessageType,
    OutreachOutcome,
)
from youthbridge.exchange.outbox import enqueue
from youthbridge.exchange.signing import (
    generate_key,
    load_private_key,
    sign,
    wire_bytes,
)
from youthbridge.exchange.tables import (
    InboxMessage,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
)
from youthbridge.exchange.vocabulary import ConsentOutcome, OutreachResult
from youthbridge.hub.node import HubNode, open_hub
from youthbridge.hub.outreach import flagged_students, request_outreach
from youthbridge.hub.review import at_risk_review
from youthbridge.hub.store import current_incidents, current_records
from youthbridge.security.accounts import Account, create_account
from youthbridge.security.permissions import Role
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import ReferralRow
from youthbridge.storage.hub_tables import release_records, releases
from youthbridge.synthetic.facts import SCHOOL_YEAR
from youthbridge.synthetic.generate import generate

from .cluster import Cluster, NodeProcess, build_cluster, run_cli, wait_for

DISTRICTS = ("0180", "0130")
YEAR = SCHOOL_YEAR.label
LARGE_RELEASE = 50_000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The three nodes, up; whatever a test leaves running is stopped at the end."""
    nodes = build_cluster(tmp_path_factory.mktemp("machines"), DISTRICTS)
    try:
        nodes.start_all()
        yield nodes
    finally:
        nodes.stop_all()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    generate(0.005, 2023, folder)
    return folder


def test_the_demo_path_across_three_processes_survives_every_node_being_killed(
    cluster: Cluster, exports: Path
) -> None:
    hub, first, second = (cluster.nodes[name] for name in ("hub", *DISTRICTS))
    # Each district's steward ingests on their own machine, at the same time.
    with ThreadPoolExecutor(len(DISTRICTS)) as stewards:
        list(
            stewards.map(
                lambda code: _ingest(cluster.nodes[code], exports, code), DISTRICTS
            )
        )
    _release_while_nodes_are_down(hub, first, second)

    # The hub asks 0180 for outreach while 0180 is down; 0180 answers later.
    first.kill()
    asked = _request_outreach(cluster)
    wait_for(lambda: _attempted(hub), "the hub to try 0180 while it is down")
    first.start()
    first.wait_ready()
    wait_for(lambda: _all_delivered(hub), "the outreach request to reach 0180")
    _answer_outreach(first, len(asked))
    wait_for(lambda: _all_delivered(first), "0180's answers to reach the hub")

    assert _referral_states(hub) == {OutreachResult.DECLINED.value: len(asked)}
    _assert_exactly_once(cluster)
    _assert_one_current_release_per_district_year(hub)
    # The database checks above cover every node; the command is run on one.
    assert _listed_dead_letters(hub) == {"dead_letters": [], "undeliverable": []}
    assert all(node.starts == 2 for node in cluster.nodes.values())
    _assert_no_personal_data_in_logs(cluster, exports / "0180" / "students.csv")


def _release_while_nodes_are_down(
    hub: NodeProcess, first: NodeProcess, second: NodeProcess
) -> None:
    # The hub is down when the first release is sent: it waits in the outbox.
    hub.kill()
    _queue_release(first)
    wait_for(lambda: _attempted(first), "0180 to try the hub while it is down")
    hub.start()
    hub.wait_ready()
    wait_for(lambda: _all_delivered(first), "0180's release to reach the hub")

    # The second district is down when its release is queued by the steward.
    second.kill()
    _queue_release(second)
    second.start()
    second.wait_ready()
    wait_for(lambda: _all_delivered(second), "0130's release to reach the hub")


def _listed_dead_letters(node: NodeProcess) -> dict[str, object]:
    """What `youthbridge exchange dead-letters --json` says on the node."""
    printed = run_cli(
        "exchange",
        "dead-letters",
        "--config",
        str(node.config_path),
        "--json",
        env=node.environment,
    )
    listed: dict[str, object] = json.loads(printed)
    return listed


def test_a_large_release_arrives_once_though_the_hub_dies_receiving_it(
    cluster: Cluster,
) -> None:
    district, hub = cluster.nodes["0130"], cluster.hub
    _ensure_running(cluster)

    message_id = _queue_large_release(district)
    wait_for(
        lambda: _hub_started_receiving(hub, message_id),
        "the hub to start receiving the large release",
        timeout=120,
    )
    hub.kill()
    assert _outbox_status(district, message_id) is OutboxStatus.PENDING

    hub.start()
    hub.wait_ready()
    wait_for(
        lambda: _all_delivered(district),
        "the large release to be delivered after the restart",
        timeout=180,
    )

    inbox, stored, rows = _stored_release(hub, message_id)
    assert inbox == [InboxStatus.APPLIED]
    assert stored == [(LARGE_RELEASE, None)]
    assert rows == LARGE_RELEASE
    _assert_one_current_release_per_district_year(hub)
    _assert_exactly_once(cluster)


@pytest.mark.parametrize("forgery", ["bad-signature", "unlisted-party"])
def test_a_forged_message_over_https_is_refused_and_nothing_is_applied(
    cluster: Cluster, forgery: str
) -> None:
    hub = cluster.hub
    _ensure_running(cluster)
    before = _inbox_count(hub)

    envelope = _forged(cluster.nodes["0180"], forgery)
    with hub.client() as client:
        response = client.post(
            f"{hub.url}/exchange/v1/messages",
            content=wire_bytes(envelope),
            headers={"content-type": "application/json"},
        )

    expected = {
        "bad-signature": "message:signature",
        "unlisted-party": "message:unknown-party",
    }[forgery]
    assert response.status_code == 403
    assert response.json()["code"] == expected
    assert "set-cookie" not in response.headers
    assert _inbox_count(hub) == before
    refused = [
        event
        for event in hub.log_events()
        if event.get("event") == "exchange.endpoint.refused"
        and event.get("message_id") == str(envelope.message_id)
    ]
    assert [event["error_code"] for event in refused] == [expected]


def test_the_health_check_needs_no_sign_in_and_says_only_counts(
    cluster: Cluster,
) -> None:
    _ensure_running(cluster)
    for node in cluster.nodes.values():
        with node.client() as client:
            response = client.get(f"{node.url}/healthz")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert set(response.json()) == {
            "status",
            "outbox_pending",
            "outbox_undeliverable",
            "inbox_dead_letters",
        }


# -- steps of the scenarios ----------------------------------------------------


def _ingest(node: NodeProcess, exports: Path, code: str) -> None:
    source = exports / code
    run_cli(
        "district",
        "ingest",
        str(source),
        "--district",
        code,
        "--format",
        "csv",
        "--map",
        str(source / "map.toml"),
        "--data-dir",
        str(load_config(node.config_path).data_dir),
        env=node.environment,
    )


def _queue_release(node: NodeProcess) -> None:
    run_cli(
        "exchange",
        "queue-release",
        "--config",
        str(node.config_path),
        "--year",
        YEAR,
        env=node.environment,
    )


def _request_outreach(cluster: Cluster) -> list[str]:
    """Sam, the hub supervisor, asks 0180 to offer mentoring to three students."""
    hub_process = cluster.hub
    hub = _open_hub(hub_process)
    try:
        admin = _account(hub.sessions, None, "lee", Role.HUB_ADMIN)
        supervisor = _account(
            hub.sessions, admin, "sam", Role.SUPERVISOR, team="intake"
        )
        with hub.sessions() as session:
            records, incidents = current_records(session), current_incidents(session)
        flagged = flagged_students(
            at_risk_review(records, incidents, hub.agreement), "0180"
        )
        chosen = dict(sorted(flagged.items())[:3])
        assert len(chosen) == 3
        _, partners = read_parties(load_config(hub_process.config_path).parties_file)
        request_outreach(
            hub,
            actor=supervisor,
            district=partners["0180"],
            pseudonyms_with_flags=chosen,
            offer="youth-mentoring",
            sender_key=load_private_key(hub.folder / IDENTITY_FILE),
        )
    finally:
        hub.close()
    return list(chosen)


def _answer_outreach(node: NodeProcess, expected: int) -> None:
    """Rosa, the 0180 counselor, reaches each family; each one declines."""
    district = _open_district(node)
    try:
        admin = _account(
            district.sessions, None, "omar", Role.DISTRICT_ADMIN, district="0180"
        )
        counselor = _account(
            district.sessions, admin, "rosa", Role.SCHOOL_COUNSELOR, district="0180"
        )
        queue = outreach_queue(district, actor=counselor)
        assert len(queue) == expected
        for item in queue:
            begin_outreach(district, actor=counselor, referral_id=item.referral_id)
            record_decision(
                district,
                actor=counselor,
                referral_id=item.referral_id,
                decision=ConsentOutcome.DECLINED,
                reason="family-declined",
            )
    finally:
        district.close()


def _queue_large_release(node: NodeProcess) -> uuid.UUID:
    """0130's year, its records copied under new pseudonyms up to 50,000."""
    district = _open_district(node)
    try:
        payload = _large_payload(prepare_release(district, SCHOOL_YEAR).payload)
        key = load_private_key(district.folder / IDENTITY_FILE)
        with district.sessions.begin() as session:
            envelope = enqueue(
                session,
                sender_key=key,
                sender="district:0130",
                recipient="hub",
                type=MessageType.DEIDENTIFIED_RELEASE,
                payload=payload,
            )
    finally:
        district.close()
    return envelope.message_id


def _large_payload(release: DeidentifiedRelease) -> DeidentifiedRelease:
    # Each pass over the records repeats every quasi-identifier group whole, and
    # a last, partial pass only adds to groups: the copy stays k-anonymous.
    size = len(release.records)
    records = tuple(
        {**row, "pseudonym": f"{row['pseudonym']}-{index // size:03d}"}
        for index, row in zip(range(LARGE_RELEASE), cycle(release.records))
    )
    report = dict(release.disclosure_report)
    report["records_in"] = LARGE_RELEASE + int(str(report["records_suppressed"]))
    return release.model_copy(
        update={
            "records": records,
            "incidents": (),
            "generated_at": utcnow(),
            "disclosure_report": report,
        }
    )


def _forged(sender: NodeProcess, forgery: str) -> Envelope:
    outcome = OutreachOutcome(
        request_id=uuid.uuid4(), pseudonym="P-FORGED01", result=OutreachResult.REACHED
    )
    party = "district:0180" if forgery == "bad-signature" else "district:ghost"
    envelope = Envelope(
        message_id=uuid.uuid4(),
        type=MessageType.OUTREACH_OUTCOME,
        sender=party,
        recipient="hub",
        idempotency_key=f"forged:{uuid.uuid4()}",
        created_at=utcnow(),
        subject="P-FORGED01",
        sequence=1,
        payload=outcome.model_dump(mode="json"),
    )
    if forgery == "unlisted-party":
        return sign(envelope, generate_key())
    signed = sign(envelope, _district_key(sender))
    return signed.model_copy(
        update={"payload": {**signed.payload, "result": "declined"}}
    )


# -- what the nodes' databases say ---------------------------------------------


def _attempted(node: NodeProcess) -> bool:
    with node.database() as sessions, sessions() as session:
        query = select(func.max(OutboxMessage.attempts)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
        return bool(session.scalar(query))


def _all_delivered(node: NodeProcess) -> bool:
    with node.database() as sessions, sessions() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    return statuses == {OutboxStatus.DELIVERED}


def _outbox_status(node: NodeProcess, message_id: uuid.UUID) -> OutboxStatus:
    with node.database() as sessions, sessions() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        return row.status


def _hub_started_receiving(hub: NodeProcess, message_id: uuid.UUID) -> bool:
    return any(
        event.get("event") == "exchange.endpoint.received"
        and event.get("message_id") == str(message_id)
        for event in hub.log_events()
    )


def _stored_release(
    hub: NodeProcess, message_id: uuid.UUID
) -> tuple[list[InboxStatus], list[tuple[int, int | None]], int]:
    """The message's inbox rows, its releases (count, superseded) and their rows."""
    with hub.database() as sessions, sessions() as session:
        inbox = session.scalars(
            select(InboxMessage.status).where(InboxMessage.id == message_id)
        ).all()
        stored = session.execute(
            select(
                releases.c.id, releases.c.record_count, releases.c.superseded_by
            ).where(releases.c.message_id == message_id)
        ).all()
        rows = session.scalar(
            select(func.count())
            .select_from(release_records)
            .where(release_records.c.release_id.in_([row.id for row in stored]))
        )
    found = [(row.record_count, row.superseded_by) for row in stored]
    return list(inbox), found, int(rows or 0)


def _inbox_count(node: NodeProcess) -> int:
    with node.database() as sessions, sessions() as session:
        return int(session.scalar(select(func.count()).select_from(InboxMessage)) or 0)


def _referral_states(hub: NodeProcess) -> dict[str, int]:
    with hub.database() as sessions, sessions() as session:
        rows = session.execute(
            select(ReferralRow.state, func.count()).group_by(ReferralRow.state)
        ).all()
    return {str(state): int(count) for state, count in rows}


def _assert_exactly_once(cluster: Cluster) -> None:
    """Every message delivered is applied once at its recipient, and nothing else."""
    sent: dict[tuple[str, str], set[uuid.UUID]] = {}
    applied: dict[tuple[str, str], set[uuid.UUID]] = {}
    for node in cluster.nodes.values():
        party = load_config(node.config_path).party_id
        with node.database() as sessions, sessions() as session:
            for row in session.scalars(select(OutboxMessage)):
                assert row.status is OutboxStatus.DELIVERED, row.id
                sent.setdefault((row.sender, row.recipient), set()).add(row.id)
            for inbox in session.scalars(select(InboxMessage)):
                assert inbox.status is InboxStatus.APPLIED, inbox.id
                applied.setdefault((inbox.sender, party), set()).add(inbox.id)
    assert sent == applied


def _assert_one_current_release_per_district_year(hub: NodeProcess) -> None:
    with hub.database() as sessions, sessions() as session:
        rows = session.execute(
            select(
                releases.c.district_code,
                releases.c.school_year,
                releases.c.message_id,
                releases.c.superseded_by,
            )
        ).all()
        applied = set(
            session.scalars(
                select(InboxMessage.id).where(
                    InboxMessage.type == MessageType.DEIDENTIFIED_RELEASE.value
                )
            )
        )
    assert sorted(row.message_id for row in rows) == sorted(applied)
    current = [
        (row.district_code, row.school_year)
        for row in rows
        if row.superseded_by is None
    ]
    assert sorted(current) == sorted({(code, YEAR) for code in DISTRICTS})


def _assert_no_personal_data_in_logs(cluster: Cluster, students: Path) -> None:
    with students.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Names long enough not to be an ordinary word of a log line by chance.
    names = {row["Last Name"] for row in rows if len(row["Last Name"]) >= 6}
    numbers = {f'"{row["Student Number"]}"' for row in rows}
    assert len(names) > 20
    for node in cluster.nodes.values():
        text = node.log_path.read_text(encoding="utf-8")
        assert [name for name in names if name in text] == [], node.name
        assert [number for number in numbers if number in text] == [], node.name


# -- opening a node's database from the test, beside its running server --------


def _open_hub(node: NodeProcess) -> HubNode:
    config = load_config(node.config_path)
    return open_hub(config.data_dir, database_url=config.database_url(node.environment))


def _open_district(node: NodeProcess) -> DistrictNode:
    config = load_config(node.config_path)
    assert config.district_code is not None
    return open_district(config.data_dir, config.district_code)


def _district_key(node: NodeProcess) -> Ed25519PrivateKey:
    config = load_config(node.config_path)
    return load_private_key(node_folder(config) / IDENTITY_FILE)


def _account(
    sessions: sessionmaker[Session],
    by: Account | None,
    username: str,
    role: Role,
    *,
    district: str | None = None,
    team: str | None = None,
) -> Account:
    with sessions.begin() as session:
        return create_account(
            session,
            actor=by,
            username=username,
            role=role,
            password=secrets.token_urlsafe(18),
            district_code=district,
            team=team,
        )


def _ensure_running(cluster: Cluster) -> None:
    """A test that ran before may have left a node down; bring it back."""
    for node in cluster.nodes.values():
        if node.process is None or node.process.poll() is not None:
            node.start()
            node.wait_ready()
