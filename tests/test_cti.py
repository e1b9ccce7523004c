"""Telephony events (core/cti.py): parsing and validation of Zammad-generic-CTI-shaped bodies,
the per-call state machine, missed calls in a real hotline.db, the endpoint file, the config."""

from __future__ import annotations

import json
import logging
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from seat_console.config import load_config
from seat_console.core import clock
from seat_console.core.calls import CallStart, record_call
from seat_console.core.cti import (
    CtiError,
    CtiEvent,
    CtiTracker,
    endpoint_file,
    parse_body,
    read_endpoint,
    record_missed,
    remove_endpoint,
    write_endpoint,
)
from seat_console.core.errors import ConfigInvalid
from seat_console.core.models import Call, OutboxOp
from seat_console.core.workspace import Workspace

FORM = "application/x-www-form-urlencoded"
T0 = clock.parse_iso("2026-11-25T10:00:00+08:00")


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def event(kind: str, call_id: str = "c1", **fields: str) -> CtiEvent:
    return CtiEvent(event=kind, call_id=call_id, **fields)


# -- parsing ----------------------------------------------------------------------------------
def test_a_zammad_form_body_is_read_with_its_users() -> None:
    body = (b"event=newCall&from=493055571600&to=491711234567890&direction=in"
            b"&callId=4991155921769858278-1&user%5B%5D=Alice&user%5B%5D=Bob&queue=helpdesk")
    assert parse_body(body, f"{FORM}; charset=utf-8") == CtiEvent(
        event="newCall", call_id="4991155921769858278-1", from_number="493055571600",
        to_number="491711234567890", direction="in", users=("Alice", "Bob"))


def test_a_json_body_and_the_defaults() -> None:
    body = json.dumps({"event": "hangup", "callId": 42, "from": "13812345678", "to": "12345",
                       "direction": "out", "cause": "normalClearing", "answeringNumber": "8001",
                       "user": "王"}).encode()
    parsed = parse_body(body, "application/json")
    assert parsed == CtiEvent(event="hangup", call_id="42", from_number="13812345678",
                              to_number="12345", direction="out", cause="normalClearing",
                              users=("王",), answering_number="8001")
    assert parsed.other_party == "12345"  # outbound: the number dialled
    bare = parse_body(b"event=answer&callId=x&from=%E5%8C%BF%E5%90%8D", None)  # no type: form
    assert (bare.direction, bare.from_number, bare.other_party) == ("in", "匿名", "匿名")
    assert parse_body(b' {"event": "answer", "callId": "y"}', "").call_id == "y"  # sniffed


@pytest.mark.parametrize(("body", "content_type", "message"), [
    (b"callId=1", FORM, "field 'event' is required"),
    (b"event=ring&callId=1", FORM, "unknown event 'ring' (expected newCall, answer or hangup)"),
    (b"event=newCall", FORM, "field 'callId' is required"),
    (b"event=newCall&callId=%20%20", FORM, "field 'callId' is required"),
    (b"event=newCall&callId=" + b"x" * 101, FORM, "field 'callId' is longer than 100"),
    (b"event=newCall&callId=a%0Ab", FORM, "field 'callId' holds control characters"),
    (b"event=newCall&callId=1&callId=2", FORM, "field 'callId' given more than once"),
    (b"event=newCall&callId=1&direction=inbound", FORM, "direction must be 'in' or 'out'"),
    (b"event=hangup&callId=1&cause=normal%20clearing", FORM, "cause must be a word"),
    (b"event=newCall&callId=1&from=" + b"1" * 65, FORM, "field 'from' is longer than 64"),
    (b"event=newCall&callId=1&" + b"&".join(b"user[]=u" for _ in range(11)), FORM,
     "more than 10 users"),
    (b"event=newCall&callId=%FF", FORM, "not UTF-8"),
    (b"\xff\xfe", FORM, "body is not UTF-8"),
    (b"event", FORM, "malformed form body"),
    (b"{}", "text/plain", "unsupported Content-Type 'text/plain'"),
    (b"x" * 8193, FORM, "body larger than 8192 bytes"),
    (b'{"event": "newCall"', "application/json", "malformed JSON"),
    (b'[{"event": "newCall"}]', "application/json", "expected a JSON object"),
    (b'{"event": "newCall", "callId": true}', "application/json", "'callId' must be a string"),
    (b'{"event": "newCall", "callId": "1", "user": [{}]}', "application/json",
     "'user' must be a string"),
])
def test_bad_events_are_refused_with_the_reason(body: bytes, content_type: str,
                                                message: str) -> None:
    with pytest.raises(CtiError) as info:
        parse_body(body, content_type)
    assert message in str(info.value)


# -- the state of each call ------------------------------------------------------------------
def test_a_call_rings_is_answered_and_hung_up_and_repeats_change_nothing() -> None:
    tracker = CtiTracker()
    ring = tracker.apply(event("newCall", from_number="13812345678"), stamp(0))
    assert (ring.kind, ring.call and ring.call.state) == ("ringing", "ringing")
    again = tracker.apply(event("newCall", from_number="13900000000"), stamp(1))
    assert again.kind == "duplicate" and tracker.get("c1") == ring.call  # number unchanged
    answer = tracker.apply(event("answer"), stamp(7))
    assert answer.kind == "answered" and answer.call is not None
    assert (answer.call.started_at, answer.call.answered_at, answer.call.phone) == (
        stamp(0), stamp(7), "13812345678")
    assert tracker.apply(event("answer"), stamp(8)).kind == "duplicate"
    hangup = tracker.apply(event("hangup", cause="normalClearing"), stamp(90))
    assert hangup.kind == "ended" and hangup.call is not None
    assert (hangup.call.answered_at, hangup.call.ended_at, hangup.call.cause) == (
        stamp(7), stamp(90), "normalClearing")
    assert not hangup.call.missed
    assert tracker.apply(event("hangup"), stamp(91)).kind == "duplicate"
    late = tracker.apply(event("answer"), stamp(92))
    assert (late.kind, late.note) == ("ignored", "answer after hangup")
    assert tracker.get("c1") == hangup.call


def test_out_of_order_events_are_handled_sanely(caplog: pytest.LogCaptureFixture) -> None:
    tracker = CtiTracker()
    caplog.set_level(logging.INFO, logger="seat_console.core.cti")
    answer = tracker.apply(event("answer", "a1", from_number="13812345678"), stamp(5))
    assert (answer.kind, answer.note) == ("answered", "answer without newCall")
    assert answer.call is not None and answer.call.started_at == answer.call.answered_at
    unknown = tracker.apply(event("hangup", "nobody", from_number="13812345678"), stamp(6))
    assert (unknown.kind, unknown.call, unknown.note) == ("ignored", None,
                                                         "hangup of an unknown callId")
    assert tracker.get("nobody") is None
    logged = caplog.text
    assert "hangup of an unknown callId" in logged and "'nobody'" in logged
    assert "138****5678" in logged and "13812345678" not in logged  # never in clear


def test_only_an_unanswered_inbound_call_is_missed() -> None:
    tracker = CtiTracker()
    tracker.apply(event("newCall", "in", from_number="13812345678"), stamp(0))
    missed = tracker.apply(event("hangup", "in", cause="cancel"), stamp(12))
    assert missed.kind == "missed" and missed.call is not None and missed.call.missed
    tracker.apply(event("newCall", "out", to_number="13812345678", direction="out"), stamp(20))
    unanswered = tracker.apply(event("hangup", "out", direction="out", cause="noAnswer"),
                               stamp(40))
    assert unanswered.kind == "ended" and unanswered.call is not None
    assert unanswered.call.phone == "13812345678"  # the number dialled
    tracker.apply(event("newCall", "passed-on", from_number="13812345678"), stamp(50))
    forwarded = tracker.apply(event("hangup", "passed-on", cause="forwarded"), stamp(55))
    assert forwarded.kind == "ended"  # taken by another seat: not lost


def test_the_tracker_forgets_ended_calls_first_and_can_undo() -> None:
    tracker = CtiTracker(keep=3)
    tracker.apply(event("newCall", "ringing-1"), stamp(0))
    tracker.apply(event("newCall", "ended-1"), stamp(1))
    tracker.apply(event("hangup", "ended-1"), stamp(2))
    tracker.apply(event("newCall", "ringing-2"), stamp(3))
    tracker.apply(event("newCall", "ringing-3"), stamp(4))
    assert [tracker.get(i) is not None for i in ("ringing-1", "ended-1", "ringing-2",
                                                 "ringing-3")] == [True, False, True, True]
    update = tracker.apply(event("hangup", "ringing-2"), stamp(5))
    tracker.restore(update)
    assert tracker.get("ringing-2") == update.before and update.before is not None
    assert update.before.state == "ringing"
    fresh = tracker.apply(event("newCall", "new"), stamp(6))
    tracker.restore(fresh)
    assert tracker.get("new") is None


def test_a_missed_call_is_recorded_once_with_its_outbox_op(workspace: Workspace) -> None:
    tracker = CtiTracker()
    tracker.apply(event("newCall", "m1", from_number="+86 138-1234-5678"), stamp(0))
    missed = tracker.apply(event("hangup", "m1", cause="cancel"), stamp(15)).call
    assert missed is not None
    row = record_missed(workspace.db, missed, site_code="210102", agent_id="8001")
    again = record_missed(workspace.db, missed, site_code="210102", agent_id="8001")
    assert again.id == row.id
    with workspace.db.read() as session:
        stored = session.exec(select(Call)).all()
        ops = session.exec(select(OutboxOp).where(OutboxOp.entity == "call")).all()
    assert len(stored) == 1 and [op.entity_id for op in ops] == [row.id]
    call = stored[0]
    assert (call.outcome, call.cti_call_id, call.phone) == ("missed", "m1", "13812345678")
    assert (call.started_at, call.answered_at, call.ended_at) == (stamp(0), None, stamp(15))
    assert (call.ticket_id, call.no_ticket_reason) == (None, "")
    assert ops[0].payload["outcome"] == "missed" and ops[0].payload["cti_call_id"] == "m1"

    answered = tracker.apply(event("answer", "m2", from_number="13812345678"), stamp(20)).call
    assert answered is not None
    with pytest.raises(ValueError):
        record_missed(workspace.db, answered, site_code="210102", agent_id="8001")
    with pytest.raises(ValueError):  # a missed call comes from telephony
        record_call(workspace.db, CallStart(stamp(30), "13812345678"), site_code="210102",
                    agent_id="8001", outcome="missed")


def test_the_hangup_of_telephony_is_the_end_of_the_call_record(workspace: Workspace) -> None:
    hang_up = workspace.call_outcomes.get("hang_up")
    start = CallStart(stamp(0), "13812345678", answered_at=stamp(4), cti_call_id="c9",
                      ended_at=stamp(60))
    row = record_call(workspace.db, start, site_code="210102", agent_id="8001",
                      outcome="no_ticket", reason=hang_up)
    assert (row.started_at, row.answered_at, row.ended_at, row.cti_call_id) == (
        stamp(0), stamp(4), stamp(60), "c9")


# -- where the console listens ----------------------------------------------------------------
def test_the_endpoint_file_is_private_and_names_this_console(tmp_path: Path) -> None:
    where = endpoint_file(tmp_path / "hotline.db")
    assert where == tmp_path / "hotline.db.cti" and read_endpoint(where) is None
    mine = write_endpoint(where, "127.0.0.1", 40123)
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert read_endpoint(where) == "http://127.0.0.1:40123/cti"
    write_endpoint(where, "127.0.0.1", 40999)  # another console started since
    remove_endpoint(where, mine)
    assert read_endpoint(where) == "http://127.0.0.1:40999/cti"
    where.write_text("garbage", encoding="ascii")
    assert read_endpoint(where) is None


def test_cti_settings_and_their_environment_overrides(tmp_path: Path) -> None:
    config = load_config(None, env={"SEAT_CONSOLE_DATABASE": str(tmp_path / "hotline.db")})
    assert (config.cti.enabled, config.cti.port, config.cti.token) == (True, 8891, None)
    assert "cti:" in (tmp_path / "seat-console.yaml").read_text(encoding="utf-8")
    env = {"SEAT_CONSOLE_DATABASE": str(tmp_path / "hotline.db"),
           "SEAT_CONSOLE_CTI_PORT": "0", "SEAT_CONSOLE_CTI_TOKEN": "abcdefgh12",
           "SEAT_CONSOLE_CTI_ENABLED": "false"}
    config = load_config(None, env=env)
    assert (config.cti.enabled, config.cti.port, config.cti.token) == (False, 0, "abcdefgh12")
    with pytest.raises(ConfigInvalid, match="environment SEAT_CONSOLE_CTI_PORT: cti.port"):
        load_config(None, env={**env, "SEAT_CONSOLE_CTI_PORT": "70000"})
    with pytest.raises(ConfigInvalid, match="environment SEAT_CONSOLE_CTI_TOKEN"):
        load_config(None, env={**env, "SEAT_CONSOLE_CTI_TOKEN": "short"})
    path = tmp_path / "c.yaml"
    path.write_text("cti:\n  port: 8891\n  host: 0.0.0.0\n", encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=rf"{path}:3: cti.host: unknown setting"):
        load_config(path, env={})
