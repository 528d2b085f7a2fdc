"""`youthbridge serve`: one node's web application on a port, through uvicorn.

With `--config FILE` the node runs as one of a deployment's separate nodes: its
settings from the file, its secrets from the environment, the exchange over
HTTPS and its scheduled work in the same process (see docs/deployment.md).
Without it, the options serve a node of an embedded data folder.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any

import click
import uvicorn
from fastapi import FastAPI

from youthbridge.commands.output import data_dir_option, reported
from youthbridge.district.node import open_district
from youthbridge.domain.errors import ConfigError
from youthbridge.embedded import MASTER_KEY_FILE, PARTIES_FILE, district_party
from youthbridge.exchange.parties import Party, PartyKind
from youthbridge.hub.node import open_hub
from youthbridge.security.keys import MASTER_KEY_FILE_VARIABLE, MASTER_KEY_VARIABLE
from youthbridge.security.settings import SecuritySettings, load_settings


@click.command("serve")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A deployed node's configuration file; replaces the other options.",
)
@click.option(
    "--node",
    "kind",
    type=click.Choice(["hub", "district"]),
    help="The kind of node to serve from the data folder.",
)
@click.option(
    "--district",
    "codes",
    multiple=True,
    help="The district to serve; for the hub, each partner district.",
)
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--imports",
    "import_roots",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder a district may ingest from by path (repeatable).",
)
def command(
    config_path: Path | None,
    kind: str | None,
    codes: tuple[str, ...],
    data_dir: Path,
    host: str,
    port: int,
    import_roots: tuple[Path, ...],
) -> None:
    """Serve the hub's or a district's pages and REST API."""
    if config_path is not None:
        _serve_configured(config_path, kind, codes)
        return
    with reported(False):
        if kind is None:
            raise ConfigError(
                "say which node to serve: --config FILE, or --node hub|district",
                code="usage:node",
            )
        settings = load_settings()
        _embedded_master_key(data_dir)
        app = _app(kind, list(codes), data_dir, settings, host, import_roots)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _embedded_master_key(data_dir: Path) -> None:
    """Use the embedded default's master key file when no other is configured.

    `open_region` keeps one beside the nodes so that a demo runs anywhere; a
    deployment names its own in the environment, which always wins.
    """
    path = data_dir / MASTER_KEY_FILE
    configured = (
        MASTER_KEY_VARIABLE in os.environ or MASTER_KEY_FILE_VARIABLE in os.environ
    )
    if not configured and path.is_file():
        os.environ[MASTER_KEY_FILE_VARIABLE] = str(path)


def _serve_configured(path: Path, kind: str | None, codes: tuple[str, ...]) -> None:
    from youthbridge.deployment import serving
    from youthbridge.deployment.config import load_config

    with reported(False):
        if kind is not None or codes:
            raise ConfigError(
                "--config says which node this is; leave out --node and --district",
                code="usage:node",
            )
        prepared = serving.prepare(load_config(path))
    serving.run(prepared)


def _app(
    kind: str,
    codes: list[str],
    data_dir: Path,
    settings: SecuritySettings,
    host: str,
    import_roots: tuple[Path, ...],
) -> FastAPI:
    # Over plain HTTP on loopback a Secure cookie is never sent back; anywhere
    # else the app must sit behind TLS, so its cookies are Secure.
    secure = not _loopback(host)
    if kind == "hub":
        from youthbridge.web.hub.app import create_app as hub_app

        partners = _partners(data_dir, codes)
        return hub_app(
            open_hub(data_dir),
            settings=settings,
            districts=partners,
            secure_cookies=secure,
        )
    if len(codes) != 1:
        raise ConfigError(
            "a district node is served with exactly one --district CODE",
            code="serve:district",
        )
    from youthbridge.web.district.app import create_app as district_app

    node = open_district(data_dir, codes[0])
    roots = import_roots or (data_dir / "imports",)
    return district_app(
        node, settings=settings, import_roots=roots, secure_cookies=secure
    )


def _partners(data_dir: Path, codes: list[str]) -> dict[str, Party]:
    """The partner districts named, with their keys from the parties file."""
    path = data_dir / PARTIES_FILE
    listed: dict[str, Any] = {}
    if path.exists():
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("parties", {})
    partners = {}
    for code in codes:
        entry = listed.get(district_party(code))
        if entry is None:
            raise ConfigError(
                f"{path}: district `{code}` is not listed; open the region once so"
                " that its key is recorded",
                code="serve:party",
            )
        partners[code] = Party(
            party_id=district_party(code),
            kind=PartyKind.DISTRICT,
            public_key=str(entry["public_key"]),
            district_code=code,
        )
    return partners


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
