"""The real figures the generator is anchored on, checked against their source."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest

from youthbridge.synthetic.facts import PROFILES, DistrictFacts, DistrictProfile
from youthbridge.synthetic.layout import map_path

CDE_FILE = "colorado-chronic-absence/2022-2023_chronic_absenteeism.csv"


@pytest.mark.parametrize("facts", [p.facts for p in PROFILES], ids=lambda f: f.code)
def test_district_constants_match_the_cde_file(
    shared_data: Path, facts: DistrictFacts
) -> None:
    published = pl.read_csv(
        shared_data / CDE_FILE, schema_overrides={"district_code": pl.String}
    ).filter(pl.col("district_code") == facts.code)

    assert published.height == 1
    row = published.row(0, named=True)
    assert row["district_name"] == facts.name
    assert row["total_students"] == facts.students
    assert row["absentee_students"] == facts.chronically_absent
    assert round(facts.rate, 3) == pytest.approx(row["chronically_absent_rate"])


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.facts.code)
def test_a_district_stores_text_in_the_charset_its_map_declares(
    profile: DistrictProfile,
) -> None:
    source = tomllib.loads(map_path(profile.layout).read_text(encoding="utf-8"))
    encoding = source["source"]["encoding"]

    narrow = encoding == "cp1252"
    assert (profile.charset == "cp1252") is narrow
