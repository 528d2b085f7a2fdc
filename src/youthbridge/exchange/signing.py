"""Identity keys and signatures: every envelope is signed by its sender.

The signature covers the envelope's canonical form: JSON with sorted keys, no
insignificant whitespace, UTF-8, times in ISO-8601 UTC, and without the signature
itself. Both sides compute the same bytes from the same envelope, so that a
change to any byte of the content makes the signature fail.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.errors import SignatureInvalid
from youthbridge.exchange.messages import Envelope
from youthbridge.exchange.parties import Party, PartyDirectory


def generate_key() -> Ed25519PrivateKey:
    """A new identity key for a node."""
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half, as the agreement lists it: base64 of the raw 32 bytes."""
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def save_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """Write a key that only its owner can read; an existing file is never replaced."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    # The mode is given when the file is created, so there is no moment when
    # another account could open it; O_EXCL refuses to overwrite a node's key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path}: a key file already exists; move it away to make a new key",
            code="key:exists",
        ) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read a node's identity key, refusing a file that others could read."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"{path}: the key file cannot be read: {error.strerror}", code="key:read"
        ) from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: the key file is open to other accounts; run chmod 600 on it",
            code="key:permissions",
        )
    return _private_key_from_pem(path, data)


def _private_key_from_pem(path: Path, data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"{path}: the file is not an unencrypted PEM private key",
            code="key:format",
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: the key is not an Ed25519 key", code="key:format")
    return key


def canonical_bytes(envelope: Envelope) -> bytes:
    """The bytes a signature covers: the envelope without its signature."""
    return _canonical_json(envelope.model_dump(mode="json", exclude={"signature"}))


def wire_bytes(envelope: Envelope) -> bytes:
    """The whole envelope, signature included, in the same canonical form."""
    return _canonical_json(envelope.model_dump(mode="json"))


def _canonical_json(data: dict[str, Any]) -> bytes:
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def sign(envelope: Envelope, key: Ed25519PrivateKey) -> Envelope:
    """The same envelope, carrying its sender's signature."""
    signature = key.sign(canonical_bytes(envelope))
    encoded = base64.b64encode(signature).decode("ascii")
    return envelope.model_copy(update={"signature": encoded})


def verify(envelope: Envelope, parties: PartyDirectory) -> Party:
    """The trusted sender of an envelope, or a refusal saying why it is not."""
    sender = parties.trusted(envelope.sender)
    parties.find(envelope.recipient)
    try:
        signature = base64.b64decode(envelope.signature, validate=True)
        sender.verifying_key().verify(signature, canonical_bytes(envelope))
    except (InvalidSignature, ValueError):
        raise SignatureInvalid(
            f"message {envelope.message_id} from `{envelope.sender}` does not match"
            " its signature and the sender's key in the agreement: it was altered"
            " on the way or signed with another key, and is refused",
            code="message:signature",
        ) from None
    return sender
