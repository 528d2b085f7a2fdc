"""A node's configuration: settings in the file, secrets only in the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from youthbridge.deployment.config import load_config
from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.parties import PartyKind

DISTRICT = """
[node]
kind = "district"
district_code = "0180"
data_dir = "data"
database_url_env = "YB_DISTRICT_DATABASE_URL"

[listen]
host = "0.0.0.0"
port = 8443

[tls]
certificate = "tls/node.crt"
private_key = "tls/node.key"
peer_ca = "tls/ca.crt"

[agreement]
parties = "parties.toml"

[peers]
"hub" = "https://hub.example.org:8443/"

[schedule]
deliver_every_seconds = 2
retry_first_delay_seconds = 10
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_district_configuration_is_read_with_paths_beside_the_file(
    tmp_path: Path,
) -> None:
    config = load_config(_write(tmp_path, DISTRICT))

    assert config.kind is PartyKind.DISTRICT
    assert config.party_id == "district:0180"
    assert config.data_dir == tmp_path / "data"
    assert config.tls.peer_ca == tmp_path / "tls" / "ca.crt"
    assert config.peers == {"hub": "https://hub.example.org:8443"}
    assert config.schedule.deliver_every.total_seconds() == 2
    assert config.schedule.retry.first_delay.total_seconds() == 10
    assert config.schedule.retry.max_attempts == 12


def test_the_database_url_comes_from_the_variable_the_file_names(
    tmp_path: Path,
) -> None:
    config = load_config(_write(tmp_path, DISTRICT))
    url = "postgresql://district:from-the-vault@db.internal/yb"

    assert config.database_url({"YB_DISTRICT_DATABASE_URL": url}) == url
    with pytest.raises(ConfigError, match="YB_DISTRICT_DATABASE_URL, which is not"):
        config.database_url({})


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ('master_key = "c2VjcmV0"', "node.master_key"),
        ('database_url = "sqlite:///x.sqlite"', "node.database_url"),
        ('db_password = "hunter2"', "node.db_password"),
    ],
)
def test_a_secret_in_the_file_is_refused(
    tmp_path: Path, line: str, column: str
) -> None:
    text = DISTRICT.replace("[listen]", f"{line}\n\n[listen]")

    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, text))

    assert [(p.column, p.rule) for p in refused.value.problems] == [
        (column, "config:secret")
    ]


def test_an_address_with_a_password_is_refused(tmp_path: Path) -> None:
    text = DISTRICT.replace(
        "https://hub.example.org", "https://node:letmein@hub.example.org"
    )

    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, text))

    assert [p.rule for p in refused.value.problems] == ["config:secret"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[node]
kind = "school"
colour = "blue"

[listen]
port = 70000

[tls]
certificate = "node.crt"
"""
    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, text))

    assert sorted((p.column or "", p.rule) for p in refused.value.problems) == [
        ("agreement.parties", "config:key"),
        ("listen.port", "config:type"),
        ("node.colour", "config:key"),
        ("node.data_dir", "config:key"),
        ("node.kind", "config:kind"),
        ("tls", "config:tls"),
    ]


def test_a_district_named_as_another_party_is_refused(tmp_path: Path) -> None:
    text = DISTRICT.replace(
        'district_code = "0180"', 'district_code = "0180"\nparty_id = "hub"'
    )

    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, text))

    assert [p.column for p in refused.value.problems] == ["node.party_id"]
