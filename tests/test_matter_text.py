"""{matter}: the 诉求 read back to the caller in a phrase (核实需求信息, the progress phrases)."""

from __future__ import annotations

from seat_console.core.phrases.catalog import fill, matter_text


def test_closing_punctuation_is_left_to_the_phrase() -> None:
    text = fill("您反映的是{matter}。", {"matter": matter_text("楼下烧烤店营业到凌晨,多次沟通无果。")})
    assert text == "您反映的是楼下烧烤店营业到凌晨,多次沟通无果。"  # not 无果。。
    assert "。," not in fill("{matter},此问题…", {"matter": matter_text("多次沟通无果。")})


def test_a_long_matter_is_cut_at_a_clause_and_marked() -> None:
    long = "和平区长白四街21号门前人行道井盖缺失,仅用木板遮挡,夜间存在行人跌落隐患,要求尽快修复。"
    cut = matter_text(long)
    assert cut.endswith("…") and long.startswith(cut[:-1]) and len(cut) <= 41
    assert cut[:-1].endswith("跌落隐患")  # a whole clause, not half of 要求尽快修复
    unbroken = "楼下烧烤店每天营业到凌晨两点噪音和油烟扰民多次沟通无果物业也不管社区也不管我都打了好几次"
    assert matter_text(unbroken).endswith("…") and len(matter_text(unbroken)) == 41


def test_a_summarys_opening_is_not_read_back_as_the_callers_words() -> None:
    assert matter_text("来电人反映:小区门口垃圾站臭味大") == "小区门口垃圾站臭味大"
    assert matter_text("市民称路灯不亮") == "路灯不亮"
