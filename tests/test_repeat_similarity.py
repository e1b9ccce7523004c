"""How a new 诉求 is judged to resemble an open ticket of the same caller (重复来电)."""

from __future__ import annotations

import pytest

from seat_console.core.repeat_calls import resemblance

EARLIER = "小区楼下烧烤店每天营业到凌晨两点,噪音和油烟扰民,多次沟通无果。"


@pytest.mark.parametrize("retold", [
    "烧烤店还是营业到凌晨,油烟很大,上次反映后没人处理",  # the same matter in the caller's words
    "楼下那个烧烤店又整到半夜两点 油烟噪音都受不了",
    # a long spoken retelling sharing the matter's words
    "就我们小区楼下那个烧烤店,每天都整到后半夜,油烟往屋里灌,噪音也大,跟他们说了好几回,"
    "一点用没有,你们上回也说给转了,到现在也没人来管,我这都快一个月了",
])
def test_a_retelling_resembles_the_earlier_ticket(retold: str) -> None:
    assert resemblance(retold, EARLIER)[1]


@pytest.mark.parametrize("other", [
    "小区门口的路灯坏了好几天了",
    "暖气不热,屋里才十六度",
    "上次反映的问题到现在还没人处理",  # no word of the matter: the agent picks the ticket
])
def test_another_matter_does_not(other: str) -> None:
    assert not resemblance(other, EARLIER)[1]
