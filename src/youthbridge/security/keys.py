"""Key material: the node's master key and the per-subject secrets kept off the DB.

Two things are needed to unwrap a student's data key: the master key, which the
deployment supplies through the environment, and a per-subject secret, which is
kept in a key store outside the database (a folder of small files by default).
Destroying a subject's secret makes every copy of that subject's wrapped key
useless, including the copies inside database backups taken before; see
docs/security.md for why both halves are needed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from youthbridge.domain.errors import ConfigError, Refused

MASTER_KEY_VARIABLE = "YOUTHBRIDGE_MASTER_KEY"
MASTER_KEY_FILE_VARIABLE = "YOUTHBRIDGE_MASTER_KEY_FILE"
KEY_BYTES = 32
_NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[0-9a-f]{32}$")


class KeyUnavailable(Refused):
    """A key needed to read something is gone or does not match."""


@dataclass(frozen=True)
class MasterKey:
    """The node's 256-bit master key; its id names it without revealing it."""

    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.material) != KEY_BYTES:
            raise ConfigError(
                f"The master key must be {KEY_BYTES} bytes; it is "
                f"{len(self.material)}.",
                code="key:master",
            )

    @property
    def key_id(self) -> str:
        """A short public name for this key, stored beside what it wraps."""
        digest = hmac.new(self.material, b"youthbridge master key id", "sha256")
        return digest.hexdigest()[:16]

    def derive(self, purpose: str, salt: bytes | None = None) -> bytes:
        """A 256-bit key for one purpose, independent of keys for any other."""
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=salt,
            info=f"youthbridge:{purpose}".encode(),
        )
        return hkdf.derive(self.material)

    @classmethod
    def generate(cls) -> MasterKey:
        """A fresh random master key (for set-up and tests)."""
        return cls(secrets.token_bytes(KEY_BYTES))

    def encoded(self) -> str:
        """The key in the base64 form that the environment variable takes."""
        return base64.b64encode(self.material).decode("ascii")


def load_master_key(environ: Mapping[str, str] | None = None) -> MasterKey:
    """The master key from YOUTHBRIDGE_MASTER_KEY or YOUTHBRIDGE_MASTER_KEY_FILE."""
    environ = os.environ if environ is None else environ
    if MASTER_KEY_VARIABLE in environ:
        return _decode_master(environ[MASTER_KEY_VARIABLE], MASTER_KEY_VARIABLE)
    if MASTER_KEY_FILE_VARIABLE in environ:
        path = Path(environ[MASTER_KEY_FILE_VARIABLE])
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            why = error.__class__.__name__
            raise ConfigError(
                f"{path}: the master key file cannot be read ({why}).",
                code="key:master",
            ) from None
        return _decode_master(text, str(path))
    raise ConfigError(
        f"No master key: set {MASTER_KEY_VARIABLE} to 32 bytes in base64, or "
        f"{MASTER_KEY_FILE_VARIABLE} to the path of a file that holds them.",
        code="key:master",
    )


def _decode_master(text: str, source: str) -> MasterKey:
    # NOTE: the error never repeats the value; it may be most of a real key.
    try:
        material = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            f"{source}: the master key is not valid base64.", code="key:master"
        ) from None
    return MasterKey(material)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM with a random nonce; the nonce travels in front."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Reverse `seal`; a wrong key, altered bytes or other AAD are refused."""
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise KeyUnavailable(
            "The data cannot be decrypted with the keys this node holds.",
            code="key:mismatch",
        ) from None


def fingerprint(data: bytes) -> str:
    """SHA-256 of some bytes, as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


class SubjectSecretStore(Protocol):
    """Where per-subject secrets live: never inside the node's database."""

    def create(self, key_id: str) -> bytes:
        """Make and keep a new random secret under this key id."""
        ...

    def get(self, key_id: str) -> bytes:
        """The secret, or KeyUnavailable when it was destroyed or never made."""
        ...

    def destroy(self, key_id: str) -> None:
        """Remove the secret for good; later reads raise KeyUnavailable."""
        ...


class FileSecretStore:
    """One small file per subject key in a folder kept out of database backups.

    Files are named by the random key id, never by the subject, so the folder
    says nothing about who is in it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def create(self, key_id: str) -> bytes:
        secret = secrets.token_bytes(KEY_BYTES)
        path = self._path(key_id)
        # O_EXCL: a key id is never reused, so an existing file means a bug.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
        return secret

    def get(self, key_id: str) -> bytes:
        try:
            secret = self._path(key_id).read_bytes()
        except FileNotFoundError:
            raise KeyUnavailable(
                "This record's key has been destroyed; the record cannot be read.",
                code="key:destroyed",
            ) from None
        if len(secret) != KEY_BYTES:
            raise KeyUnavailable("This record's key is damaged.", code="key:damaged")
        return secret

    def destroy(self, key_id: str) -> None:
        path = self._path(key_id)
        if not path.exists():
            return
        # Overwrite before unlinking so the bytes do not linger in the file's
        # blocks on file systems that write in place; see docs/security.md for
        # what this cannot promise on SSDs and copy-on-write file systems.
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()

    def _path(self, key_id: str) -> Path:
        # The id becomes a file name: refuse anything but the shape we make.
        if not _KEY_ID.match(key_id):
            raise ValueError("a subject key id is 32 lowercase hex digits")
        return self.folder / f"{key_id}.key"
