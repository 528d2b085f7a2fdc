"""Staff accounts made from the command line, the first one an administrator."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from tests.district.small_export import SmallExport
from youthbridge.cli import main
from youthbridge.district.node import open_district
from youthbridge.security.accounts import Account

PASSWORD = "a long passphrase for the steward"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _district(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    export = SmallExport(students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"])
    map_path = export.write(tmp_path / "x")
    code, output = _run(
        "district",
        "ingest",
        str(tmp_path / "x"),
        "--district",
        "T",
        "--format",
        "csv",
        "--map",
        str(map_path),
        "--data-dir",
        str(data),
    )
    assert code == 0, output
    return data


def _add(data: Path, role: str, username: str) -> tuple[int, str]:
    return _run(
        "account",
        "add",
        "--node",
        "district",
        "--district",
        "T",
        "--role",
        role,
        "--username",
        username,
        "--password",
        PASSWORD,
        "--data-dir",
        str(data),
    )


def test_the_first_account_is_the_admin_who_makes_the_others(tmp_path: Path) -> None:
    data = _district(tmp_path)

    first = _add(data, "district-admin", "omar")
    second = _add(data, "school-counselor", "rosa")

    assert first[0] == 0, first[1]
    assert second[0] == 0, second[1]
    node = open_district(data, "T")
    with node.sessions() as session:
        roles = {a.username: str(a.role) for a in session.scalars(select(Account))}
    node.close()
    assert roles == {"omar": "district-admin", "rosa": "school-counselor"}


def test_a_node_without_an_admin_takes_no_other_account(tmp_path: Path) -> None:
    data = _district(tmp_path)

    code, output = _add(data, "school-counselor", "rosa")

    assert code != 0
    assert "Traceback" not in output
