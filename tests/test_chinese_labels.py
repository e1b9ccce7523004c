"""Agents see Chinese, never internal codes or English: the draft recovery dialog, the 诉求领域
in views and exports (JSON keeps the code, plus its name), Textual's footer key and the command
palette's system commands."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from textual.widgets import Static

from seat_console.core import clock
from seat_console.core.drafts import save_draft, slot_for
from seat_console.core.ticket_view import labelled, masked
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.system_commands import ChinesePalette

from .console_driver import wait_until
from .hostile_screen import screen_text

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
NOISE = "huanjing.zaosheng"
NOISE_NAME = "生态环境/噪声扰民"
ASCII_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
KEY_NAMES = {"Ctrl", "Shift", "Enter", "Esc", "Tab", "SVG"}  # keys and formats, not English


def english(text: str) -> list[str]:
    return [word for word in ASCII_WORD.findall(text) if word not in KEY_NAMES]


def ticket_cli(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(clock.environment())
    return subprocess.run([SEAT_CONSOLE, "ticket", *args], input=stdin, text=True, encoding="utf-8",
                          capture_output=True, cwd=tmp_path, env=env, timeout=60)


async def test_draft_recovery_dialog_shows_chinese_labels_and_values(workspace: Workspace) -> None:
    leaf = workspace.taxonomy.by_code[NOISE]
    assert leaf.label == NOISE_NAME
    save_draft(workspace.db, slot_for(workspace.config.agent.id),
               {"caller_name": "李女士", "caller_phone": "13812345678", "channel": "sms",
                "urgency": "urgent", "request_type": "complaint", "course": "昨晚十点开始",
                "current_state": "仍在施工", "domain": NOISE, "disposition": "transfer",
                "confidential": True, "incident_time": "昨晚", "kb_article_id": "kb-noise-0001"},
               None)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
        await pilot.pause()
        preview = str(app.screen.query_one("#draft-preview", Static).render())
        for line in ("姓名:李女士", "渠道:短信", "紧急程度:紧急", "诉求类型:投诉", "经过:昨晚十点开始",
                     "现状:仍在施工", f"诉求领域:{NOISE_NAME}", "处置方式:转办", "是否保密:是",
                     "事发时间:昨晚", "引用知识库:已引用"):
            assert line in preview.splitlines(), (line, preview)
        assert not ASCII_WORD.search(preview), preview  # no sms, course, huanjing, kb-noise
        assert f"诉求领域:{NOISE_NAME}" in screen_text(app)


async def test_form_defaults_are_not_offered_as_typed(workspace: Workspace) -> None:
    save_draft(workspace.db, slot_for(workspace.config.agent.id),
               {"content": "路灯不亮", "channel": "phone", "urgency": "normal",
                "confidential": False}, None)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
        preview = str(app.screen.query_one("#draft-preview", Static).render())
        assert preview.strip() == "诉求内容:路灯不亮"


def test_views_show_the_domain_by_name_and_json_keeps_the_code(workspace: Workspace) -> None:
    ticket = submit(workspace.db, TicketInput(caller_name="王先生", caller_phone="13611112222",  # type: ignore[call-arg]
                                              request_type="consult", content="夜间施工", domain=NOISE),
                    site_code="210102", agent_id="8001", draft_slot=None)
    data = masked(ticket, workspace.taxonomy)
    assert data["domain"] == NOISE and data["domain_name"] == NOISE_NAME
    assert labelled(data)["domain"] == NOISE_NAME
    assert labelled(masked(ticket), workspace.taxonomy)["domain"] == NOISE_NAME
    assert labelled(masked(ticket))["domain"] == NOISE  # no taxonomy at hand: the code as it is


def test_cli_exports_show_the_domain_name_json_has_code_and_name(tmp_path: Path) -> None:
    added = ticket_cli(["add", "--json"], tmp_path, json.dumps(
        {"phone": "13912345678", "demand": "楼下夜间施工", "request_type": "投诉", "channel": "电话",
         "address": "和平区南京街1号", "domain": NOISE}, ensure_ascii=False))
    assert added.returncode == 0, added.stdout + added.stderr
    stored = json.loads(added.stdout)
    assert stored["domain"] == NOISE and stored["domain_name"] == NOISE_NAME
    listed = json.loads(ticket_cli(["list", "--json"], tmp_path).stdout)
    assert [(t["domain"], t["domain_name"]) for t in listed] == [(NOISE, NOISE_NAME)]
    shown = ticket_cli(["show", stored["number"]], tmp_path)
    assert f"诉求领域:{NOISE_NAME}" in shown.stdout and NOISE not in shown.stdout
    assert ticket_cli(["export", "--format", "csv", "--out", "t.csv"], tmp_path).returncode == 0
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["诉求领域"] == NOISE_NAME
    assert ticket_cli(["export", "--format", "xlsx", "--out", "t.xlsx"], tmp_path).returncode == 0
    sheet = load_workbook(tmp_path / "t.xlsx").active
    headers, first = list(sheet.iter_rows(max_row=2, values_only=True))
    assert dict(zip(headers, first))["诉求领域"] == NOISE_NAME


async def test_footer_palette_and_system_commands_are_chinese(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "命令面板" in footer and "palette" not in footer
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert {"切换主题", "退出", "保存截图", "快捷键帮助"} <= set(titles)
        for command in commands:
            assert english(command.title + " " + command.help) == [], command
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, ChinesePalette))
        await pilot.pause()
        shown = screen_text(app)
        assert "输入命令名称搜索" in shown and "Search" not in shown
        descriptions = [b.description for key_bindings in
                        app.screen._bindings.key_to_bindings.values() for b in key_bindings]
        assert "关闭命令面板" in descriptions
        assert [d for d in descriptions if english(d)] == []
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ChinesePalette))
        next(c for c in commands if c.title == "切换主题").callback()
        await wait_until(pilot, lambda: isinstance(app.screen, ChinesePalette))
        await pilot.pause()
        assert "搜索主题" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ChinesePalette))
        app.action_help_quit()  # what Ctrl+C says (it copies, it does not quit)
        await pilot.pause()
        note = list(app._notifications)[-1]
        assert note.title == "要退出吗?" and "退出座席工作台" in note.message
        assert english(note.title + note.message) == []
