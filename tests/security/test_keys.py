"""The master key comes from the environment or a key file, and nowhere else."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from youthbridge.domain.errors import ConfigError
from youthbridge.security.keys import (
    FileSecretStore,
    KeyUnavailable,
    MasterKey,
    load_master_key,
)
from youthbridge.security.settings import load_settings

MATERIAL = bytes(range(32))
ENCODED = base64.b64encode(MATERIAL).decode()


def test_the_master_key_is_read_from_the_environment() -> None:
    key = load_master_key({"YOUTHBRIDGE_MASTER_KEY": ENCODED})
    assert key.material == MATERIAL
    assert len(key.key_id) == 16
    assert ENCODED not in repr(key)


def test_the_master_key_is_read_from_a_key_file(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.write_text(ENCODED + "\n", encoding="ascii")
    key = load_master_key({"YOUTHBRIDGE_MASTER_KEY_FILE": str(path)})
    assert key == MasterKey(MATERIAL)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "No master key"),
        ({"YOUTHBRIDGE_MASTER_KEY": "not base64!"}, "not valid base64"),
        ({"YOUTHBRIDGE_MASTER_KEY": base64.b64encode(b"short").decode()}, "32 bytes"),
        ({"YOUTHBRIDGE_MASTER_KEY_FILE": "/nonexistent/master.key"}, "cannot be read"),
    ],
)
def test_a_missing_or_bad_master_key_is_a_clear_error(
    environ: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as refusal:
        load_master_key(environ)
    assert "not base64!" not in str(refusal.value)


def test_the_idle_limit_can_be_set_and_is_checked() -> None:
    base = {"YOUTHBRIDGE_MASTER_KEY": ENCODED}
    assert load_settings(base).idle_timeout.total_seconds() == 30 * 60
    custom = load_settings({**base, "YOUTHBRIDGE_SESSION_IDLE_MINUTES": "10"})
    assert custom.idle_timeout.total_seconds() == 10 * 60
    with pytest.raises(ConfigError):
        load_settings({**base, "YOUTHBRIDGE_SESSION_IDLE_MINUTES": "0"})


def test_a_destroyed_subject_secret_is_gone_for_good(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "key-store")
    key_id = "0123456789abcdef0123456789abcdef"
    secret = store.create(key_id)
    assert store.get(key_id) == secret

    store.destroy(key_id)

    with pytest.raises(KeyUnavailable):
        store.get(key_id)
    assert list((tmp_path / "key-store").iterdir()) == []


def test_a_key_id_cannot_walk_out_of_the_store(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "key-store")
    with pytest.raises(ValueError, match="32 lowercase hex"):
        store.get("../../etc/passwd")
