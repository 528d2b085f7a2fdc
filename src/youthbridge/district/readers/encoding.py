"""Decoding source files as their declared encoding, and saying where one breaks.

Polars reads UTF-8 only. A file declared cp1252 is transcoded to UTF-8 first; a
file declared UTF-8 is read once and checked in memory, so that a file in another
encoding is refused with the line of its first bad byte rather than read as
mojibake.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from youthbridge.domain.errors import Problem, SourceError

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
_CHUNK = 1 << 24


def utf8_bytes(path: Path, encoding: str) -> bytes:
    """The file's bytes as UTF-8, read from disk once.

    A UTF-8 file may start with a byte-order mark whatever the map says; it is
    left in place, since the CSV parser drops it from the first header and
    slicing it off here would copy the whole file.
    """
    if encoding not in ENCODINGS:
        raise SourceError(
            f"{path}: the map declares the encoding `{encoding}`; use one of "
            + ", ".join(f"`{name}`" for name in ENCODINGS),
            code="source:encoding",
        )
    if encoding == "cp1252":
        return _transcode(path)
    data = path.read_bytes()
    _check_utf8(path, data)
    return data


def _check_utf8(path: Path, data: bytes) -> None:
    # Decoding in chunks bounds the memory of the text the check makes and
    # throws away; a memoryview slices without copying.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for offset in range(0, len(data), _CHUNK):
        chunk = view[offset : offset + _CHUNK]
        try:
            decoder.decode(chunk, final=False)
        except UnicodeDecodeError as error:
            _refuse_undecodable(path, data, offset + error.start)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse_undecodable(path, data, len(data) - len(decoder.getstate()[0]))


def _refuse_undecodable(path: Path, data: bytes, byte_offset: int) -> None:
    line = data.count(b"\n", 0, byte_offset) + 1
    raise SourceError(
        f"{path}: line {line} is not valid UTF-8; if the file was saved in another"
        ' encoding, declare it in the column map (for example encoding = "cp1252")',
        code="source:encoding",
        problems=[
            Problem(
                file=str(path),
                line=line,
                column=None,
                value=data[byte_offset : byte_offset + 4].hex(" ") or None,
                rule="source:encoding",
                message="bytes that are not UTF-8; declare the file's encoding in the"
                ' column map (for example encoding = "cp1252")',
            )
        ],
    )


def _transcode(path: Path) -> bytes:
    raw = path.read_bytes()
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError(
            f"{path}: line {line} has a byte that cp1252 does not define; check the"
            " encoding declared in the column map",
            code="source:encoding",
        ) from error
    return text.encode("utf-8")
