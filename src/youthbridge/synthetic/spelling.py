"""Spelling a name the way a system or an address can hold it.

Both functions work on the distinct values of a column, which are few even when
the column is long, and map them back in one vectorised pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import polars as pl

_NOT_HANDLE = re.compile(r"[^a-z]")

# Letters that carry their mark inside them and do not decompose.
_PLAIN_LETTER = str.maketrans(
    {"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae"}
)


def fold_to_charset(text: str, charset: str) -> str:
    """Drop the accents a charset cannot hold, keeping those it can.

    `Núñez` stays `Núñez` in cp1252, while `Nguyễn` becomes `Nguyen`: what a
    clerk ends up with when the system refuses the character.
    """
    kept: list[str] = []
    for character in text:
        try:
            character.encode(charset)
        except UnicodeEncodeError:
            bare = unicodedata.normalize("NFKD", character.translate(_PLAIN_LETTER))
            character = "".join(c for c in bare if not unicodedata.combining(c))
            character = unicodedata.normalize("NFC", character)
        kept.append(character)
    folded = "".join(kept)
    folded.encode(charset)  # anything left that cannot be held should fail here
    return folded


def email_handle(text: str) -> str:
    """Lower-case ASCII letters only: `O'Brien-Núñez` -> `obriennunez`."""
    bare = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTER))
    ascii_only = bare.encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_HANDLE.sub("", ascii_only)


def respell(
    frame: pl.DataFrame, columns: Iterable[str], spell: Callable[[str], str]
) -> pl.DataFrame:
    """Apply `spell` to every distinct value of the text columns named."""
    updates: list[pl.Expr] = []
    for column in columns:
        distinct = frame[column].drop_nulls().unique().to_list()
        mapping = {value: spell(value) for value in distinct}
        changed = {old: new for old, new in mapping.items() if old != new}
        if changed:
            updates.append(pl.col(column).replace(changed))
    return frame.with_columns(updates) if updates else frame
