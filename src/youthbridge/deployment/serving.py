"""`youthbridge serve --config FILE`: one deployed node behind uvicorn, with TLS.

The node's app gets the exchange endpoint and the health check; a background
thread delivers its outbox and runs its daily jobs; every log line, the
server's own included, is one JSON object on standard error.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from youthbridge import logs
from youthbridge.security.settings import SecuritySettings, load_settings

from .config import NodeConfig
from .endpoint import attach_exchange
from .node import DeployedNode, open_node
from .peers import PeerTransport
from .schedule import Scheduler

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


@dataclass
class PreparedNode:
    """A node opened and wired, not yet listening."""

    config: NodeConfig
    node: DeployedNode
    app: FastAPI
    transport: PeerTransport
    scheduler: Scheduler

    def close(self) -> None:
        """Stop sending, then let go of the database; safe to call twice."""
        self.scheduler.stop()
        self.transport.close()
        self.node.close()


def prepare(config: NodeConfig) -> PreparedNode:
    """Open the node and build its app and scheduler; raises on bad settings."""
    logs.configure(_LEVELS[config.log_level])
    settings = load_settings()
    node = open_node(config)
    app = node_app(node, settings)
    attach_exchange(app, node.receiver, node.sessions)
    transport = node.transport()
    schedule = config.schedule
    scheduler = Scheduler(
        node.sessions,
        transport,
        every=schedule.deliver_every,
        policy=schedule.retry,
        daily=node.daily,
        daily_every=schedule.daily_every,
    )
    return PreparedNode(config, node, app, transport, scheduler)


def run(prepared: PreparedNode) -> None:
    """Serve until stopped; the scheduler runs for as long as the server does."""
    config = uvicorn.Config(prepared.app, **uvicorn_options(prepared.config))
    server = _NodeServer(config, prepared)
    prepared.scheduler.start()
    try:
        server.run()
    finally:
        prepared.close()


class _NodeServer(uvicorn.Server):
    """uvicorn's server, stopping the node's scheduler as part of its shutdown."""

    def __init__(self, config: uvicorn.Config, prepared: PreparedNode) -> None:
        super().__init__(config)
        self._prepared = prepared

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # After a stop signal uvicorn re-raises it once it has shut down, which
        # ends the process before any `finally` of ours: the scheduler finishes
        # its round here, while the server is still winding down.
        await super().shutdown(sockets)
        await asyncio.to_thread(self._prepared.close)


def node_app(node: DeployedNode, settings: SecuritySettings) -> FastAPI:
    """The node's own pages and API, as `create_app` of its kind builds them."""
    config = node.config
    # Cookies are Secure whenever a browser could reach the node over TLS, or
    # from anywhere but this machine (then a TLS proxy must sit in front).
    secure = config.tls.serving or not _loopback(config.host)
    if node.hub is not None:
        from youthbridge.web.hub.app import create_app as hub_app

        return hub_app(
            node.hub, settings=settings, districts=node.partners, secure_cookies=secure
        )
    from youthbridge.web.district.app import create_app as district_app

    assert node.district is not None
    return district_app(
        node.district,
        settings=settings,
        import_roots=(config.data_dir / "imports",),
        secure_cookies=secure,
    )


def uvicorn_options(config: NodeConfig) -> dict[str, Any]:
    options: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "log_config": _log_config(config.log_level),
        # The access log would write client addresses in the clear; the
        # exchange endpoint logs each message by id instead.
        "access_log": False,
        # A peer's connection left half-open must not hold a stop for long.
        "timeout_graceful_shutdown": 10,
    }
    if config.tls.serving:
        options["ssl_certfile"] = str(config.tls.certificate)
        options["ssl_keyfile"] = str(config.tls.private_key)
    return options


class JsonLineFormatter(logging.Formatter):
    """The server's own log records, in the same JSON lines as everything else."""

    def format(self, record: logging.LogRecord) -> str:
        # No traceback: an exception's text may quote what a request carried.
        line = {
            "event": record.getMessage(),
            "logger": record.name,
            "level": record.levelname.lower(),
            "timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["error_type"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


def _log_config(level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLineFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper()},
            "uvicorn.error": {"level": level.upper()},
        },
    }


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
