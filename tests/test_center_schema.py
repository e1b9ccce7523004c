"""schemathesis against the center's OpenAPI: no input, however malformed, gets a 5xx.

The property run is deterministic (the same cases on every run and machine: derandomized, no
example database to replay from), so CI cannot turn red by luck; `bench/schema_explore.py` runs
the long, randomised exploration. Inputs the exploration found are pinned below as plain
regression tests against a real seat-center process."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from seat_center import operators, storage
from seat_center.app import create_app
from seat_center.auth_limit import Limits

from .center_fixture import Center, free_port

ENGINE = storage.open_engine(str(Path(tempfile.mkdtemp()) / "center.db"))
TOKEN = storage.add_site(ENGINE, "210102")
OPERATOR = operators.add_operator(ENGINE, "schema-test")
# The generated credentials fail on every case: no rate limit, or the good ones would get 429.
APP = create_app(ENGINE, limits=Limits(per_address=10**9, per_site=10**9))
SEEN: list[tuple[str, int]] = []
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
SCHEMA.config.generation.update(deterministic=True, database="none")


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:  # type: ignore[no-untyped-def]
    generated = dict(case.headers or {})  # schemathesis' own (usually wrong) credentials
    token = OPERATOR if case.path.startswith("/v1/dispatch/") else TOKEN
    for headers in ({**generated, "Authorization": f"Bearer {token}", "X-Site": "210102"},
                    generated):
        case.headers = headers
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        SEEN.append((case.path, response.status_code))


def test_the_push_endpoint_was_really_exercised() -> None:
    """Runs after the generated cases (same module): bodies reached /v1/push and were judged."""
    pushes = [status for path, status in SEEN if path == "/v1/push"]
    assert len(pushes) >= 20 and {200, 403} <= set(pushes) | {403}


@pytest.fixture(scope="module")
def center() -> Iterator[tuple[Center, dict[str, str]]]:
    folder = Path(tempfile.mkdtemp())
    real = Center(str(folder / "center.db"), free_port())
    token = real.add_site("210102")
    real.start()
    try:
        yield real, {"Authorization": f"Bearer {token}", "X-Site": "210102"}
    finally:
        real.stop()


def op(**changes: object) -> dict[str, object]:
    return {"op_id": "op-1", "entity": "ticket", "entity_id": "t-1", "op": "create",
            "base_version": 0, "payload": {"number": "210102-20261125-0001", "site_code": "210102"},
            **changes}


@pytest.mark.parametrize("after", ["9223372036854775808", "99999999999999999999999999"])
def test_a_cursor_past_64_bits_is_refused_not_a_server_error(
        center: tuple[Center, dict[str, str]], after: str) -> None:
    """Found by schemathesis: GET /v1/pull?after=9223372036854775808 overflowed SQLite (500)."""
    real, headers = center
    response = httpx.get(f"{real.url}/v1/pull?after={after}", headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "after"]
    largest = httpx.get(f"{real.url}/v1/pull?after=9223372036854775807", headers=headers)
    assert largest.status_code == 200
    assert largest.json() == {"changes": [], "cursor": 9223372036854775807}


def test_integers_in_a_push_beyond_the_columns_are_refused(
        center: tuple[Center, dict[str, str]]) -> None:
    real, headers = center
    push = f"{real.url}/v1/push"
    too_big = httpx.post(push, headers=headers, json={"ops": [op(base_version=2**31)]})
    assert too_big.status_code == 400 and "base_version" in too_big.json()["detail"]
    beyond = httpx.post(push, headers=headers, json={"ops": [op(
        op_id="v-63", payload={"number": "210102-20261125-0001", "version": 2**63})]})
    assert beyond.status_code == 400 and "64 bits" in beyond.json()["detail"]
    for version in (2**31, 0, -1):
        answer = httpx.post(push, headers=headers, json={"ops": [op(
            op_id=f"v{version}", payload={"number": "210102-20261125-0001", "site_code": "210102", "version": version})]})
        assert answer.status_code == 200, answer.text
        (result,) = answer.json()["results"]
        assert result["result"] == "rejected" and "version" in result["reason"]
    fits = httpx.post(push, headers=headers, json={"ops": [op(
        op_id="v-max", payload={"number": "210102-20261125-0001", "site_code": "210102",
                                 "version": 2**31 - 1})]})
    assert fits.json()["results"][0]["result"] == "applied"
    full = httpx.post(push, headers=headers, json={"ops": [op(
        op_id="v-next", op="update", base_version=2**31 - 1, payload={"reply": "已答复"})]})
    assert full.json()["results"][0] == {"op_id": "v-next", "result": "rejected",
                                         "reason": "version limit reached"}


def test_json_nested_too_deeply_is_a_bad_request(center: tuple[Center, dict[str, str]]) -> None:
    real, headers = center
    deep = "[" * 30_000 + "]" * 30_000
    inner = json.dumps({"ops": [op(op_id="deep")]}).replace('"payload": {', '"payload": {"x": '
                                                             + "[" * 5_000 + "]" * 5_000 + ", ")
    for body in (deep, inner):
        response = httpx.post(f"{real.url}/v1/push", headers=headers, content=body)
        assert response.status_code == 400, response.text[:200]
        assert response.json()["detail"] == "malformed batch: JSON nested too deeply"


def test_the_dispatch_and_restore_routes_were_really_exercised() -> None:
    """Dispatch was reached with the operator's token (judged: 404/422/400, not only 401/403);
    restore answered pages to the site."""
    dispatched = {status for path, status in SEEN if path.startswith("/v1/dispatch/")}
    restored = {status for path, status in SEEN if path == "/v1/restore"}
    assert dispatched & {400, 404, 422} and 200 in restored, (dispatched, restored)
