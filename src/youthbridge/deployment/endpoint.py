"""The exchange endpoint and the health check, served beside a node's pages.

`POST /exchange/v1/messages` takes no session and no cookie: its trust comes
from the Ed25519 signature, checked by the inbox against the agreement's parties
with this node's own party id as the only acceptable recipient. A refused
message answers 403 with its code and nothing of it is kept; the sender's outbox
keeps it. `GET /healthz` says the node is up and how much it still has to send,
counts only, so that a load balancer or a monitor may call it without signing in.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from youthbridge.exchange.errors import MessageRefused
from youthbridge.exchange.messages import Envelope
from youthbridge.exchange.tables import (
    InboxMessage,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
)
from youthbridge.exchange.transport import MESSAGES_PATH, Receiver
from youthbridge.web.common.guard import public

log = structlog.get_logger(__name__)

HEALTH_PATH = "/healthz"
EXCHANGE_PREFIX = "/exchange"


def attach_exchange(
    app: FastAPI, receiver: Receiver, sessions: sessionmaker[Session]
) -> None:
    """Mount the exchange endpoint and the health check on a node's app."""
    # A sub-application of its own: the node's pages' error handlers turn
    # errors into pages and redirects, the exchange answers machines in JSON.
    app.mount(EXCHANGE_PREFIX, exchange_app(receiver))

    def health() -> dict[str, Any]:
        return health_counts(sessions)

    app.add_api_route(HEALTH_PATH, health, methods=["GET"], dependencies=[public()])


def exchange_app(receiver: Receiver) -> FastAPI:
    """The `/exchange` application: one route that hands envelopes to the inbox."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    path = MESSAGES_PATH.removeprefix(EXCHANGE_PREFIX)

    @app.post(path, response_model=None)
    async def post_message(request: Request) -> Response:
        body = await request.body()
        # The inbox works through a blocking database session: off the event
        # loop, so that the health check still answers during a large release.
        return await run_in_threadpool(_receive, receiver, body)

    return app


def _receive(receiver: Receiver, body: bytes) -> Response:
    try:
        envelope = Envelope.model_validate_json(body)
    except ValidationError:
        log.warning("exchange.endpoint.malformed", size=len(body))
        return _refusal(400, "message:malformed", "the body is not an envelope")

    fields = {"message_id": str(envelope.message_id), "sender": envelope.sender}
    log.info("exchange.endpoint.received", type=str(envelope.type), **fields)
    try:
        ack = receiver(envelope)
    except MessageRefused as error:
        log.warning("exchange.endpoint.refused", error_code=error.code, **fields)
        return _refusal(403, error.code, error.message)
    except Exception as error:
        # Only the type: a database error's text quotes the statement's values,
        # which may be the message's content. The sender will try again.
        log.error("exchange.endpoint.failed", error_type=type(error).__name__, **fields)
        return _refusal(500, "exchange:receiver", "the message could not be taken")
    return Response(ack.model_dump_json(), media_type="application/json")


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def health_counts(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The node is up; how many messages wait to go out, or need a person."""
    with sessions() as session:
        return {
            "status": "ok",
            "outbox_pending": _count(session, OutboxMessage, OutboxStatus.PENDING),
            "outbox_undeliverable": _count(session, OutboxMessage, OutboxStatus.DEAD),
            "inbox_dead_letters": _count(session, InboxMessage, InboxStatus.DEAD),
        }


def _count(
    session: Session,
    table: type[OutboxMessage] | type[InboxMessage],
    status: OutboxStatus | InboxStatus,
) -> int:
    query = select(func.count()).select_from(table).where(table.status == status)
    return int(session.scalar(query) or 0)
