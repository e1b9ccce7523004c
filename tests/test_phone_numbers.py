"""Phone numbers as switches send them, CRMs export them and agents type them: one stored form,
so that an earlier ticket of the same caller is found whatever the format of either side."""

from __future__ import annotations

import pytest

from seat_console.core.callers import caller_history
from seat_console.core.calls import stored_phone
from seat_console.core.db import Database
from seat_console.core.intake import REQUIRED, from_json
from seat_console.core.repeat_calls import find_for_inquiry, similar_open_tickets
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.validation import check_phone, line_of, same_phone

MOBILE = "13812345678"
LANDLINE = "024-23456789"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # mobiles
        ("+86 138-1234-5678", MOBILE),
        ("0086 13812345678", MOBILE),
        ("86-13812345678", MOBILE),
        ("8613812345678", MOBILE),
        ("(86)13812345678", MOBILE),
        ("(+86) 138 1234 5678", MOBILE),
        ("013812345678", MOBILE),  # the trunk 0 Chinese switches put before a mobile
        ("+86 013812345678", MOBILE),
        ("138 1234 5678/", MOBILE),
        ("138.1234.5678", MOBILE),
        ("138—1234—5678", MOBILE),
        ("13812345678;", MOBILE),  # a CRM export's trailing separator
        ("１３８　１２３４　５６７８", MOBILE),  # full-width digits and ideographic space
        ("＋８６ １３８１２３４５６７８", MOBILE),
        ("tel:+8613812345678", MOBILE),
        ("  13812345678\n", MOBILE),
        # landlines
        ("(024)2345 6789转8001", "024-23456789-8001"),
        ("（024）23456789", LANDLINE),
        ("024-23456789-8001", "024-23456789-8001"),
        ("02423456789-8001", "024-23456789-8001"),
        ("024 2345 6789 ext. 8001", "024-23456789-8001"),
        ("024-23456789 EXT8001", "024-23456789-8001"),
        ("024-23456789x8001", "024-23456789-8001"),
        ("024-23456789#8001", "024-23456789-8001"),
        ("024-23456789分机8001", "024-23456789-8001"),
        ("０２４－２３４５６７８９", LANDLINE),
        ("024-2345-6789", LANDLINE),
        ("02423456789", LANDLINE),  # 02X: 3-digit area code
        ("01087654321", "010-87654321"),  # 010: 3-digit area code
        ("041187654321", "0411-87654321"),  # everything else: 4 digits
        ("07558888999", "0755-8888999"),
        ("0242-3456789", LANDLINE),  # a dash in the wrong place does not move the area code
        ("+86 24 2345 6789", LANDLINE),  # international form: the area code without its 0
        ("+86 10 8765 4321", "010-87654321"),
        ("+86 (0)24 2345 6789", LANDLINE),
        ("0086-024-23456789", LANDLINE),
    ],
)
def test_real_world_formats_are_normalised(typed: str, stored: str) -> None:
    result = check_phone(typed)
    assert result.ok, result.message
    assert result.normalized == stored
    assert check_phone(result.normalized).normalized == stored  # idempotent on stored data


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("", "请填写"),
        (" / ", "请填写"),
        ("138 1234 567", "11位"),
        ("+86 138 1234 567", "11位"),
        ("138123456789", "11位"),
        ("12812345678", "第二位"),
        ("23456789", "区号"),  # no area code: no callback possible
        ("2345 6789转8001", "区号"),
        ("024-123", "区号-号码"),
        ("024-234567890", "区号-号码"),
        ("0111234567", "区号-号码"),
        ("138abc45678", "只能包含数字"),
        ("电话13812345678", "只能包含数字"),
        ("138١٢٣٤٥٦٧٨", "只能包含数字"),  # Arabic-Indic digits are no digits here
        ("13812345678\x00", "只能包含数字"),
        ("13812345678转8001", "没有分机号"),
        ("13812345678-8001", "没有分机号"),
        ("024-23456789转", "分机号"),
        ("024-23456789转1234567", "分机号"),
        ("+852 2345 6789", "中国大陆"),
        ("001 212 555 0100", "中国大陆"),
        ("400-123-4567", "400/800"),
        ("800 810 8888", "400/800"),
        ("13812345678/13912345678", "一个号码"),
        ("13812345678、024-23456789", "一个号码"),
    ],
)
def test_bad_numbers_are_refused_in_chinese(typed: str, expected_words: str) -> None:
    result = check_phone(typed)
    assert not result.ok and result.normalized == ""
    assert expected_words in result.message


def test_formats_of_one_number_match_and_an_extension_is_the_same_line() -> None:
    assert same_phone("+86 138-1234-5678", "013812345678")
    assert same_phone("(024)2345 6789转8001", "024-23456789")
    assert not same_phone("024-23456789", "0411-23456789")
    assert not same_phone(MOBILE, "13812345679")
    assert check_phone("024-23456789转8001").line == LANDLINE
    assert line_of(MOBILE) == MOBILE
    assert stored_phone("+86 138 1234 5678") == MOBILE
    assert stored_phone("匿名") == "匿名"  # a withheld number is recorded as received


def test_a_long_written_form_is_checked_by_the_length_it_is_stored_with(db: Database) -> None:
    form = TicketInput(caller_name="王先生", caller_phone="tel:+86 (0411) 8765-4321 转 8001 ",
                       request_type="consult", content="咨询公积金提取")
    ticket = submit(db, form, site_code="210102", agent_id="8001", draft_slot=None)
    assert ticket.caller_phone == "0411-87654321-8001"


def a_ticket(db: Database, phone: str, content: str = "楼上装修噪音,晚上十点还在施工") -> str:
    form = TicketInput(caller_name="张女士", caller_phone=phone, caller_address="和平区南京街1号",
                       request_type="complaint", content=content)
    return submit(db, form, site_code="210102", agent_id="8001", draft_slot=None).number


def test_a_ticket_stored_from_one_format_is_caller_history_of_another(db: Database) -> None:
    mobile = a_ticket(db, "+86 138-1234-5678")
    landline = a_ticket(db, "(024)2345 6789转8001", "小区路灯不亮")
    other_extension = a_ticket(db, "024-23456789-8002", "小区路灯还是不亮")
    a_ticket(db, "024-23456788", "另一个号码的诉求")  # a neighbouring number stays apart
    a_ticket(db, "0411-23456789", "另一个区号的诉求")

    for incoming in ("013812345678", "0086 13812345678", "１３８ １２３４ ５６７８", "tel:+8613812345678"):
        history = caller_history(db, incoming)
        assert [t.number for t in history.tickets] == [mobile], incoming
        assert history.phone == MOBILE and history.name == "张女士" and history.call_count == 1

    for incoming in ("02423456789", "024-23456789", "０２４－２３４５６７８９", "+86 24 2345 6789"):
        history = caller_history(db, incoming)
        assert {t.number for t in history.tickets} == {landline, other_extension}, incoming
        assert history.name == "张女士"  # the caller record of an extension of the line
    assert {t.number for t in caller_history(db, "024-23456789转8003").tickets} == {
        landline, other_extension}


def test_repeat_detection_and_status_inquiry_normalise_the_number(db: Database) -> None:
    a_ticket(db, "024-23456789转8001")
    similar = similar_open_tickets(db, "(024) 2345-6789", "", "楼上装修噪音,晚上十点还在施工吵")
    assert [s.same for s in similar] == ["号码"]
    assert [t.caller_phone for t in find_for_inquiry(db, "02423456789")] == ["024-23456789-8001"]


def test_ticket_add_json_stores_the_normalised_number(db: Database) -> None:
    form, _ = from_json({"phone": "0086 138 1234 5678", "demand": "咨询社保卡办理",
                         "request_type": "consult", "channel": "web"}, None)
    number = submit(db, form, site_code="210102", agent_id="8001", draft_slot=None,
                    required=REQUIRED).number
    assert [t.number for t in caller_history(db, "013812345678").tickets] == [number]
