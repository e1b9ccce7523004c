"""Repeat calls (重复来电): a new 诉求 that resembles an open ticket of the same caller or the
same address within 30 days is offered for linking or 催办 instead of a duplicate ticket; and
status inquiries by ticket number or phone, answered with the 8890 progress phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from rapidfuzz import fuzz
from sqlmodel import col, or_, select

from seat_console.core import clock
from seat_console.core.callers import lookup_phone, same_line
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.models import Ticket
from seat_console.core.ticket_codes import OPEN_STATUSES
from seat_console.core.validation import check_phone, line_of

WINDOW_DAYS = 30
# A 诉求 resembles an earlier one when any of these holds (a caller retells the matter in other
# words: 烧烤店还是营业到凌晨,油烟很大 for 小区楼下烧烤店每天营业到凌晨两点,噪音和油烟扰民):
SIMILAR_AT = 60  # rapidfuzz partial_ratio of the two texts, or
SHARED_SHARE_AT = 35  # the percentage of the new text's content bigrams the earlier one has, or
SHARED_BIGRAMS_AT = 6  # that many content bigrams shared (a long spoken retelling)
# characters that make a bigram no content (还是, 到了, 没人): function words of spoken Chinese
FUNCTION_CHARACTERS = frozenset("的了是在还很就都也有没和与及后说吗呢吧啊呀么着过又再才把被给让向对从这那我你您他她")
_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


@dataclass(frozen=True)
class Similar:
    ticket: Ticket
    similarity: int  # percent: the better of the two texts' partial ratio and bigram share
    same: str  # "号码" or "地址"
    resembles: bool = True  # by the thresholds above (a candidate the agent may still pick)


def content_bigrams(text: str) -> set[str]:
    """The text's character bigrams with no function character, and its Latin/digit words."""
    found: set[str] = set()
    for run in _RUNS.findall(text):
        if run.isascii():
            found.add(run.lower())
            continue
        found.update(run[i:i + 2] for i in range(len(run) - 1)
                     if not FUNCTION_CHARACTERS.intersection(run[i:i + 2]))
    return found


def resemblance(new: str, earlier: str, grams: set[str] | None = None) -> tuple[int, bool]:
    """(similarity percent, whether `new` resembles `earlier` by any threshold above); `grams`:
    content_bigrams(new), made once when `new` is held against several tickets."""
    ratio = round(fuzz.partial_ratio(new, earlier))
    grams = content_bigrams(new) if grams is None else grams
    shared = len(grams & content_bigrams(earlier))
    share = round(100 * shared / len(grams)) if grams else 0
    return max(ratio, share), (ratio >= SIMILAR_AT or share >= SHARED_SHARE_AT
                               or shared >= SHARED_BIGRAMS_AT)


def similar_open_tickets(db: Database, phone: str, address: str, content: str) -> list[Similar]:
    """Open tickets of the last 30 days from the same number or address whose 诉求 resembles
    `content`, most similar first."""
    return [s for s in repeat_candidates(db, phone, address, content) if s.resembles]


def repeat_candidates(db: Database, phone: str, address: str, content: str) -> list[Similar]:
    """Every open ticket of the last 30 days from the same number or address, most similar to
    `content` first (the ones that resemble it marked): what the agent picks from when the
    caller's words match none well enough."""
    content = content.strip()
    since = (clock.now() - timedelta(days=WINDOW_DAYS)).isoformat()
    normalized = lookup_phone(phone)
    conditions = [same_line(Ticket.caller_phone, normalized)] if normalized else []
    if address.strip():
        conditions.append(Ticket.caller_address == address.strip())
    if not conditions:
        return []
    with db.read() as session:
        rows = session.exec(select(Ticket).where(col(Ticket.status).in_(OPEN_STATUSES))
                            .where(Ticket.created_at >= since).where(or_(*conditions))).all()
    found = []
    grams = content_bigrams(content)
    for ticket in rows:
        score, resembles = (resemblance(content, ticket.content, grams) if len(content) >= 4
                            else (0, False))
        same = "号码" if line_of(ticket.caller_phone) == line_of(normalized) else "地址"
        found.append(Similar(ticket, score, same, resembles))
    return sorted(found, key=lambda s: (not s.resembles, -s.similarity))


def find_for_inquiry(db: Database, number_or_phone: str) -> list[Ticket]:
    """Tickets by number, or by the caller's phone (newest first)."""
    text = number_or_phone.strip()
    with db.read() as session:
        by_number = session.exec(select(Ticket).where(Ticket.number == text)).all()
        if by_number:
            return list(by_number)
        phone = check_phone(text).normalized
        if not phone:
            return []
        return list(session.exec(select(Ticket).where(same_line(Ticket.caller_phone, phone))
                                 .order_by(col(Ticket.created_at).desc()).limit(10)).all())


def progress_phrase_id(ticket: Ticket, policy: DeadlinePolicy) -> str:
    """Which 8890 progress phrase fits: closed, overdue, accepted but not transferred yet, or in
    progress."""
    if ticket.status in ("closed", "callback_done", "archived"):
        return "disposition.progress_closed"
    if policy.state(ticket.deadline) == "overdue":
        return "disposition.progress_overdue"
    if ticket.status == "accepted":  # not transferred yet: no 已转…办理
        return "disposition.progress_accepted"
    return "disposition.progress_in_time"
