from __future__ import annotations

import pytest

from seat_console.core.masking import mask_address, mask_name, mask_phone, mask_text
from seat_console.core.validation import check_phone


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 19912345678", "19912345678"),
        ("024-12345678", "024-12345678"),
        ("02412345678", "024-12345678"),
        ("010-8765432", "010-8765432"),
        ("0411-87654321-123", "0411-87654321-123"),
        ("024-23456789转801", "024-23456789-801"),
    ],
)
def test_valid_numbers_are_normalised(typed: str, normalized: str) -> None:
    result = check_phone(typed)
    assert result.ok, result.message
    assert result.normalized == normalized


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("", "请填写"),
        ("1381234567", "11位"),
        ("12812345678", "第二位"),
        ("23456789", "区号"),
        ("024-123", "区号-号码"),
        ("138abc45678", "只能包含数字"),
    ],
)
def test_invalid_numbers_are_explained_in_chinese(typed: str, expected_words: str) -> None:
    result = check_phone(typed)
    assert not result.ok
    assert expected_words in result.message


def test_masking() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("024-12345678") == "024-****5678"
    assert mask_address("沈阳市和平区南京街100号") == "沈阳市和平区****"
    assert "13812341234" not in mask_text("回电13812341234找张三丰", "13812341234", "张三丰")
