"""A large city's hotline year in one hotline.db, for the statistics bench (bench/stats_bench.py).

    python bench/stats_generator.py [--days 360] [--per-day 10000] [--seed 14] [--out FILE]

The schema is the real one (core/db.Database runs the migrations); the rows are bulk-inserted
with sqlite3 executemany, not through submit() (a year of tickets through the ORM would take
hours). What is written is what the console writes, in the same shapes:

- ticket rows in their final state (status, deadline as overwritten, satisfaction, first_contacted,
  reopen_count, version = number of changes), numbered site-date-seq, ids UUIDv7 of their time;
- every change as a ticket_event with the JSON `changes` of core/tickets.py and lifecycle.py
  ({"field": [old, new]}, the create event holding every non-empty field, versions 1, 2, ...),
  so ticket_node (migration 0015) is derived by its trigger on ticket_event while loading,
  exactly as the write path derives it;
- calls: one per phone ticket (92% from telephony with a callId, ring 2-25 s), 催办 and status
  inquiry calls, calls without a ticket, and missed telephony calls (hung up before an answer);
- qa_results for about 1.5% of the answered calls, with findings like transcript QA's.

Distributions (per day, ~--per-day tickets, busier on weekdays and in office hours): ~80% phone;
~30% answered during the call (直接答复 27%, 三方通话 3%), 45% 转办 at intake, 22% accepted and
transferred later (5% of them late, 3% never), 2% 不予受理, 1% 紧急转警; 85% closed on time,
12% late, 3% never; ~85% called back (满意 72%, 基本满意 18%, 不满意 10% with one of the five
reasons -> 退回重办 with a new deadline, closed again, called back again); 85% archived later;
3% 督办, 6% 催办, 8% linked to an earlier ticket. Nothing happens after END (the generated
"today"): tickets of the last days are still open, as in a live database.

Not generated (the statistics never read them): outbox ops, callers, drafts, KB. A live
database would be about twice as large with its outbox.

The file is cached (bench_db()) under ~/.cache/seat-console/bench (or $XDG_CACHE_HOME), keyed by
the parameters, the generator version and the schema version; a later run reuses it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from bisect import bisect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seat_console.config import SHIPPED_KB_DATA, DeadlineConfig  # noqa: E402
from seat_console.core.calendar import load_calendar  # noqa: E402
from seat_console.core.clock import CHINA_TZ  # noqa: E402
from seat_console.core.db import LATEST_VERSION, Database  # noqa: E402
from seat_console.core.taxonomy import load_taxonomy  # noqa: E402
from seat_console.core.ticket_contract import DISSATISFACTION_REASONS  # noqa: E402

GENERATOR_VERSION = 1
END = date(2026, 11, 25)  # the last day generated: the bench database's "today"
SITE = "210102"
AGENTS = [str(8001 + n) for n in range(150)]
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "seat-console" / "bench"

SECOND, MINUTE, HOUR, DAY = 1000, 60_000, 3_600_000, 86_400_000
OFFSET = 8 * HOUR  # China time, no daylight saving
EPOCH = date(1970, 1, 1)

CHANNELS = [("phone", 80), ("web", 8), ("wechat", 5), ("app", 4), ("sms", 2), ("mailbox", 1)]
REQUEST_TYPES = [("consult", 40), ("help", 20), ("complaint", 25), ("report", 5),
                 ("suggestion", 7), ("praise", 1), ("other", 2)]
PHONE_DISPOSITIONS = [("direct_answer", 27), ("three_way", 3), ("transfer", 45), ("", 22),
                      ("rejected", 2), ("emergency", 1)]
OTHER_DISPOSITIONS = [("direct_answer", 10), ("transfer", 50), ("", 40)]
SATISFACTION = [("满意", 72), ("基本满意", 18), ("不满意", 10)]
SECOND_SATISFACTION = [("满意", 60), ("基本满意", 30), ("不满意", 10)]
FIRST_CONTACTED = [("是", 82), ("否", 13), ("", 5)]
REASONS = list(zip(DISSATISFACTION_REASONS, (25, 35, 15, 15, 10)))
NO_TICKET_REASONS = [("hang_up", 40), ("silent", 20), ("wrong_number", 20), ("harassment", 5),
                     ("other", 15)]
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 8, 10, 13, 13, 12, 10, 7, 6, 5, 4, 2, 1]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
PLACES = ["和平区南京北街", "沈河区北站路", "大东区小北关街", "皇姑区黄河南大街", "铁西区兴华南街",
          "浑南区浑南中路", "于洪区沈大路", "沈北新区道义大街", "苏家屯区枫杨路"]
MATTERS = ["小区楼道灯不亮已经三天", "夜间施工噪音扰民影响休息", "供暖温度不达标家中只有十六度",
           "路边井盖缺失存在安全隐患", "物业擅自提高停车费", "公交车到站时间不准", "餐馆油烟直排扰民",
           "社保卡补办需要哪些材料", "养老金调整什么时候发放", "医保异地就医如何备案",
           "公积金提取流程咨询", "小区垃圾清运不及时", "道路积水无人处理", "违章建筑占用消防通道",
           "燃气费缴费后未到账", "学区划分政策咨询", "企业开办需要准备什么材料", "广场舞音响声音过大"]
DEMANDS = ["请尽快处理", "希望有关部门核实", "要求答复处理结果", "请给予解释", "希望尽快修复"]
REPLIES = ["已联系相关单位处理完毕", "经核实已整改", "已向来电人解释相关政策", "已安排人员现场处理",
           "已答复来电人办理流程"]
REQUIRED_MOMENTS = [("opening", "开场服务语"), ("ask_name", "询问来电人称呼"),
                    ("confirm_matter", "核实需求信息"), ("anything_else", "确认是否有其他需求"),
                    ("closing", "结束语并报工号")]
FORBIDDEN = ["不知道", "不行", "解决不了", "不归我们管"]


def weighted(pairs: list[tuple[str, int]]):  # type: ignore[no-untyped-def]
    values = [v for v, _ in pairs]
    cumulative = list(accumulate(w for _, w in pairs))
    total = cumulative[-1]

    def pick(rng: random.Random) -> str:
        return values[bisect(cumulative, rng.random() * total)]

    return pick


class Stamps:
    """Milliseconds since the epoch -> the stored text (ISO, milliseconds, +08:00)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def day(self, index: int) -> str:
        text = self._days.get(index)
        if text is None:
            text = self._days[index] = (EPOCH + timedelta(days=index)).isoformat()
        return text

    def __call__(self, ms: int) -> str:
        day, rest = divmod(ms + OFFSET, DAY)
        seconds, millis = divmod(rest, 1000)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return f"{self.day(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}+08:00"


def day_start(day: date) -> int:
    """Midnight of `day` in China time, in ms."""
    return (day - EPOCH).days * DAY - OFFSET


class Deadlines:
    """The policy's deadlines (core/deadlines.py: working days on the real calendar, end of day
    17:30), cached per day: (ms, stored text)."""

    def __init__(self) -> None:
        self.calendar = load_calendar(SHIPPED_KB_DATA)
        self.limits = DeadlineConfig()
        self._cache: dict[tuple[int, int], tuple[int, str]] = {}

    def after(self, ms: int, working_days: int) -> tuple[int, str]:
        day = (ms + OFFSET) // DAY
        found = self._cache.get((day, working_days))
        if found is None:
            start = datetime.fromtimestamp(ms / 1000, CHINA_TZ)
            due = self.calendar.add_working_days(start, working_days)
            found = (int(due.timestamp() * 1000), due.isoformat(timespec="milliseconds"))
            self._cache[(day, working_days)] = found
        return found

    def transfer(self, ms: int) -> tuple[int, str]:
        return self.after(ms, self.limits.transfer_working_days)

    def handling(self, request_type: str, ms: int) -> tuple[int, str]:
        return self.after(ms, self.limits.handling_working_days.get(request_type, 5))


def uuid7_at(rng: random.Random, ms: int) -> str:
    value = ((ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
             | rng.getrandbits(62))
    return str(uuid.UUID(int=value))


TICKET_COLUMNS = (
    "id", "number", "site_code", "status", "channel", "request_type", "domain", "confidential",
    "urgency", "caller_name", "caller_phone", "caller_address", "content", "incident_time",
    "incident_place", "course", "current_state", "demand", "disposition", "department",
    "co_departments", "dispatch_opinion", "deadline", "reply", "kb_article_id",
    "linked_ticket_ids", "agent_id", "call_started_at", "created_at", "updated_at", "version",
    "disposition_reason", "emergency_service", "emergency_at", "response_due", "three_way_result",
    "supervised", "supervision_reason", "supervised_by", "supervised_at", "satisfaction",
    "dissatisfaction_reason", "callback_at", "reopen_count", "first_text_at", "typing_cpm",
    "external_id", "first_contacted")
# The create event holds these (model_dump order), when not empty (core/tickets.py submit).
CREATE_FIELDS = (
    "number", "site_code", "status", "channel", "request_type", "domain", "confidential",
    "urgency", "caller_name", "caller_phone", "caller_address", "content", "incident_time",
    "incident_place", "course", "current_state", "demand", "disposition", "disposition_reason",
    "emergency_service", "emergency_at", "department", "co_departments", "dispatch_opinion",
    "deadline", "response_due", "reply", "three_way_result", "supervised", "supervision_reason",
    "supervised_by", "supervised_at", "satisfaction", "dissatisfaction_reason",
    "first_contacted", "callback_at", "reopen_count", "first_text_at", "typing_cpm",
    "kb_article_id", "linked_ticket_ids", "agent_id", "call_started_at", "created_at",
    "external_id")
EVENT_COLUMNS = ("id", "ticket_id", "version", "at", "actor", "site_code", "action", "changes")
CALL_COLUMNS = ("id", "site_code", "agent_id", "channel", "phone", "started_at", "answered_at",
                "ended_at", "outcome", "no_ticket_reason", "ticket_id", "created_at",
                "updated_at", "cti_call_id")
QA_COLUMNS = ("id", "site_code", "agent_id", "call_id", "transcript_name", "call_kind", "score",
              "base", "pass_mark", "passed", "findings", "checked_at")


class Generator:
    def __init__(self, seed: int, end_ms: int) -> None:
        self.rng = random.Random(seed)
        self.stamp = Stamps()
        self.deadlines = Deadlines()
        self.end_ms = end_ms
        taxonomy = load_taxonomy(SHIPPED_KB_DATA)
        self.leaves = [(leaf.code, leaf.department) for leaf in taxonomy.by_code.values()]
        self.channel = weighted(CHANNELS)
        self.request_type = weighted(REQUEST_TYPES)
        self.phone_disposition = weighted(PHONE_DISPOSITIONS)
        self.other_disposition = weighted(OTHER_DISPOSITIONS)
        self.satisfaction = weighted(SATISFACTION)
        self.second_satisfaction = weighted(SECOND_SATISFACTION)
        self.first_contacted = weighted(FIRST_CONTACTED)
        self.reason = weighted(REASONS)
        self.no_ticket_reason = weighted(NO_TICKET_REASONS)
        self.hour = weighted([(str(h), w) for h, w in enumerate(HOURS)])
        self.recent: list[str] = []  # ticket ids to link repeats to
        self.tickets: list[tuple] = []
        self.events: list[tuple] = []
        self.calls: list[tuple] = []
        self.qa: list[tuple] = []
        self.counts = {"tickets": 0, "events": 0, "calls": 0, "qa_results": 0}
        self.ticket_stamps: list[tuple[int, int, int]] = []  # (ms, telephony?, answered?) calls

    # -- pieces -------------------------------------------------------------------------------

    def moment(self, day_ms: int) -> int:
        rng = self.rng
        return day_ms + int(self.hour(rng)) * HOUR + rng.randrange(HOUR)

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def call(self, *, agent: str, started: int, answered: int | None, ended: int, outcome: str,
             reason: str = "", ticket_id: str | None = None, telephony: bool = True,
             phone: str | None = None) -> str | None:
        if ended > self.end_ms:
            return None
        rng, stamp = self.rng, self.stamp
        call_id = uuid7_at(rng, ended)
        self.calls.append((call_id, SITE, agent, "phone", phone or self.phone(), stamp(started),
                           None if answered is None else stamp(answered), stamp(ended), outcome,
                           reason, ticket_id, stamp(ended), stamp(ended),
                           f"cti-{rng.getrandbits(48):012x}" if telephony else ""))
        if answered is not None and rng.random() < 0.015:
            self.qa_result(agent, call_id, ended)
        return call_id

    def qa_result(self, agent: str, call_id: str, ended: int) -> None:
        rng = self.rng
        checked = ended + rng.randrange(HOUR, 3 * DAY)
        if checked > self.end_ms:
            return
        findings = []
        lost = 0
        for moment, label in REQUIRED_MOMENTS:
            present = rng.random() < 0.93
            lost += 0 if present else 10
            findings.append({"moment": moment, "label": label, "kind": "required",
                             "status": "present" if present else "missing",
                             "rule": "8890规范 六(一)", "points_lost": 0 if present else 10,
                             "line": rng.randrange(1, 30) if present else None,
                             "agent_turn": None, "trigger_line": None, "detail": ""})
        for phrase in FORBIDDEN:
            if rng.random() < 0.03:
                lost += 10
                findings.insert(0, {"moment": "forbidden", "label": "服务禁语",
                                    "kind": "forbidden", "status": "violated",
                                    "rule": "8890规范 六(六) 服务禁语", "points_lost": 10,
                                    "line": rng.randrange(1, 30), "agent_turn": None,
                                    "trigger_line": None, "detail": f"服务禁语“{phrase}”"})
        score = max(0, 100 - lost)
        self.qa.append((uuid7_at(rng, checked), SITE, agent, call_id, f"call-{call_id[:8]}.txt",
                        "normal", score, 100, 80, int(score >= 80),
                        json.dumps(findings, ensure_ascii=False), self.stamp(checked)))

    # -- one ticket ---------------------------------------------------------------------------

    def ticket(self, created: int, seq: int) -> None:
        rng, stamp = self.rng, self.stamp
        channel = self.channel(rng)
        request_type = self.request_type(rng)
        domain, department = rng.choice(self.leaves)
        agent = rng.choice(AGENTS)
        ticket_id = uuid7_at(rng, created)
        phone = self.phone()
        pick = self.phone_disposition if channel == "phone" else self.other_disposition
        disposition = pick(rng)
        status = {"transfer": "transferred", "": "accepted"}.get(disposition, "closed")
        row = dict.fromkeys(TICKET_COLUMNS, "")
        place = rng.choice(PLACES)
        row.update(
            id=ticket_id, number=f"{SITE}-{stamp(created)[:10].replace('-', '')}-{seq:04d}",
            site_code=SITE, status=status, channel=channel, request_type=request_type,
            domain=domain, confidential=int(rng.random() < 0.02), urgency="normal",
            caller_name=f"{rng.choice(SURNAMES)}{'女士' if rng.random() < 0.5 else '先生'}",
            caller_phone=phone, caller_address=f"{place}{rng.randrange(1, 300)}号",
            content=f"来电人反映{place}附近{rng.choice(MATTERS)},{rng.choice(DEMANDS)}。",
            demand=rng.choice(DEMANDS), disposition=disposition, co_departments="[]",
            deadline=None, kb_article_id=None, linked_ticket_ids="[]", agent_id=agent,
            call_started_at=None, created_at=stamp(created), version=1, emergency_at=None,
            response_due=None, supervised=0, supervised_at=None, callback_at=None,
            reopen_count=0, first_text_at=None, typing_cpm=0, external_id=None)
        deadline_ms: int | None = None
        if disposition == "transfer":
            row["department"] = department
            row["dispatch_opinion"] = "请核实并按时限办理答复"
            deadline_ms, row["deadline"] = self.deadlines.handling(request_type, created)
        elif disposition == "":
            deadline_ms, row["deadline"] = self.deadlines.transfer(created)
        elif disposition in ("direct_answer", "three_way"):
            row["reply"] = rng.choice(REPLIES)
            if disposition == "three_way":
                row["department"] = department
                row["three_way_result"] = "已与承办单位三方通话,对方答复将安排处理"
        elif disposition == "rejected":
            row["disposition_reason"] = "不属于热线受理范围"
        elif disposition == "emergency":
            row["emergency_service"] = "110"
            row["emergency_at"] = stamp(created - 30 * SECOND)
            row.update(supervised=1, supervised_by=agent, supervised_at=stamp(created),
                       supervision_reason="紧急事项已转110,已报告热线管理人员")
        if channel != "phone":
            minutes = DeadlineConfig().response_minutes.get(channel)
            if minutes:
                row["response_due"] = stamp(created + minutes * MINUTE)
        if self.recent and rng.random() < 0.08:
            row["linked_ticket_ids"] = json.dumps([rng.choice(self.recent)])
        self.recent.append(ticket_id)
        if len(self.recent) > 5000:
            del self.recent[:1000]
        if channel == "phone":  # the call that made it: answered, talked, submitted at its end
            submit = rng.randrange(90, 600) * SECOND
            answered = created - submit
            telephony = rng.random() < 0.92
            ring = rng.randrange(2, 26) * SECOND
            row["call_started_at"] = stamp(answered)
            row["first_text_at"] = stamp(answered + rng.randrange(8, 100) * SECOND)
            row["typing_cpm"] = rng.randrange(35, 130)
            self.call(agent=agent, started=answered - ring if telephony else answered,
                      answered=answered if telephony else None, ended=created, outcome="ticket",
                      ticket_id=ticket_id, telephony=telephony, phone=phone)
        events = []
        version = 1

        def event(at: int, action: str, changes: dict, actor: str = agent) -> bool:
            nonlocal version
            if at > self.end_ms:
                return False
            if action != "create":
                version += 1
            events.append((uuid7_at(rng, at), ticket_id, version, stamp(at), actor, SITE, action,
                           json.dumps(changes)))
            row["version"], row["updated_at"] = version, stamp(at)
            return True

        created_changes = {}
        for name in CREATE_FIELDS:
            value = row[name]
            if name in ("co_departments", "linked_ticket_ids"):
                value = json.loads(value)
            elif name in ("confidential", "supervised"):
                value = bool(value)
            if value not in ("", None, [], False, 0):
                created_changes[name] = [None, value]
        event(created, "create", created_changes)
        if disposition == "emergency":
            events.append((uuid7_at(rng, created), ticket_id, 1, stamp(created), agent, SITE,
                           "shift_leader_informed",
                           json.dumps({"emergency_service": [None, "110"]})))
        self.lifecycle(row, event, created, deadline_ms, department, phone)
        self.tickets.append(tuple(row[c] for c in TICKET_COLUMNS))
        self.events.extend(events)

    def lifecycle(self, row: dict, event: Callable[..., bool], created: int,
                  deadline_ms: int | None, department: str, phone: str) -> None:
        rng = self.rng
        at = created
        status = row["status"]
        handler = rng.choice(AGENTS)
        if status == "accepted":  # to be transferred (or answered by the hotline) later
            assert deadline_ms is not None
            roll = rng.random()
            if roll < 0.03:
                return  # never transferred
            if row["channel"] != "phone" and roll < 0.35:  # answered by the hotline
                at = rng.randrange(at + 10 * MINUTE, max(deadline_ms, at + 11 * MINUTE))
                reply = rng.choice(REPLIES)
                if not event(at, "transition", {"reply": ["", reply],
                                                "status": ["accepted", "closed"]}, handler):
                    return
                row.update(reply=reply, status="closed")
            else:
                late = roll > 0.95
                at = (deadline_ms + rng.randrange(HOUR, 3 * DAY) if late
                      else rng.randrange(at + 10 * MINUTE, max(deadline_ms, at + 11 * MINUTE)))
                new_ms, new_deadline = self.deadlines.handling(row["request_type"], at)
                opinion = "请核实并按时限办理答复"
                if not event(at, "transition", {
                        "department": ["", department], "dispatch_opinion": ["", opinion],
                        "deadline": [row["deadline"], new_deadline],
                        "status": ["accepted", "transferred"]}, handler):
                    return
                row.update(department=department, dispatch_opinion=opinion,
                           deadline=new_deadline, status="transferred")
                deadline_ms = new_ms
        if row["status"] == "transferred":
            at, closed = self.handle(row, event, at, deadline_ms, handler, phone)
            if not closed:
                return
        # closed (at intake, by the hotline or by the department): 回访, maybe 退回重办, 归档
        for round_ in range(3):
            if rng.random() > 0.85:
                return  # not called back (yet)
            at = at + rng.randrange(4 * HOUR, 3 * DAY)
            pick = self.satisfaction if round_ == 0 else self.second_satisfaction
            satisfaction = pick(rng) if round_ < 2 else "满意"
            asked = self.first_contacted(rng) if row["department"] else ""
            changes: dict = {"satisfaction": [row["satisfaction"], satisfaction]}
            if satisfaction != "不满意":
                if row["dissatisfaction_reason"]:
                    changes["dissatisfaction_reason"] = [row["dissatisfaction_reason"], ""]
                if asked != row["first_contacted"]:
                    changes["first_contacted"] = [row["first_contacted"], asked]
                changes["callback_at"] = [row["callback_at"], self.stamp(at)]
                changes["status"] = ["closed", "callback_done"]
                if changes["satisfaction"][0] == satisfaction:
                    del changes["satisfaction"]
                if not event(at, "transition", changes, handler):
                    return
                row.update(satisfaction=satisfaction, dissatisfaction_reason="",
                           first_contacted=asked, callback_at=self.stamp(at),
                           status="callback_done")
                if rng.random() < 0.85:
                    at += rng.randrange(3 * DAY, 20 * DAY)
                    if event(at, "transition", {"status": ["callback_done", "archived"]},
                             "8000"):
                        row["status"] = "archived"
                return
            reason = self.reason(rng)
            new_ms, new_deadline = self.deadlines.after(at, 5)
            if row["dissatisfaction_reason"] != reason:
                changes["dissatisfaction_reason"] = [row["dissatisfaction_reason"], reason]
            if asked != row["first_contacted"]:
                changes["first_contacted"] = [row["first_contacted"], asked]
            changes["callback_at"] = [row["callback_at"], self.stamp(at)]
            changes["reopen_count"] = [row["reopen_count"], row["reopen_count"] + 1]
            if new_deadline != row["deadline"]:
                changes["deadline"] = [row["deadline"], new_deadline]
            changes["status"] = ["closed", "reopened"]
            if changes["satisfaction"][0] == satisfaction:
                del changes["satisfaction"]
            if not event(at, "transition", changes, handler):
                return
            row.update(satisfaction=satisfaction, dissatisfaction_reason=reason,
                       first_contacted=asked, callback_at=self.stamp(at),
                       reopen_count=row["reopen_count"] + 1, deadline=new_deadline,
                       status="reopened")
            at, closed = self.handle(row, event, at, new_ms, handler, phone)
            if not closed:
                return

    def handle(self, row: dict, event: Callable[..., bool], at: int, deadline_ms: int | None,
               handler: str, phone: str) -> tuple[int, bool]:
        """转办 / 退回重办 -> 办理中 -> 办结, with 督办, 催办 and status inquiries on the way."""
        rng = self.rng
        assert deadline_ms is not None
        start = row["status"]
        roll = rng.random()
        if roll < 0.03:
            close = None  # never closed
        elif roll < 0.15:  # late
            close = deadline_ms + rng.randrange(2 * HOUR, 10 * DAY)
        else:
            close = rng.randrange(at + 2 * HOUR, max(deadline_ms, at + 3 * HOUR))
        horizon = close if close is not None else at + 30 * DAY
        steps: list[tuple[int, str]] = []  # what happens on the way, in time order
        if start == "transferred" and not row["supervised"] and rng.random() < 0.03:
            steps.append((rng.randrange(at + HOUR, max(horizon, at + 2 * HOUR)), "supervise"))
        if rng.random() < 0.06:  # 催办 by the caller: an urge_only call and its event
            steps.append((rng.randrange(at + HOUR, max(horizon, at + 2 * HOUR)), "urge"))
        if rng.random() < 0.10:  # a status inquiry: a call, no ticket change
            when = rng.randrange(at + HOUR, max(horizon, at + 2 * HOUR))
            if when < horizon:
                self.call(agent=rng.choice(AGENTS), started=when - 70 * SECOND,
                          answered=when - 62 * SECOND, ended=when, outcome="status_inquiry",
                          reason="status_inquiry", phone=phone)
        if rng.random() < 0.9:
            progress = rng.randrange(at + HOUR, at + 2 * DAY)
            if close is not None and progress >= close:
                progress = at + (close - at) // 2
            steps.append((progress, "progress"))
        if close is not None:
            steps.append((close, "close"))
        for when, kind in sorted(steps):
            if when >= horizon and kind != "close":
                continue
            if kind == "supervise":
                if not event(when, "supervise", {
                        "supervised": [False, True], "supervision_reason": ["", "群众多次反映"],
                        "supervised_by": ["", "8000"], "supervised_at": [None, self.stamp(when)]},
                        "8000"):
                    return at, False
                row.update(supervised=1, supervision_reason="群众多次反映",
                           supervised_by="8000", supervised_at=self.stamp(when))
            elif kind == "urge":
                if not event(when, "urge", {}, rng.choice(AGENTS)):
                    return at, False
                self.call(agent=rng.choice(AGENTS), started=when - 90 * SECOND,
                          answered=when - 80 * SECOND, ended=when, outcome="urge_only",
                          ticket_id=row["id"], phone=phone)
            elif kind == "progress":
                if not event(when, "transition", {"status": [row["status"], "in_progress"]},
                             handler):
                    return at, False
                row["status"] = "in_progress"
                at = when
            else:
                reply = rng.choice(REPLIES)
                changes = {"reply": [row["reply"], reply]} if reply != row["reply"] else {}
                changes["status"] = [row["status"], "closed"]
                if not event(when, "transition", changes, handler):
                    return at, False
                row.update(reply=reply, status="closed")
                return when, True
        return at, False

    def calls_without_ticket(self, day_ms: int, tickets: int) -> None:
        """No-ticket calls (~12% of the tickets) and missed telephony calls (~6% of the calls)."""
        rng = self.rng
        for _ in range(int(tickets * 0.12)):
            started = self.moment(day_ms)
            telephony = rng.random() < 0.92
            answered = started + rng.randrange(2, 26) * SECOND if telephony else None
            self.call(agent=rng.choice(AGENTS), started=started, answered=answered,
                      ended=(answered or started) + rng.randrange(20, 200) * SECOND,
                      outcome="no_ticket", reason=self.no_ticket_reason(rng),
                      telephony=telephony)
        for _ in range(int(tickets * 0.06)):
            started = self.moment(day_ms)
            self.call(agent=rng.choice(AGENTS), started=started, answered=None,
                      ended=started + rng.randrange(5, 60) * SECOND, outcome="missed")

    def day(self, day: date, per_day: int) -> None:
        rng = self.rng
        busy = 1.1 if day.weekday() < 5 else 0.75
        count = max(1, int(per_day * busy * rng.uniform(0.9, 1.1)))
        start = day_start(day)
        for created, seq in zip(sorted(self.moment(start) for _ in range(count)),
                                range(1, count + 1)):
            self.ticket(created, seq)
        self.calls_without_ticket(start, count)
        self.sequence = (SITE, day.strftime("%Y%m%d"), count)

    def flush(self, connection: sqlite3.Connection) -> None:
        def insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
            if rows:
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' * len(columns))})", rows)

        insert("ticket", TICKET_COLUMNS, self.tickets)
        insert("ticket_event", EVENT_COLUMNS, self.events)
        insert("call", CALL_COLUMNS, self.calls)
        insert("qa_result", QA_COLUMNS, self.qa)
        connection.execute("INSERT INTO ticket_sequence (site_code, day, last) VALUES (?, ?, ?)",
                           self.sequence)
        for name, rows in (("tickets", self.tickets), ("events", self.events),
                           ("calls", self.calls), ("qa_results", self.qa)):
            self.counts[name] += len(rows)
        self.tickets, self.events, self.calls, self.qa = [], [], [], []


BULK_TABLES = ("ticket", "ticket_event", "call", "qa_result")


def generate(path: Path, days: int, per_day: int, seed: int = 14,
             progress: bool = True) -> dict[str, int]:
    """Write the database at `path` (replaced); the counts of what was written."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Database(path).close()  # the real schema, through the migrations
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -1000000")  # 1 GB while loading
    connection.execute("PRAGMA temp_store = MEMORY")
    placeholders = ", ".join("?" * len(BULK_TABLES))
    indexes = connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({placeholders})", BULK_TABLES).fetchall()
    for name, _sql in indexes:  # rebuilt after the load (same definitions): much faster
        connection.execute(f"DROP INDEX {name}")
    first = END - timedelta(days=days - 1)
    generator = Generator(seed, day_start(END + timedelta(days=1)) - 1)
    started = time.perf_counter()
    connection.execute("BEGIN")
    for n in range(days):
        generator.day(first + timedelta(days=n), per_day)
        generator.flush(connection)
        if n % 10 == 9:
            connection.execute("COMMIT")
            connection.execute("BEGIN")
            if progress:
                print(f"  generated {n + 1}/{days} days, {generator.counts['tickets']:,} tickets, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    connection.execute("COMMIT")
    for name, sql in indexes:
        if progress:
            print(f"  index {name}", file=sys.stderr, flush=True)
        connection.execute(sql)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    return generator.counts


def cache_path(days: int, per_day: int, seed: int) -> Path:
    return CACHE / f"stats-{days}d-{per_day}pd-s{seed}-g{GENERATOR_VERSION}-v{LATEST_VERSION}.db"


def bench_db(days: int, per_day: int, seed: int = 14) -> tuple[Path, float | None, dict | None]:
    """The cached database for these parameters, generated first when missing:
    (path, seconds spent generating or None when reused, counts or None)."""
    path = cache_path(days, per_day, seed)
    done = path.with_suffix(".done")
    if path.exists() and done.exists():
        return path, None, json.loads(done.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate(path, days, per_day, seed)
    elapsed = time.perf_counter() - started
    done.write_text(json.dumps({**counts, "seconds": round(elapsed, 1)}), encoding="utf-8")
    return path, elapsed, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=360)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, help="write here (default: the bench cache)")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.out:
        counts = generate(args.out, args.days, args.per_day, args.seed)
        path = args.out
    else:
        path, _, counts = bench_db(args.days, args.per_day, args.seed)
    print(f"{path}: {counts} in {time.perf_counter() - started:.0f} s, "
          f"{path.stat().st_size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
