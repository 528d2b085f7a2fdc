"""The service directory from the Open Referral HSDS 1.1 sample."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.hub.conftest import Staff
from youthbridge.domain.errors import AccessDenied, BatchRefused
from youthbridge.exchange.vocabulary import ServiceCategory
from youthbridge.hub.directory import (
    categorise_service,
    load_directory,
    search_services,
)
from youthbridge.hub.node import HubNode
from youthbridge.storage.case_tables import (
    DirectoryOrganization,
    DirectoryPhone,
    DirectoryService,
)

YOUNG_MINDS = "25870bcf-7528-4e05-8f0c-7e639075ce71"


@pytest.fixture
def sample(shared_data: Path) -> Path:
    return shared_data / "hsds-sample"


def _csv_count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _stored(hub: HubNode, model: type[object]) -> int:
    with hub.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_sample_loads_whole(hub: HubNode, staff: Staff, sample: Path) -> None:
    loaded = load_directory(hub, sample, actor=staff.lee)

    organizations = _csv_count(sample / "organizations.csv")
    services = _csv_count(sample / "services.csv")
    assert (organizations, services) == (10, 13)
    assert (loaded.organizations, loaded.services) == (organizations, services)
    assert _stored(hub, DirectoryOrganization) == organizations
    assert _stored(hub, DirectoryService) == services
    assert _stored(hub, DirectoryPhone) == _csv_count(sample / "phones.csv")


def test_multi_line_fields_are_kept_whole(
    hub: HubNode, staff: Staff, sample: Path
) -> None:
    load_directory(hub, sample, actor=staff.lee)

    with hub.sessions() as session:
        silvers = session.get(
            DirectoryOrganization, "1899691a-649c-11e6-8b77-86f30ca893d3"
        )
    assert silvers is not None
    assert silvers.description is not None
    assert silvers.description.endswith("<li>Shopping</li>\n</ul>")


def test_a_broken_link_is_reported_with_its_file_line_and_column(
    hub: HubNode, staff: Staff, sample: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "hsds"
    shutil.copytree(sample, copy)
    services = copy / "services.csv"
    services.chmod(0o644)
    text = services.read_text(encoding="utf-8")
    # Shop Assist's row comes after none that span lines, so it starts on line 7.
    broken = text.replace(
        "373c9b87-8606-49c7-8082-02120ddc04e4,1899691a-649c-11e6-8b77-86f30ca893d3",
        "373c9b87-8606-49c7-8082-02120ddc04e4,00000000-0000-0000-0000-000000000000",
    )
    services.write_text(broken, encoding="utf-8")

    with pytest.raises(BatchRefused) as refused:
        load_directory(hub, copy, actor=staff.lee)

    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.column, problem.rule) == (
        "services.csv",
        7,
        "organization_id",
        "hsds:foreign-key",
    )
    assert problem.value == "00000000-0000-0000-0000-000000000000"
    assert _stored(hub, DirectoryService) == 0


def test_a_row_after_a_multi_line_field_is_reported_on_the_line_it_starts(
    hub: HubNode, staff: Staff, sample: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "hsds"
    shutil.copytree(sample, copy)
    services = copy / "services.csv"
    services.chmod(0o644)
    text = services.read_text(encoding="utf-8")
    services.write_text(
        text.replace(
            "9619ea6e-baa8-4b9a-9665-ca2a07cdd7b6,18996b9a-649c-11e6-8b77-86f30ca893d3",
            "9619ea6e-baa8-4b9a-9665-ca2a07cdd7b6,no-such-organization",
        ),
        encoding="utf-8",
    )

    with pytest.raises(BatchRefused) as refused:
        load_directory(hub, copy, actor=staff.lee)

    # The header, seven one-line rows (lines 2-8), then the skills refresh
    # whose description runs over lines 9-13: the parks service starts on 14.
    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.column) == (
        "services.csv",
        14,
        "organization_id",
    )
    assert "organizations.csv" in problem.describe()


def test_search_by_words_and_by_kind(hub: HubNode, staff: Staff, sample: Path) -> None:
    load_directory(hub, sample, actor=staff.lee)
    categorise_service(
        hub, actor=staff.lee, service_id=YOUNG_MINDS, category=ServiceCategory.MENTORING
    )

    assert [s.name for s in search_services(hub, text="MENTORSHIP")] == ["Yound Minds"]
    assert [s.service_id for s in search_services(hub, category="mentoring")] == [
        YOUNG_MINDS
    ]
    laundry = search_services(hub, text="laundry")
    assert [s.name for s in laundry] == ["Bubbles at The Cross"]
    # Inactive services are left out unless asked for.
    assert search_services(hub, text="Wash & Go") == []
    assert len(search_services(hub, text="Wash & Go", include_inactive=True)) == 1


def test_only_a_directory_manager_loads_it(
    hub: HubNode, staff: Staff, sample: Path
) -> None:
    with pytest.raises(AccessDenied):
        load_directory(hub, sample, actor=staff.ana)
