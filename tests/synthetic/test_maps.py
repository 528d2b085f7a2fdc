"""The two column maps parse and cover every coded column they map."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from youthbridge.district.canonical import TABLES, Kind
from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.schoolyear import YearLabelStyle
from youthbridge.synthetic.layout import load_layout, map_path

LAYOUTS = ("campus", "powerschool")


def _document(layout: str) -> dict[str, Any]:
    return tomllib.loads(map_path(layout).read_text(encoding="utf-8"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_source_section_uses_the_documented_values(layout: str) -> None:
    source = _document(layout)["source"]

    assert source["layout"] == layout
    assert source["encoding"] in ("utf-8", "utf-8-sig", "cp1252")
    assert source["delimiter"] == ","
    YearLabelStyle(source["year_style"])
    AttendanceMode(source["attendance_mode"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_code_column_of_every_mapped_table_has_a_code_table(
    layout: str,
) -> None:
    for name, spec in _document(layout)["tables"].items():
        coded = [
            column.name
            for column in TABLES[name].columns
            if column.kind is Kind.CODE and column.name in spec["columns"]
        ]
        for column in coded:
            assert column in spec.get("codes", {}), f"{layout}: {name}.{column}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_code_tables_map_onto_the_whole_vocabulary(layout: str) -> None:
    for name, spec in _document(layout)["tables"].items():
        for column, codes in spec.get("codes", {}).items():
            vocabulary = TABLES[name].column(column).vocabulary
            assert vocabulary is not None
            assert set(codes.values()) == vocabulary, f"{layout}: {name}.{column}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_required_column_is_mapped_to_a_distinct_header(layout: str) -> None:
    for name, spec in _document(layout)["tables"].items():
        headers = list(spec["columns"].values())
        required = {c.name for c in TABLES[name].columns if c.required}
        assert required <= set(spec["columns"]), f"{layout}: {name}"
        assert len(headers) == len(set(headers)), f"{layout}: {name}"


def test_the_layouts_differ_in_the_ways_a_reader_must_handle() -> None:
    campus, powerschool = (
        load_layout(map_path("campus")),
        load_layout(map_path("powerschool")),
    )

    assert (campus.encoding, powerschool.encoding) == ("utf-8-sig", "cp1252")
    assert (campus.date_format, powerschool.date_format) == ("%m/%d/%Y", "%Y-%m-%d")
    assert campus.year_style is YearLabelStyle.FULL
    assert powerschool.year_style is YearLabelStyle.SHORT_PAIR
    assert "fraction_absent" not in campus.tables["attendance"].columns
    assert "fraction_absent" in powerschool.tables["attendance"].columns
    assert campus.tables["attendance"].codes["status"]["HD"] == "partial"
