"""Where a district's staff may ingest from: server folders and uploaded files.

A path typed into the page must lie inside one of the node's import folders, so
that the form cannot read any other file on the server. An uploaded CSV is kept
in the node's folder under the file name its column map expects.
"""

from __future__ import annotations

import uuid
from importlib.resources import files
from pathlib import Path

from fastapi import Request, UploadFile

from youthbridge.district.node import DistrictNode
from youthbridge.district.readers.column_map import load_column_map
from youthbridge.domain.errors import Refused
from youthbridge.web.common.guard import site_of

BESIDE = "beside"
"""The map choice meaning: the `map.toml` inside the export folder."""

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


def built_in_maps() -> dict[str, Path]:
    """The column maps that come with youthbridge, by name."""
    folder = Path(str(files("youthbridge.synthetic").joinpath("maps")))
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def node_of(request: Request) -> DistrictNode:
    node: DistrictNode = request.app.state.node
    return node


def maps_of(request: Request) -> dict[str, Path]:
    maps: dict[str, Path] = request.app.state.column_maps
    return maps


def tables_of(map_path: Path) -> dict[str, str]:
    """Each table a map reads, and the file name it reads it from."""
    return {
        name: table.file for name, table in load_column_map(map_path).tables.items()
    }


def server_path(request: Request, typed: str) -> Path:
    """The typed path, if it lies inside one of the node's import folders."""
    roots = site_of(request).import_roots
    path = Path(typed.strip()).expanduser()
    resolved = path.resolve()
    for root in roots:
        if resolved.is_relative_to(root.resolve()):
            return resolved
    shown = ", ".join(str(root) for root in roots) or "none are set up"
    raise Refused(
        f"`{typed}` is not inside an import folder of this node ({shown}). Put "
        "the export in an import folder, or upload the file.",
        code="upload:path",
    )


def chosen_map(request: Request, name: str, source: Path | None) -> Path:
    """The column map chosen by name, or the one inside the export folder."""
    if name == BESIDE and source is not None:
        return source / "map.toml" if source.is_dir() else source.parent / "map.toml"
    maps = maps_of(request)
    if name not in maps:
        known = ", ".join(f"`{key}`" for key in maps)
        raise Refused(f"Choose one of the column maps: {known}.", code="upload:map")
    return maps[name]


async def keep_upload(node: DistrictNode, upload: UploadFile, file_name: str) -> Path:
    """Save an uploaded file as `file_name` in a fresh folder; returns its path."""
    folder = node.folder / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / Path(file_name).name
    written = 0
    with target.open("wb") as handle:
        while chunk := await upload.read(_CHUNK):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise Refused(
                    f"The file is larger than {MAX_UPLOAD_BYTES // _CHUNK} MB; "
                    "put it in an import folder and ingest it by path.",
                    code="upload:size",
                )
            handle.write(chunk)
    return target
