"""schemathesis against the center's OpenAPI: no input, however malformed, gets a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from seat_center import storage
from seat_center.app import create_app

ENGINE = storage.open_engine(str(Path(tempfile.mkdtemp()) / "center.db"))
TOKEN = storage.add_site(ENGINE, "210102")
APP = create_app(ENGINE)
SEEN: list[tuple[str, int]] = []
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:  # type: ignore[no-untyped-def]
    for headers in ({"Authorization": f"Bearer {TOKEN}", "X-Site": "210102"}, {}):
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        SEEN.append((case.path, response.status_code))


def test_the_push_endpoint_was_really_exercised() -> None:
    """Runs after the generated cases (same module): bodies reached /v1/push and were judged."""
    pushes = [status for path, status in SEEN if path == "/v1/push"]
    assert len(pushes) >= 20 and {200, 403} <= set(pushes) | {403}
