"""District-scoped pseudonyms: a keyed hash of the student identifier.

The key is made when the node is first opened and kept in a file beside the
database, readable by its owner only; it never enters the database and never
leaves the district. The same student always gets the same pseudonym, across
years and exports; without the key a pseudonym cannot be turned back into an
identifier, nor an identifier tried against it. The table that turns a pseudonym
back into a student lives in the district's database alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl
from sqlalchemy import insert, select

from youthbridge.district.node import DistrictNode
from youthbridge.domain.errors import ConfigError, NotFound
from youthbridge.storage.district_tables import pseudonyms

KEY_FILE = "pseudonym.key"
_KEY_BYTES = 32
_DIGEST_CHARACTERS = 20  # 100 bits of the digest: no collision in any district


def load_key(folder: Path) -> bytes:
    """The district's pseudonym key, made on first use with owner-only access."""
    path = folder / KEY_FILE
    if not path.exists():
        _create_key(path)
    key = path.read_bytes()
    if len(key) != _KEY_BYTES:
        raise ConfigError(
            f"{path}: the pseudonym key is damaged ({len(key)} bytes, not"
            f" {_KEY_BYTES}); restore it from the district's key backup",
            code="pseudonym:key",
        )
    return key


def _create_key(path: Path) -> None:
    # O_EXCL: two processes opening a new node at once cannot both make a key.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(_KEY_BYTES))


def pseudonym_for(key: bytes, district_code: str, student_id: str) -> str:
    """The pseudonym of one student: the district's code, then the keyed hash."""
    digest = hmac.new(key, student_id.encode("utf-8"), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii")[:_DIGEST_CHARACTERS]
    return f"{district_code}-{text}"


def assign(node: DistrictNode, student_ids: pl.Series) -> pl.DataFrame:
    """Pseudonyms for these students, recording new ones for re-identification."""
    key = load_key(node.folder)
    unique = student_ids.unique().sort()
    frame = pl.DataFrame(
        {
            "student_id": unique,
            "pseudonym": [pseudonym_for(key, node.code, sid) for sid in unique],
        }
    )
    with node.engine.begin() as connection:
        known = set(connection.execute(select(pseudonyms.c.student_id)).scalars())
        new = frame.filter(~pl.col("student_id").is_in(list(known)))
        if not new.is_empty():
            connection.execute(insert(pseudonyms), new.to_dicts())
    return frame


def reidentify(node: DistrictNode, pseudonym: str) -> str:
    """The student behind a pseudonym this district made, or NotFound."""
    query = select(pseudonyms.c.student_id).where(pseudonyms.c.pseudonym == pseudonym)
    with node.engine.connect() as connection:
        student_id = connection.execute(query).scalar_one_or_none()
    if student_id is None:
        raise NotFound(
            f"the pseudonym {pseudonym} is not one this district made",
            code="pseudonym:unknown",
        )
    return str(student_id)
