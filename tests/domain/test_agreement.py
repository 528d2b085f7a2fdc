"""The agreement's terms: defaults, a terms file, and the closed list of purposes."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from youthbridge.domain.agreement import (
    Agreement,
    Purpose,
    agreement_from_mapping,
    load_agreement,
)
from youthbridge.domain.errors import ConfigError


def test_terms_from_a_file_replace_only_what_they_name(tmp_path: Path) -> None:
    path = tmp_path / "agreement.toml"
    path.write_text('[terms]\nk_minimum = 11\nchronic_absence_share = "0.15"\n')

    terms = load_agreement(path)

    assert terms.k_minimum == 11
    assert terms.chronic_absence_share == Fraction(3, 20)
    assert terms.small_cell_minimum == Agreement().small_cell_minimum


def test_a_purpose_outside_the_closed_list_cannot_be_configured() -> None:
    with pytest.raises(ConfigError) as refused:
        agreement_from_mapping({"purposes": ["case-management", "law-enforcement"]})

    [problem] = refused.value.problems
    assert problem.column == "purposes"
    assert problem.rule == "agreement:term"


def test_the_purposes_are_exactly_the_four_of_the_agreement() -> None:
    assert {purpose.value for purpose in Purpose} == {
        "case-management",
        "service-referral",
        "trend-analysis",
        "programme-evaluation",
    }


def test_every_bad_term_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as refused:
        agreement_from_mapping(
            {"k_minimum": "five", "colour": "blue", "small_cell_minimum": True}
        )

    assert sorted(p.column for p in refused.value.problems) == [
        "colour",
        "k_minimum",
        "small_cell_minimum",
    ]
