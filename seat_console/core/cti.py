"""Call events from the telephone system, shaped like Zammad's generic CTI: `newCall`, `answer`
and `hangup`, each naming the call by `callId`, with `from`, `to`, `direction` (in/out),
`cause` (hangup), `user[]` and `answeringNumber`. Bodies are form-encoded (what Zammad's PBX
integrations send) or a JSON object.

The tracker follows each call: ringing (newCall) -> answered -> ended. Events that come twice
or out of order are handled without harm: an `answer` without a `newCall` starts the call
there, a repeated event changes nothing, a `hangup` of an unknown call is ignored. An inbound
call hung up before it was answered becomes a `missed` call record.

Phone numbers never reach the log in clear (masking.mask_phone).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl

from sqlmodel import select

from seat_console.core.calls import CallStart, add_call
from seat_console.core.db import Database
from seat_console.core.masking import mask_phone
from seat_console.core.models import Call
from seat_console.core.private_files import create_private

log = logging.getLogger(__name__)

EVENTS = ("newCall", "answer", "hangup")
DIRECTIONS = ("in", "out")
# Zammad's hangup causes; others of the same shape are accepted (telephone systems add their own).
KNOWN_CAUSES = ("normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound",
                "forwarded")
NOT_MISSED_CAUSES = ("forwarded", "answeredElsewhere")  # unanswered here, yet not lost
MAX_BODY_BYTES = 8192
MAX_CALL_ID = 100
MAX_NUMBER = 64
MAX_NAME = 100
MAX_USERS = 10
MAX_FIELDS = 30
_CAUSE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
ENDPOINT_SUFFIX = ".cti"  # hotline.db.cti: where the running console listens (host:port)
CTI_PATH = "/cti"


class CtiError(ValueError):
    """An event the console refuses; the message says why (English, for the sender)."""


@dataclass(frozen=True)
class CtiEvent:
    event: str
    call_id: str
    from_number: str = ""
    to_number: str = ""
    direction: str = "in"
    cause: str = ""
    users: tuple[str, ...] = ()
    answering_number: str = ""

    @property
    def other_party(self) -> str:
        """The caller of an inbound call, the number dialled for an outbound one."""
        return self.from_number if self.direction == "in" else self.to_number

    def describe(self) -> str:
        """For the log: numbers masked."""
        return (f"{self.event} callId={self.call_id!r} direction={self.direction} "
                f"from={masked(self.from_number)} to={masked(self.to_number)}"
                + (f" cause={self.cause}" if self.cause else ""))


def masked(number: str) -> str:
    return mask_phone(number) if any(c.isdigit() for c in number) else (number[:12] or "-")


# -- parsing ------------------------------------------------------------------------------------
def parse_body(body: bytes, content_type: str | None) -> CtiEvent:
    """An event from an HTTP body: form-encoded or JSON (by Content-Type; without one, a body
    starting with '{' is JSON). Raises CtiError."""
    if len(body) > MAX_BODY_BYTES:
        raise CtiError(f"body larger than {MAX_BODY_BYTES} bytes")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not media:
        media = "application/json" if body.lstrip().startswith(b"{") else \
            "application/x-www-form-urlencoded"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CtiError("body is not UTF-8") from None
    if media == "application/json" or media.endswith("+json"):
        return parse_json(text)
    if media == "application/x-www-form-urlencoded":
        return parse_form(text)
    raise CtiError(f"unsupported Content-Type {media!r} (send application/x-www-form-urlencoded "
                   "or application/json)")


def parse_form(text: str) -> CtiEvent:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                          errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise CtiError("form field is not UTF-8 once decoded") from None
    except ValueError:
        raise CtiError(f"malformed form body (at most {MAX_FIELDS} fields 'name=value&...')") \
            from None
    fields: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in ("user", "user[]"):
            users = fields.setdefault("user", [])
            assert isinstance(users, list)
            users.append(value)
        elif name in fields:
            raise CtiError(f"field {name!r} given more than once")
        else:
            fields[name] = value
    return event_from_fields(fields)


def parse_json(text: str) -> CtiEvent:
    try:
        data = json.loads(text)
    except ValueError:
        raise CtiError("malformed JSON") from None
    if not isinstance(data, dict):
        raise CtiError("expected a JSON object")
    if len(data) > MAX_FIELDS:
        raise CtiError(f"more than {MAX_FIELDS} fields")
    fields: dict[str, str | list[str]] = {}
    for name, value in data.items():
        if name in ("user", "user[]"):
            values = value if isinstance(value, list) else [value]
            fields["user"] = [_json_text(f"{name}", v) for v in values if v is not None]
        elif value is not None:
            fields[name] = _json_text(name, value)
    return event_from_fields(fields)


def _json_text(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CtiError(f"field {name!r} must be a string")
    return str(value)


def event_from_fields(fields: Mapping[str, str | list[str]]) -> CtiEvent:
    """Validate the fields of one event (unknown fields are ignored, as Zammad does)."""
    event = _text(fields, "event", 20, required=True)
    if event not in EVENTS:
        raise CtiError(f"unknown event {event!r} (expected newCall, answer or hangup)")
    call_id = _text(fields, "callId", MAX_CALL_ID, required=True)
    direction = _text(fields, "direction", 20) or "in"
    if direction not in DIRECTIONS:
        raise CtiError(f"direction must be 'in' or 'out', not {direction!r}")
    cause = _text(fields, "cause", 40)
    if cause and not _CAUSE.match(cause):
        raise CtiError("cause must be a word such as normalClearing, cancel, busy or noAnswer")
    raw_users = fields.get("user", [])
    users = [raw_users] if isinstance(raw_users, str) else list(raw_users)
    if len(users) > MAX_USERS:
        raise CtiError(f"more than {MAX_USERS} users")
    for user in users:
        _check_text("user", user, MAX_NAME)
    return CtiEvent(event=event, call_id=call_id,
                    from_number=_text(fields, "from", MAX_NUMBER),
                    to_number=_text(fields, "to", MAX_NUMBER), direction=direction,
                    cause=cause, users=tuple(u.strip() for u in users if u.strip()),
                    answering_number=_text(fields, "answeringNumber", MAX_NAME))


def _text(fields: Mapping[str, str | list[str]], name: str, limit: int, *,
          required: bool = False) -> str:
    value = fields.get(name, "")
    if isinstance(value, list):
        raise CtiError(f"field {name!r} given more than once")
    _check_text(name, value, limit)
    value = value.strip()
    if required and not value:
        raise CtiError(f"field {name!r} is required")
    return value


def _check_text(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise CtiError(f"field {name!r} is longer than {limit} characters")
    if not value.isprintable():
        raise CtiError(f"field {name!r} holds control characters")


# -- the calls ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CtiCall:
    """One call as the telephone system reported it, stamped with this console's clock."""

    call_id: str
    direction: str
    phone: str  # the other party: the caller (in) or the number dialled (out), as received
    started_at: str
    answered_at: str | None = None
    ended_at: str | None = None
    cause: str = ""

    @property
    def state(self) -> str:
        if self.ended_at:
            return "ended"
        return "answered" if self.answered_at else "ringing"

    @property
    def missed(self) -> bool:
        """An inbound call hung up before it was answered (and not passed on elsewhere)."""
        return (self.direction == "in" and self.ended_at is not None and not self.answered_at
                and self.cause not in NOT_MISSED_CAUSES)

    def call_start(self) -> CallStart:
        return CallStart(started_at=self.started_at, phone=self.phone,
                         answered_at=self.answered_at, cti_call_id=self.call_id,
                         ended_at=self.ended_at)


@dataclass(frozen=True)
class CtiUpdate:
    """What one event did: `ringing`, `answered`, `ended`, `missed` (an inbound call hung up
    unanswered), `duplicate` (nothing new) or `ignored` (`note` says why)."""

    kind: str
    event: CtiEvent
    call: CtiCall | None
    before: CtiCall | None = None  # the call before this event (to undo it if it can't be kept)
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.kind in ("ringing", "answered", "ended", "missed")


class CtiTracker:
    """The calls of this seat by callId; the latest `keep` are remembered (ended ones go first)."""

    def __init__(self, keep: int = 500) -> None:
        self.keep = keep
        self._calls: OrderedDict[str, CtiCall] = OrderedDict()

    def get(self, call_id: str) -> CtiCall | None:
        return self._calls.get(call_id)

    def apply(self, event: CtiEvent, at: str) -> CtiUpdate:
        """Apply `event`, received at `at` (ISO time), and say what it did."""
        known = self._calls.get(event.call_id)
        update = self._next(event, known, at)
        if update.changed and update.call is not None:
            self._put(update.call)
        level = logging.INFO if update.changed or update.kind == "duplicate" else logging.WARNING
        log.log(level, "cti %s: %s%s", update.kind, event.describe(),
                f" ({update.note})" if update.note else "")
        return update

    def restore(self, update: CtiUpdate) -> None:
        """Undo `update` (its effect could not be recorded): the sender may send it again."""
        if update.before is None:
            self._calls.pop(update.event.call_id, None)
        else:
            self._calls[update.before.call_id] = update.before

    @staticmethod
    def _next(event: CtiEvent, known: CtiCall | None, at: str) -> CtiUpdate:
        phone = event.other_party
        if event.event == "newCall":
            if known is not None:
                return CtiUpdate("duplicate", event, known, known, "callId already known")
            return CtiUpdate("ringing", event, CtiCall(event.call_id, event.direction, phone, at))
        if event.event == "answer":
            if known is None:
                return CtiUpdate("answered", event, CtiCall(event.call_id, event.direction, phone,
                                                            at, answered_at=at),
                                 note="answer without newCall")
            if known.ended_at:
                return CtiUpdate("ignored", event, known, known, "answer after hangup")
            if known.answered_at:
                return CtiUpdate("duplicate", event, known, known, "already answered")
            return CtiUpdate("answered", event,
                             replace(known, answered_at=at, phone=known.phone or phone), known)
        if known is None:
            return CtiUpdate("ignored", event, None, note="hangup of an unknown callId")
        if known.ended_at:
            return CtiUpdate("duplicate", event, known, known, "already hung up")
        ended = replace(known, ended_at=at, cause=event.cause, phone=known.phone or phone)
        return CtiUpdate("missed" if ended.missed else "ended", event, ended, known)

    def _put(self, call: CtiCall) -> None:
        self._calls[call.call_id] = call
        self._calls.move_to_end(call.call_id)
        while len(self._calls) > self.keep:
            oldest_ended = next((k for k, c in self._calls.items() if c.ended_at), None)
            self._calls.pop(oldest_ended if oldest_ended is not None else next(iter(self._calls)))


def record_missed(db: Database, call: CtiCall, *, site_code: str, agent_id: str) -> Call:
    """The missed call's record (outcome `missed`) with its outbox op; once per callId, also
    across restarts of the console."""
    if not call.missed:
        raise ValueError("only an inbound call hung up before it was answered is missed")
    with db.write() as session:
        existing = session.exec(select(Call).where(Call.cti_call_id == call.call_id)).first()
        if existing is not None:
            return existing
        row = add_call(session, call.call_start(), site_code=site_code, agent_id=agent_id,
                       outcome="missed")
    log.info("missed call recorded callId=%r from=%s", call.call_id, masked(call.phone))
    return row


# -- where the running console listens --------------------------------------------------------
def endpoint_file(database: Path) -> Path:
    """hotline.db.cti beside the database: `127.0.0.1:PORT` while a console listens."""
    return database.with_name(database.name + ENDPOINT_SUFFIX)


def write_endpoint(path: Path, host: str, port: int) -> str:
    """Write `host:port` owner-only (atomically); returns what was written."""
    content = f"{host}:{port}\n"
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    create_private(temporary)
    temporary.write_text(content, encoding="ascii")
    os.replace(temporary, path)
    return content


def remove_endpoint(path: Path, content: str) -> None:
    """Remove the file if it still names this console (another one may have written it since)."""
    try:
        if path.read_text(encoding="ascii") == content:
            path.unlink()
    except (OSError, UnicodeDecodeError):
        pass


def read_endpoint(path: Path) -> str | None:
    """The URL of the console listening per `path`, or None when there is no such file."""
    try:
        host, _, port = path.read_text(encoding="ascii").strip().rpartition(":")
    except (OSError, UnicodeDecodeError):
        return None
    if not host or not port.isdigit():
        return None
    return f"http://{host}:{int(port)}{CTI_PATH}"
