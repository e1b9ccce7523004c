"""Operating the center, against real seat-center processes on 127.0.0.1: site codes, token
rotation and revocation, the failed-authentication limit, the access log, TLS, the dispatch API
for operators (and the CLI with typed values), the masked export and the restore route."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from seat_center.auth_limit import AuthLimiter, Limits
from seat_console.core import clock

from .center_fixture import BIN, free_port

SITE, OTHER = "210102", "210204"
NAME, PHONE = "欧阳先生", "13912345678"


@dataclass
class Running:
    db: str
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.db, *args)

    def token(self, command: str, name: str) -> str:
        result = self.cli(command, name)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]


def run_cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "seat-center"), *args, "--db", db], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **clock.environment()})


def serve(folder: Path, *extra: str, scheme: str = "http",
          verify: ssl.SSLContext | bool = True) -> Running:
    db, port, log = str(folder / "center.db"), free_port(), folder / "center.log"
    run_cli(db, "add-site", "000000")  # creates the tables (the code itself is refused)
    with log.open("wb") as stderr:
        process = subprocess.Popen([str(BIN / "seat-center"), "serve", "--db", db, "--port",
                                    str(port), *extra], stdout=subprocess.DEVNULL, stderr=stderr,
                                   env={**os.environ, **clock.environment()})
    url = f"{scheme}://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1, verify=verify).status_code == 200:
                return Running(db, url, log, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("seat-center did not start: " + log.read_text())


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Running]:
    running = serve(tmp_path)
    try:
        yield running
    finally:
        running.process.terminate()
        running.process.wait(10)


def site_headers(token: str, code: str = SITE) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Site": code}


def create_op(number: str, entity_id: str, site: str = SITE) -> dict[str, object]:
    return {"op_id": f"op-{entity_id}", "entity": "ticket", "entity_id": entity_id, "op": "create",
            "base_version": 0, "payload": {"number": number, "site_code": site, "status": "accepted",
                                           "caller_name": NAME, "caller_phone": PHONE,
                                           "content": "小区路灯不亮"}}


def push(url: str, token: str, *ops: dict[str, object], site: str = SITE) -> httpx.Response:
    return httpx.post(f"{url}/v1/push", headers=site_headers(token, site), json={"ops": list(ops)})


def test_a_site_code_is_a_six_digit_division_code(tmp_path: Path) -> None:
    db = str(tmp_path / "center.db")
    for bad in ("000000", "12345", "2101020", "abcdef", "990101", "21010a"):
        refused = run_cli(db, "add-site", bad)
        assert refused.returncode == 2, bad
        assert "division code" in refused.stderr or "province code" in refused.stderr
        assert refused.stdout == ""
    assert run_cli(db, "add-site", SITE).returncode == 0
    again = run_cli(db, "add-site", SITE)
    assert again.returncode == 2 and "use rotate-token 210102" in again.stderr


def test_a_rotated_token_replaces_the_old_one_at_once_and_a_revoked_site_is_shut_out(
        center: Running) -> None:
    first = center.token("add-site", SITE)
    pull = f"{center.url}/v1/pull"
    assert httpx.get(pull, headers=site_headers(first)).status_code == 200
    second = center.token("rotate-token", SITE)
    assert second != first
    assert httpx.get(pull, headers=site_headers(first)).status_code == 403
    assert httpx.get(pull, headers=site_headers(second)).status_code == 200
    revoked = center.cli("revoke-site", SITE)
    assert revoked.returncode == 0 and second not in revoked.stdout
    assert httpx.get(pull, headers=site_headers(second)).status_code == 403
    assert push(center.url, second, create_op(f"{SITE}-20261201-0001", "t-r1")).status_code == 403
    rotate = center.cli("rotate-token", SITE)
    assert rotate.returncode == 2 and "revoked" in rotate.stderr
    assert center.cli("rotate-token", "210299").returncode == 2  # no such site
    third = center.token("add-site", SITE)  # admitted again, with a new token
    assert httpx.get(pull, headers=site_headers(third)).status_code == 200
    assert httpx.get(pull, headers=site_headers(second)).status_code == 403


def client_from(address: str) -> httpx.Client:
    """A client whose requests come from another loopback address (127.0.0.0/8)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def test_failed_authentication_is_limited_per_address_and_per_site(center: Running) -> None:
    token = center.token("add-site", SITE)
    pull = f"{center.url}/v1/pull"
    wrong = site_headers("not-the-token")
    with client_from("127.0.0.5") as guesser, client_from("127.0.0.6") as office:
        assert office.get(pull, headers=site_headers(token)).status_code == 200
        assert [guesser.get(pull, headers=wrong).status_code for _ in range(10)] == [403] * 10
        limited = guesser.get(pull, headers=wrong)
        assert limited.status_code == 429 and 50 <= int(limited.headers["Retry-After"]) <= 60
        assert guesser.get(pull, headers=site_headers(token)).status_code == 429  # that address
        assert office.get(pull, headers=site_headers(token)).status_code == 200
    # 10 (above) + 4 addresses x 5 = 30 failures for the site, none reaching an address limit
    for last in range(10, 14):
        with client_from(f"127.0.0.{last}") as guesser:
            assert {guesser.get(pull, headers=wrong).status_code for _ in range(5)} == {403}
    with client_from("127.0.0.20") as newcomer, client_from("127.0.0.6") as office:
        blocked = newcomer.get(pull, headers=site_headers(token))
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) <= 60
        assert office.get(pull, headers=site_headers(token)).status_code == 200  # known address
    with client_from("127.0.0.21") as other_site:
        other = center.token("add-site", OTHER)
        assert other_site.get(pull, headers=site_headers(other, OTHER)).status_code == 200


def test_the_limits_end_after_the_block_and_a_success_clears_an_address() -> None:
    now = [1000.0]
    limiter = AuthLimiter(Limits(per_address=3, per_site=5, window=60, block=30),
                          clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("a", SITE) is None
        limiter.failed("a", SITE)
    assert limiter.retry_after("a", SITE) == 30
    now[0] += 29.5
    assert limiter.retry_after("a", SITE) == 1
    now[0] += 1
    assert limiter.retry_after("a", SITE) is None
    limiter.failed("b", SITE)
    limiter.failed("b", SITE)
    limiter.succeeded("b", SITE)
    limiter.failed("b", SITE)
    limiter.failed("b", SITE)
    assert limiter.retry_after("b", SITE) is None  # the success cleared b's earlier failures
    limiter.failed("c", SITE)  # the site's fifth failure within the window
    assert limiter.retry_after("new", SITE) == 30 and limiter.retry_after("b", SITE) is None
    now[0] += 61  # failures older than the window no longer count
    limiter.failed("a", SITE)
    limiter.failed("a", SITE)
    assert limiter.retry_after("a", SITE) is None and limiter.retry_after("new", SITE) is None


def test_pushes_pulls_and_dispatches_are_in_the_access_log_without_personal_data(
        tmp_path: Path) -> None:
    center = serve(tmp_path, "--trust-proxy")
    try:
        token = center.token("add-site", SITE)
        operator = center.token("add-operator", "province-system")
        number = f"{SITE}-20261201-0001"
        bad = create_op(f"{OTHER}-20261201-0001", "t-bad")  # another site's number: rejected
        answer = push(center.url, token, create_op(number, "t-a1"), bad)
        assert [r["result"] for r in answer.json()["results"]] == ["applied", "rejected"]
        headers = {**site_headers(token), "X-Forwarded-For": "10.1.2.3, 10.9.8.7"}
        assert httpx.get(f"{center.url}/v1/pull", headers=headers).status_code == 200
        dispatched = httpx.post(f"{center.url}/v1/dispatch/{number}", json={"set": {
            "status": "transferred", "department": "市城管局", "dispatch_opinion": "请核实处理"}},
            headers={"Authorization": f"Bearer {operator}"})
        assert dispatched.status_code == 200, dispatched.text
        assert push(center.url, "wrong", create_op(number, "t-x")).status_code == 403
        result = center.cli("access-log", "--json")
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        text = center.cli("access-log").stdout
        later = center.cli("access-log", "--since", "2999-01-01")
    finally:
        center.process.terminate()
        center.process.wait(10)
    summary = [(r["kind"], r["who"], r["client"], r["status"], r["count"], r["results"])
               for r in rows]
    assert summary == [
        ("push", SITE, "127.0.0.1", 200, 2, {"applied": 1, "rejected": 1}),
        ("pull", SITE, "10.9.8.7", 200, 0, {}),  # the address the proxy added
        ("dispatch", "province-system", "127.0.0.1", 200, 3, {}),
        ("push", SITE, "127.0.0.1", 403, 0, {}),
    ]
    assert all(r["at"].endswith("+00:00") for r in rows)
    assert later.returncode == 0 and later.stdout == ""
    assert "push     210102" in text and "applied=1 rejected=1" in text
    server_log = center.log.read_text()
    assert server_log.count("push who=210102") == 2 and "dispatch who=province-system" in server_log
    for secret in (token, operator, NAME, PHONE, "小区路灯不亮", "市城管局"):
        assert secret not in server_log and secret not in result.stdout and secret not in text


def test_x_forwarded_for_is_ignored_without_trust_proxy(center: Running) -> None:
    token = center.token("add-site", SITE)
    headers = {**site_headers(token), "X-Forwarded-For": "10.9.8.7"}
    assert httpx.get(f"{center.url}/v1/pull", headers=headers).status_code == 200
    (row,) = [json.loads(line) for line in center.cli("access-log", "--json").stdout.splitlines()]
    assert row["client"] == "127.0.0.1"


def test_serve_over_tls_with_a_self_signed_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                           "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, timeout=60)
    assert made.returncode == 0, made.stderr
    trusted = ssl.create_default_context(cafile=str(cert))
    center = serve(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key), scheme="https",
                   verify=trusted)
    try:
        token = center.token("add-site", SITE)
        answer = httpx.get(f"{center.url}/v1/pull", headers=site_headers(token), verify=trusted)
        assert answer.status_code == 200 and answer.json()["cursor"] == 0
        with pytest.raises(httpx.ConnectError):  # a certificate nobody vouched for
            httpx.get(f"{center.url}/healthz")
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
            httpx.get(center.url.replace("https", "http") + "/healthz")
    finally:
        center.process.terminate()
        center.process.wait(10)
    half = run_cli(center.db, "serve", "--tls-cert", str(cert))
    assert half.returncode == 2 and "go together" in half.stderr


@pytest.fixture
def ticket(center: Running) -> tuple[str, str]:
    """A ticket of site 210102 at the center; (its number, the site's token)."""
    token = center.token("add-site", SITE)
    number = f"{SITE}-20261201-0007"
    assert push(center.url, token, create_op(number, "t-d1")).json()["results"][0]["result"] == \
        "applied"
    return number, token


def pulled(center: Running, token: str, after: int = 0) -> dict[str, object]:
    answer = httpx.get(f"{center.url}/v1/pull?after={after}", headers=site_headers(token))
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_operators_dispatch_over_http_and_the_contract_judges_it(
        center: Running, ticket: tuple[str, str]) -> None:
    number, site_token = ticket
    operator = center.token("add-operator", "zhang.dispatch")
    as_operator = {"Authorization": f"Bearer {operator}"}
    url = f"{center.url}/v1/dispatch/{number}"
    done = httpx.post(url, headers=as_operator, json={"set": {"status": "transferred",
                                                              "department": "市城管局",
                                                              "dispatch_opinion": "请核实处理",
                                                              "supervised": True}})
    assert done.status_code == 200 and done.json()["number"] == number
    (change,) = pulled(center, site_token)["changes"]  # type: ignore[misc]
    assert change["payload"]["supervised"] is True and change["operator"] == "zhang.dispatch"
    assert change["seq"] == done.json()["seq"]
    assert httpx.post(url, headers=site_headers(site_token), json={"set": {
        "supervised": False}}).status_code == 403  # a site token is not an operator token
    assert httpx.post(url, json={"set": {"supervised": False}}).status_code == 401
    missing = httpx.post(f"{center.url}/v1/dispatch/{SITE}-20261201-9999", headers=as_operator,
                         json={"set": {"supervised": False}})
    assert missing.status_code == 404
    for change_set, field in (({"status": "archived"}, "status"), ({"status": "bogus"}, "status"),
                              ({"nosuch": 1}, "nosuch"), ({"caller_name": "x"}, "caller_name"),
                              ({"supervised": "true"}, "supervised")):
        refused = httpx.post(url, headers=as_operator, json={"set": change_set})
        assert refused.status_code == 422, refused.text
        assert field in refused.json()["errors"]
    bad = httpx.post(url, headers=as_operator, json={"fields": {"supervised": False}})
    assert bad.status_code == 400
    assert len(pulled(center, site_token)["changes"]) == 1  # nothing refused reached the log


def test_the_dispatch_cli_types_values_by_the_contract(center: Running,
                                                       ticket: tuple[str, str]) -> None:
    number, site_token = ticket
    done = center.cli("dispatch", number, "--set", "supervised=true", "--set",
                      "co_departments=市水务局、区住建局", "--operator", "li.duty")
    assert done.returncode == 0, done.stderr
    (change,) = pulled(center, site_token)["changes"]  # type: ignore[misc]
    assert change["payload"]["supervised"] is True
    assert change["payload"]["co_departments"] == ["市水务局", "区住建局"]
    assert change["operator"] == "li.duty"
    for setting, reason in (("status=archived", "status"), ("status=bogus_status", "status"),
                            ("nosuch=1", "nosuch"), ("supervised=maybe", "supervised"),
                            ("caller_name=x", "caller_name"), ("supervised", "FIELD=VALUE")):
        refused = center.cli("dispatch", number, "--set", setting, "--operator", "li.duty")
        assert refused.returncode == 2, (setting, refused.stderr)
        assert reason in refused.stderr and "Traceback" not in refused.stderr
    assert center.cli("dispatch", number, "--set", "supervised=false", "--operator",
                      "has space").returncode == 2
    assert center.cli("dispatch", f"{SITE}-20261201-9999", "--set",
                      "supervised=false").returncode == 1
    assert len(pulled(center, site_token)["changes"]) == 1  # nothing refused was logged


def test_export_masked_hides_personal_data(center: Running, ticket: tuple[str, str]) -> None:
    plain = center.cli("export")
    masked = center.cli("export", "--masked")
    assert plain.returncode == masked.returncode == 0
    assert PHONE in plain.stdout and NAME in plain.stdout
    assert PHONE not in masked.stdout and NAME not in masked.stdout
    assert json.loads(masked.stdout)["number"] == ticket[0]


def test_a_site_restores_its_own_tickets_page_by_page(center: Running) -> None:
    token = center.token("add-site", SITE)
    other = center.token("add-site", OTHER)
    ids = [f"t-{index}" for index in range(3)]
    assert push(center.url, token, *[create_op(f"{SITE}-20261201-000{i}", entity_id)
                                     for i, entity_id in enumerate(ids)]).status_code == 200
    assert push(center.url, other, create_op(f"{OTHER}-20261201-0001", "t-o", OTHER),
                site=OTHER).status_code == 200
    assert center.cli("dispatch", f"{SITE}-20261201-0001", "--set", "supervised=true",
                      "--operator", "li.duty").returncode == 0
    seen, after, cursors = [], "", set()
    for _ in range(5):
        page = httpx.get(f"{center.url}/v1/restore", params={"after": after, "limit": 2},
                         headers=site_headers(token))
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [ticket["id"] for ticket in body["tickets"]]
        cursors.add(body["cursor"])
        if body["next"] is None:
            break
        after = body["next"]
    assert seen == ids and cursors == {pulled(center, token)["changes"][0]["seq"]}  # type: ignore[index]
    theirs = httpx.get(f"{center.url}/v1/restore", headers=site_headers(other, OTHER))
    assert theirs.status_code == 200, theirs.text
    theirs = theirs.json()
    assert [t["id"] for t in theirs["tickets"]] == ["t-o"] and theirs["next"] is None
    assert httpx.get(f"{center.url}/v1/restore").status_code == 401
