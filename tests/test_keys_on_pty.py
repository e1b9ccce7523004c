"""Every key lands in the field the agent meant: the real console on a pty, keys 20 ms apart,
Tabs, a Select, a checkbox and IME-style multi-character commits, on a machine loaded by two
CPU-bound processes; every stored field is compared with what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlmodel import select

from seat_console.core.db import Database
from seat_console.core.models import Ticket

from .pty_console import CTRL_N, CTRL_S, DOWN, ENTER, F5, SPACE, TAB, PtyConsole, cpu_hogs

KEY_INTERVAL = 0.02
PHONE = "13712345678"
# What the agent types into each field, as the IME commits it (one item = one write).
TYPED = {
    "caller_name": ["孙", "女士"],
    "caller_address": ["大东区", "小北关街", "9", "号", "3单元"],
    "content": ["楼上", "装修", "噪音", "太大", ",", "晚上", "十点", "还在", "施工", "吵得",
                "孩子", "睡不着"],
    "incident_time": ["昨天", "晚上", "10", "点"],
    "incident_place": ["小区", "3号楼"],
    "course": ["已经", "找过", "物业", "两次"],
    "current_state": ["每天", "都在", "施工"],
    "demand": ["希望", "有关部门", "尽快", "处理"],
}


def key_plan() -> list[str]:
    """The call, key by key, in the form's Tab order (the phone is pre-filled by the call)."""
    return [
        *TYPED["caller_name"], TAB, TAB,            # name -> phone (kept) -> address
        *TYPED["caller_address"], TAB,              # -> 诉求类型
        ENTER, DOWN, DOWN, DOWN, ENTER, TAB,        # 投诉 -> 保密
        SPACE, TAB,                                 # 保密 on -> 诉求内容
        *TYPED["content"], TAB, TAB, TAB, TAB,      # -> 领域 -> 渠道 -> 紧急程度 -> 事发时间
        *TYPED["incident_time"], TAB,
        *TYPED["incident_place"], TAB,
        *TYPED["course"], TAB,
        *TYPED["current_state"], TAB,
        *TYPED["demand"],
    ]


def test_keys_20ms_apart_under_load_land_in_their_fields(tmp_path: Path) -> None:
    console = PtyConsole(tmp_path, "--call", PHONE)
    try:
        console.wait_for("草稿已保存")  # the call is open, the form autosaved once
        with cpu_hogs(2):
            console.type_keys(key_plan(), KEY_INTERVAL)
            console.child.send(CTRL_S)
            console.wait_for("已提交", timeout=60)
    finally:
        console.close()

    db = Database(tmp_path / "hotline.db")
    try:
        with db.read() as session:
            tickets = list(session.exec(select(Ticket)).all())
    finally:
        db.close()
    assert len(tickets) == 1
    ticket = tickets[0]
    stored = {name: getattr(ticket, name) for name in TYPED}
    assert stored == {name: "".join(parts) for name, parts in TYPED.items()}
    assert ticket.caller_phone == PHONE  # never overwritten by a key meant for the address
    assert (ticket.request_type, ticket.confidential) == ("complaint", True)


def test_a_sentence_typed_after_a_pause_on_the_checkbox_is_kept(tmp_path: Path) -> None:
    """Space on 保密, Tab, then 0.4 s later a sentence: it must reach 诉求内容."""
    console = PtyConsole(tmp_path, "--call", PHONE)
    sentence = ["小区", "门口", "路灯", "坏了", "一个月"]
    try:
        console.wait_for("草稿已保存")
        with cpu_hogs(2):
            console.type_keys([*TYPED["caller_name"], TAB, TAB, TAB, TAB, SPACE, TAB], 0.3)
            console.drain(0.4)
            console.type_keys(sentence, 0.3)
            console.wait_for("草稿已保存")
    finally:
        console.close()
    db = Database(tmp_path / "hotline.db")
    try:
        from seat_console.core.drafts import load_draft, slot_for

        draft = load_draft(db, slot_for("8001"))
    finally:
        db.close()
    assert draft is not None
    assert draft.fields["content"] == "".join(sentence)
    assert draft.fields["confidential"] is True
    assert draft.fields["caller_name"] == "孙女士"


def stored_draft(folder: Path) -> dict[str, object]:
    from seat_console.core.drafts import load_draft, slot_for

    db = Database(folder / "hotline.db")
    try:
        draft = load_draft(db, slot_for("8001"))
    finally:
        db.close()
    assert draft is not None, "no draft saved"
    return draft.fields


@pytest.mark.parametrize("move", ["tab", "f5"])
def test_keys_right_after_the_new_call_dialog_land_in_the_form(tmp_path: Path, move: str) -> None:
    """Ctrl+N, the number, Enter and at once the name: nothing is lost in the closing dialog,
    and the focus moves (Tab Tab, or F5 to the first empty field) apply before the next key."""
    console = PtyConsole(tmp_path)
    to_address = [TAB, TAB] if move == "tab" else [F5]
    try:
        console.wait_for("工单 F5")
        with cpu_hogs(2):
            console.type_keys([CTRL_N, *"15800008888", ENTER, "周先生", *to_address,
                               "浑南区", "创新路"], KEY_INTERVAL)
            console.wait_for("草稿已保存")
            console.drain(1.0)
    finally:
        console.close()
    fields = stored_draft(tmp_path)
    assert (fields["caller_name"], fields["caller_phone"], fields["caller_address"]) == (
        "周先生", "15800008888", "浑南区创新路")
