"""The scheduler inside `serve`: the outbox on a timer, the daily jobs once a day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.deployment.node import DailyJob
from youthbridge.deployment.schedule import Scheduler
from youthbridge.exchange.messages import Ack, Envelope
from youthbridge.exchange.outbox import RetryPolicy
from youthbridge.exchange.tables import InboxMessage, OutboxMessage, OutboxStream
from youthbridge.storage.base import CommonBase
from youthbridge.storage.database import make_engine, session_factory

START = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class NoTransport:
    def send(self, envelope: Envelope) -> Ack:
        raise AssertionError("nothing is queued, so nothing is sent")


@pytest.fixture
def sessions(database_url: Callable[[str], str]) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url("scheduled"))
    tables = [
        CommonBase.metadata.tables[model.__tablename__]
        for model in (OutboxMessage, OutboxStream, InboxMessage)
    ]
    CommonBase.metadata.create_all(engine, tables=tables)
    yield session_factory(engine)
    engine.dispose()


def test_daily_jobs_run_at_start_and_then_once_a_day(
    sessions: sessionmaker[Session],
) -> None:
    ran: list[date] = []
    clock = Clock()
    scheduler = Scheduler(
        sessions,
        NoTransport(),
        every=timedelta(seconds=5),
        policy=RetryPolicy(),
        daily=[DailyJob("progress:monthly", ran.append)],
        clock=clock,
    )

    scheduler.tick()
    clock.now += timedelta(hours=23)
    scheduler.tick()
    clock.now += timedelta(hours=1)
    scheduler.tick()

    assert ran == [date(2025, 3, 14), date(2025, 3, 15)]


def test_a_failing_job_neither_stops_the_others_nor_the_scheduler(
    sessions: sessionmaker[Session],
) -> None:
    ran: list[date] = []

    def broken(on: date) -> None:
        raise RuntimeError("the job has a bug")

    scheduler = Scheduler(
        sessions,
        NoTransport(),
        every=timedelta(seconds=5),
        policy=RetryPolicy(),
        daily=[DailyJob("broken", broken), DailyJob("kept", ran.append)],
        clock=Clock(),
    )

    scheduler.tick()

    assert ran == [START.date()]
