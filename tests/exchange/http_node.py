"""A node's exchange endpoint served for real by uvicorn on a local port.

The app is the smallest one that can stand in for a node: one route that reads
an envelope, calls the node's receiver and answers with the ack, or with the
refusal's code. The port is reserved from the start, so that a node that is
"down" refuses connections on it exactly as a stopped server would.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from youthbridge.exchange.errors import MessageRefused
from youthbridge.exchange.messages import Ack, Envelope
from youthbridge.exchange.transport import MESSAGES_PATH, Receiver

STARTUP_SECONDS = 10.0


def exchange_app(receiver: Receiver) -> FastAPI:
    """One route: POST an envelope, get its ack or a refusal with its code."""
    app = FastAPI()

    @app.post(MESSAGES_PATH, response_model=None)
    def post_message(envelope: Envelope) -> Ack | JSONResponse:
        try:
            return receiver(envelope)
        except MessageRefused as error:
            body = {"code": error.code, "message": error.message}
            return JSONResponse(body, status_code=403)

    return app


class ServedNode:
    """A receiver behind a real HTTP server that can be brought up and down."""

    def __init__(self, receiver: Receiver) -> None:
        self._app = exchange_app(receiver)
        self._socket = _reserve("127.0.0.1", 0)
        self.port: int = self._socket.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        config = uvicorn.Config(
            self._app, log_level="warning", lifespan="off", ws="none", http="h11"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        _wait_until_started(self._server)

    def down(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_SECONDS)
        self._server = self._thread = None

        # Hold the port again at once, so that nobody else takes it while the
        # node is down, and so that connecting to it is refused meanwhile.
        self._socket.close()
        self._socket = _reserve("127.0.0.1", self.port)

    def close(self) -> None:
        self.down()
        self._socket.close()


def _reserve(host: str, port: int) -> socket.socket:
    # Bound but not listening: connections are refused until the server starts.
    reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reserved.bind((host, port))
    return reserved


def _wait_until_started(server: uvicorn.Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test HTTP server did not start in time")
        time.sleep(0.01)
