"""Decoding source files as their declared encoding, and saying where one breaks.

Polars reads UTF-8 only. A file declared cp1252 is transcoded to UTF-8 first; a
file declared UTF-8 is checked in chunks, so that a file in another encoding is
refused with the line of its first bad byte rather than read as mojibake.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from youthbridge.domain.errors import Problem, SourceError

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 24


def utf8_bytes(path: Path, encoding: str) -> bytes | None:
    """The file as UTF-8 without a byte-order mark.

    Returns None when the file on disk is already exactly that, so the caller can
    hand Polars the path and skip a copy of a large file.
    """
    if encoding not in ENCODINGS:
        raise SourceError(
            f"{path}: the map declares the encoding `{encoding}`; use one of "
            + ", ".join(f"`{name}`" for name in ENCODINGS),
            code="source:encoding",
        )
    if encoding == "cp1252":
        return _transcode(path)
    _check_utf8(path)
    with path.open("rb") as handle:
        has_bom = handle.read(len(_BOM)) == _BOM
    # A UTF-8 file may start with a byte-order mark whatever the map says; dropping
    # it keeps the first header's name exact.
    return path.read_bytes()[len(_BOM) :] if has_bom else None


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as error:
                _refuse_undecodable(path, offset, chunk, error)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            _refuse_undecodable(path, offset, b"", error)


def _refuse_undecodable(
    path: Path, offset: int, chunk: bytes, error: UnicodeDecodeError
) -> None:
    line = _line_at(path, offset + error.start)
    raise SourceError(
        f"{path}: line {line} is not valid UTF-8; if the file was saved in another"
        ' encoding, declare it in the column map (for example encoding = "cp1252")',
        code="source:encoding",
        problems=[
            Problem(
                file=str(path),
                line=line,
                column=None,
                value=chunk[error.start : error.start + 4].hex(" ") or None,
                rule="source:encoding",
                message="bytes that are not UTF-8; declare the file's encoding in the"
                ' column map (for example encoding = "cp1252")',
            )
        ],
    )


def _line_at(path: Path, byte_offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(byte_offset).count(b"\n") + 1


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
