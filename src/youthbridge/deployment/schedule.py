"""Scheduled work inside `youthbridge serve`: no separate scheduler to run.

One background thread delivers the outbox every few seconds (each message
backing off on its own after a failure, as the retry policy says) and runs the
node's daily jobs when a day has passed since they last ran. Every daily job is
written to be run again safely, because a restarted node runs them once more
at start: it cannot know whether the last run finished before the node stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

import structlog
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.exchange.outbox import RetryPolicy, deliver_pending
from youthbridge.exchange.transport import Transport
from youthbridge.storage.base import utcnow

from .node import DailyJob

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


class Scheduler:
    """Delivers a node's outbox on a timer and runs its daily jobs."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        transport: Transport,
        *,
        every: timedelta,
        policy: RetryPolicy,
        daily: Sequence[DailyJob] = (),
        daily_every: timedelta = timedelta(hours=24),
        clock: Clock = utcnow,
    ) -> None:
        self._sessions = sessions
        self._transport = transport
        self._every = every
        self._policy = policy
        self._daily = tuple(daily)
        self._daily_every = daily_every
        self._clock = clock
        self._last_daily: datetime | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="youthbridge-scheduler", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current round; a delivery in flight is finished first."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        log.info("schedule.started", every_seconds=self._every.total_seconds())
        while not self._stopping.is_set():
            self.tick()
            self._stopping.wait(self._every.total_seconds())
        log.info("schedule.stopped")

    def tick(self) -> None:
        """One round: deliver what is due, then the daily jobs if their time came."""
        self._guarded("outbox:deliver", self._deliver)
        now = self._clock()
        if self._last_daily is None or now - self._last_daily >= self._daily_every:
            self._last_daily = now
            for job in self._daily:
                self._guarded(job.name, partial(job.run, now.date()))

    def _deliver(self) -> None:
        report = deliver_pending(self._sessions, self._transport, policy=self._policy)
        if report.delivered or report.retrying or report.dead:
            log.info(
                "schedule.outbox.delivered",
                delivered=len(report.delivered),
                retrying=len(report.retrying),
                dead=len(report.dead),
                held=len(report.held),
            )

    def _guarded(self, name: str, work: Callable[[], object]) -> None:
        # The thread must outlive any one failure (a database that is briefly
        # away, a job's bug): it logs the failure's type, never its text, which
        # may quote a row's values, and tries again next round.
        try:
            work()
        except Exception as error:
            log.error("schedule.job.failed", job=name, error_type=type(error).__name__)
        else:
            if name != "outbox:deliver":
                log.info("schedule.job.done", job=name)
