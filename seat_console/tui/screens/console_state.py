"""What the slices of the console screen share, declared in one place.

The console screen is assembled from slices by purpose (console_call, console_checks,
console_kb, console_workflow); each reads and writes only these objects, never attributes of
another slice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from seat_console.core.cti import CtiCall
from seat_console.core.models import Ticket
from seat_console.core.phrases.forbidden import Hit
from seat_console.core.phrases.scope import ScopeVerdict
from seat_console.core.referrals import DueCallback
from seat_console.core.repeat_calls import Similar
from seat_console.core.typing_meter import TypingMeter


@dataclass
class CurrentCall:
    """The call in progress; `end()` once it is over (a ticket, a 催办, or no ticket)."""

    started_at: str | None = None  # from telephony: when it rang (newCall)
    answered_at: str | None = None  # from telephony only: a call opened by hand has no ring
    ended_at: str | None = None  # the telephone system's hangup; after-call work goes on
    cti_call_id: str = ""  # the telephone system's callId, '' when opened by hand
    first_text_at: str | None = None  # first 诉求 text typed (12345: recorded within a minute)
    inquiry_made: bool = False  # Ctrl+F during this call: Ctrl+E suggests ending it as such
    meter: TypingMeter = field(default_factory=TypingMeter)
    similar: list[Similar] = field(default_factory=list)  # open tickets this call repeats
    forbidden_hits: dict[str, list[Hit]] = field(default_factory=dict)  # by form field
    scope_finding: ScopeVerdict | None = None  # out of scope or an emergency, from the 诉求

    @property
    def handled_from(self) -> str | None:
        """When the agent had the caller on the line: the answer, else the start."""
        return self.answered_at or self.started_at

    def end(self) -> None:
        self.started_at = self.first_text_at = self.answered_at = self.ended_at = None
        self.cti_call_id = ""
        self.inquiry_made = False
        self.meter.reset()
        self.similar = []
        self.forbidden_hits = {}
        self.scope_finding = None


@dataclass
class DraftKeeping:
    """The form's autosave: whether it changed, and which snapshots are still current."""

    slot: str
    dirty: bool = False  # edited since the last autosave
    needs_check: bool = False  # edited since the last live check
    generation: int = 0  # bumped when the form is submitted or reset; older snapshots are dropped
    offer_pending: bool = True  # a saved draft may be on offer: never autosave over it
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class TelephonyState:
    """The telephone system's calls as the console shows them (see tui/cti_listener.py)."""

    ringing: dict[str, CtiCall] = field(default_factory=dict)  # by callId, not yet answered
    waiting: list[CtiCall] = field(default_factory=list)  # answered during another call


@dataclass
class ShiftState:
    """What the agent's session has seen beyond the current call."""

    last_ticket: Ticket | None = None
    due_callbacks: list[DueCallback] = field(default_factory=list)
    reminded: set[tuple[str, str]] = field(default_factory=set)  # referral callbacks notified
    telephony: TelephonyState = field(default_factory=TelephonyState)
