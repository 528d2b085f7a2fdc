"""Schemathesis over each app's OpenAPI description: no request makes a 5xx.

A few examples per operation, with a signed-in bearer session of a role that
holds most of the node's permissions. The session operations are left out:
signing out would end the run's own session, and random sign-ins would only
exercise the throttle, which tests/security covers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Role
from youthbridge.web.common.app import describe_api
from youthbridge.web.serving import BackgroundServer
from youthbridge.web.staff import StaffAccount

Served = tuple[FastAPI, str, dict[str, str]]


def _bearer(base: str, account: StaffAccount) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=10) as client:
        opened = client.post(
            "/api/v1/session",
            json={"username": account.username, "password": account.password},
        ).json()
        headers = {"Authorization": f"Bearer {opened['token']}"}
        confirmed = client.post(
            "/api/v1/session/second-factor",
            json={"code": account.code()},
            headers=headers,
        )
        assert confirmed.status_code == 204
    return headers


@pytest.fixture(
    params=[
        ("hub", "hub", Role.SUPERVISOR),
        ("district 0180", "0180", Role.DATA_STEWARD),
    ],
    ids=["hub", "district"],
)
def served(request: pytest.FixtureRequest, web_region: WebRegion) -> Iterator[Served]:
    which, node, role = request.param
    app = web_region.apps[which]
    server = BackgroundServer(app).start()
    try:
        yield app, server.url, _bearer(server.url, web_region.staff(node)[role])
    finally:
        server.stop()


def _fuzz(operation: Any, base: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=4,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(base_url=base, headers=headers, timeout=10)
        assert response.status_code < 500, (operation.label, response.text)

    check()


def test_no_operation_answers_with_a_server_error(served: Served) -> None:
    app, base, headers = served
    schema = schemathesis.openapi.from_dict(describe_api(app)).exclude(tag="session")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 3

    for operation in operations:
        _fuzz(operation, base, headers)
