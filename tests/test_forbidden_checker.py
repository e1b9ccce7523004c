"""The forbidden-phrase checker: disguised forms caught, look-alikes left alone, offsets exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.forbidden import ForbiddenChecker, load_forbidden

CHECKER = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
RULES = load_forbidden(SHIPPED_SCRIPTS_PHRASES)
PHRASES = [p.phrase for p in RULES.phrases]


def found(text: str) -> list[tuple[str, str]]:
    return [(h.phrase, h.matched) for h in CHECKER.check(text)]


def test_the_twelve_phrases_of_the_8890_spec_are_loaded() -> None:
    assert PHRASES == ["不行", "不知道", "不能办", "解决不了", "等一会儿", "着急也没有用",
                       "爱找谁找谁", "有意见你告我去", "怎么还不明白", "这就是规定",
                       "这就是最终办理结果", "我说话你听不懂么"]
    assert all(p.suggestion for p in RULES.phrases)


@pytest.mark.parametrize(("text", "phrase", "matched"), [
    ("这个我真不知道。", "不知道", "不知道"),
    ("不 知 道", "不知道", "不 知 道"),
    ("不，行", "不行", "不，行"),
    ("愛找誰找誰", "爱找谁找谁", "愛找誰找誰"),
    ("我说话你听不懂吗?", "我说话你听不懂么", "我说话你听不懂吗"),
    ("我說話你聽不懂麼", "我说话你听不懂么", "我說話你聽不懂麼"),
    ("这就是ｂ规定", None, None),
    ("这就是　规定!", "这就是规定", "这就是　规定"),
    ("您先等一会，我查查", "等一会儿", "等一会"),
    ("有意见你去告我", "有意见你告我去", "有意见你去告我"),
    ("不\u200b能\u200b办", "不能办", "不\u200b能\u200b办"),
    ("這就是最終辦理結果", "这就是最终办理结果", "這就是最終辦理結果"),
])
def test_disguised_forms_are_caught_with_original_offsets(text: str, phrase, matched) -> None:  # type: ignore[no-untyped-def]
    hits = CHECKER.check(text)
    if phrase is None:
        assert hits == []
        return
    assert [(h.phrase, h.matched) for h in hits] == [(phrase, matched)]
    assert text[hits[0].start:hits[0].end] == matched


@pytest.mark.parametrize("text", [
    "车辆不行驶时请熄火", "公民不行使该权利也不影响办理", "您看这样安排行不行?",
    "如果不行的话,您也可以到窗口办理", "不知道您现在方便接听电话吗", "如果您不知道具体门牌号,说个大概位置也可以",
    "来电人称窗口人员说“这个不能办”", "市民表示：「爱找谁找谁」是物业原话", "请您耐心等候,我马上为您查询",
    "根据相关规定,需要提供身份证原件", "这是部门目前的办理结果", "您知不知道具体的楼号?",
])
def test_look_alikes_and_quoted_words_are_not_offences(text: str) -> None:
    assert found(text) == []


def test_every_occurrence_is_reported_in_order() -> None:
    text = "不知道,不行,这就是规定,真不知道"
    assert [h.phrase for h in CHECKER.check(text)] == ["不知道", "不行", "这就是规定", "不知道"]


SEPARATORS = st.text(alphabet=" \u3000\t,，。、!！?？·…—-_()（）【】“”\u200b", max_size=3)
TRADITIONAL = {"爱": "愛", "谁": "誰", "说": "說", "话": "話", "听": "聽", "么": "麼", "这": "這",
               "规": "規", "终": "終", "办": "辦", "结": "結", "还": "還", "会": "會", "儿": "兒",
               "见": "見", "决": "決", "没": "沒", "着": "著", "对": "對", "急": "急"}
FILLER = st.text(alphabet="的一是在了有和人我们市民反映小区供暖水电气路灯物业公司0123abc", max_size=12)


CLAUSE_SPLITS = {("等一会儿", 0), ("不知道", 0), ("不能办", 0), ("怎么还不明白", 2)}


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """A forbidden phrase with separators, Traditional forms and full-width in between."""
    phrase = draw(st.sampled_from(PHRASES))
    chars = []
    for index, char in enumerate(phrase):
        if char in TRADITIONAL and draw(st.booleans()):
            char = TRADITIONAL[char]
        separator = draw(SEPARATORS)
        if (phrase, index) in CLAUSE_SPLITS:
            # 等，一会儿 is "etc., in a moment", 不，知道的 "no, I know", 怎么还，不明白的 "how to
            # repay; whoever does not understand": a clause break there is no disguise
            separator = separator.lstrip("，。,；;！!？?、")
        chars.append(char + separator)
    return phrase, "".join(chars).rstrip()


@settings(max_examples=400, deadline=None)
@given(before=FILLER, item=disguised(), after=FILLER)
def test_offsets_always_map_back(before: str, item: tuple[str, str], after: str) -> None:
    phrase, written = item
    text = before + "。" + written + "。" + after
    hits = CHECKER.check(text)
    for hit in hits:
        assert text[hit.start:hit.end] == hit.matched
    assert phrase in [h.phrase for h in hits]
    assert any(h.start >= len(before) + 1 and h.end <= len(before) + 1 + len(written) for h in hits)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_consistent_hits(text: str) -> None:
    for hit in CHECKER.check(text):
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.matched


@pytest.mark.parametrize(("text", "expected"), [
    # a transcript: the caller's turns are the caller's words, the agent's turns count
    ("来电人：我着急也没有用啊，打供暖公司电话没人接。坐席：我给您派单。", []),
    ("坐席：您好8890请讲 来电人：那个女的说爱找谁找谁，扭头就走了。坐席：非常抱歉。", []),
    ("来电人：暖气不热。坐席：您现在着急也没有用，流程就是这样的。", ["着急也没有用"]),
    ("来电人：我也不知道单号。\n坐席：这个我也不知道，您去问社区吧。", ["不知道"]),
    ("市民称：邻居不管。坐席答复：不行。", ["不行"]),  # 坐席答复 is no speaker label: counted
    # 得不行 is "extremely"; 不行 on its own is a refusal
    ("这几天热得不行，您家老人出门注意防暑。", []),
    ("我理解您急得不行，我这就给您加急派单。", []),
    ("这个真不行。", ["不行"]),
    # 相等 + 一会儿; 再等一会儿 is putting the caller off
    ("两个户型面积相等一会儿我把测绘数据发到您手机上", []),
    ("您再等一会儿吧。", ["等一会儿"]),
    # the agent's side denied as the subject; the caller alone
    ("您这人怎么还不明白，不是我们不给办，是您不符合条件。", ["怎么还不明白"]),
    ("您一个人解决不了没关系，我们来帮您协调。", []),
    ("这个问题我们解决不了。", ["解决不了"]),
    # an embedded question (不知道…吗？) is asking, not the agent's ignorance
    ("不知道我这样解释清楚了吗？有不明白的您随时问我。", []),
    ("不知道您还记不记得，上个月您反映过一次。", []),
    ("我不知道，您问别人吧？", ["不知道"]),
    # variants said as themselves
    ("爱找谁就找谁去，反正我们不管。", ["爱找谁找谁"]),
    ("有意见您告我去，我不怕投诉。", ["有意见你告我去"]),
    ("您怎么到现在还不明白，不是我们管的。", ["怎么还不明白"]),
    ("我说话你是听不懂么？要原件！", ["我说话你听不懂么"]),
    # the agent quoting their own words counts; someone else quoted does not
    ("回访记录：本坐席答复“有意见你告我去”，来电人要求投诉。", ["有意见你告我去"]),
    ("我刚才就跟您说了“这就是规定”，您还要我说几遍？", ["这就是规定"]),
    ("您说上一位坐席跟您讲“有意见你告我去”，非常抱歉。", []),
    ("来电人称窗口人员说“这个不能办”", []),
    # a note naming the agent before the quotation, the person spoken to and a time between
    ("质检意见：坐席在通话第3分钟对来电人说“爱找谁找谁”，扣分。", ["爱找谁找谁"]),
    ("投诉核查：该坐席答复市民“我不知道”“这就是规定”，属实。", ["不知道", "这就是规定"]),
    ("质检记录：通话中坐席说“等一会儿再说”，并称“着急也没用”。", ["等一会儿", "着急也没有用"]),
    ("培训要求：坐席不得使用“不知道”“解决不了”等服务禁语。", []),  # a rule, not what was said
    ("质检意见：本月坐席均未使用“不行”等禁语。", []),
    ("质检意见：坐席转述物业说“解决不了”，已如实记录。", []),  # a third party's words
    ("回访记录：来电人称上次通话中坐席说“不知道”，已致歉。", []),  # the caller's report
    ("回访记录：本人告知不知道，来电人不满。", ["不知道"]),  # not 知不知道
    ("你爱找shei找shei吧", ["爱找谁找谁"]),  # 谁 typed in its other reading, both times
    # the agent's quotation reads nothing before it: who the note names there does not matter
    ("回访质检：回访员在市民表示不满后称“我说的话你听不懂么”，需约谈。", ["我说话你听不懂么"]),
    ("带教反馈：你刚才那通电话里跟大爷说“着急也没有用”，下回注意。", ["着急也没有用"]),
    ("坐席：您说快递站的人说“爱找谁找谁”，我们帮您转邮政管理局。", []),  # the caller's account
    ("请您稍等一会儿，我马上查。", []),  # a polite hold
    ("质检提示：以下说法属于禁语：爱找谁找谁、怎么还不明白。", []),  # a list, not speech
    ("规范用语对照：× 这就是规定 → √ 根据相关规定……", []),
    ("大姐，我不会跟您说不知道，这个问题我现在就帮您查。", []),
    ("办理情况：承办单位回复：这就是最终办理结果。坐席已转达。", []),  # the department's reply
    # quality sheets and exports
    ("扣分原因：态度生硬。原话摘录：坐席“我都说了三遍了，你怎么还不明白”。", ["怎么还不明白"]),
    ("原话摘录：“这个不行，我也不知道找谁。”", ["不行", "不知道"]),
    ("来电人原话：“你们就会说不行，什么都解决不了！”", []),  # the caller's words
    ("质检结论：本通录音未发现服务禁语（不行、不知道、爱找谁找谁等），得分100", []),
    ("培训材料：服务禁语十二条：不行、不知道、不能办、解决不了……", []),
    ("办理过程：14:10 区医保局回复：线上系统暂时解决不了，请到窗口办理。", []),
    ("【12345】承办单位答复：该问题目前解决不了，已纳入明年计划。", []),
    ("退单理由：该诉求不属于我局职责，我单位不能办理。", []),
    ("市民短信：你们就是解决不了问题，爱找谁找谁吧", []),
    ("通道1：您好 12345 请讲\n通道2：上次那个接线员跟我说有意见你告我去\n通道1：非常抱歉", []),
    ("[00:00:50][坐席] 这个 这个我不知不知道啊 您问问社区", ["不知道"]),  # a stutter
    # the center is the agent's side; a Traditional third party is a third party
    ("【8890】您的工单我中心解决不了，请自行联系法院。", ["解决不了"]),
    ("他們說不知道，我幫您查了一下，是在區醫保局辦理。", []),
    ("这两个方案哪个行哪个不行，我都给您列出来。", []),
    ("您放心，没有解决不了的，只是需要时间协调。", []),
    ("不知道我这么解释清不清楚，您有不明白的地方随时问我。", []),
    ("您母亲一着急也没有用老年卡，直接付了现金。", []),
    # CJK compatibility ideographs, also those outside the BMP (U+2F8D4 is 最)
    ("这就是\U0002f8d4终办\uf9e4结果，改不了。", ["这就是最终办理结果"]),
    # radical forms that are whole characters, Latin in either case, IME slips
    ("有意⻅你去告我，随便。", ["有意见你告我去"]),
    ("ＢＵ行，您自己去办。", ["不行"]), ("Bu行，没有材料。", ["不行"]),
    ("这个我也不知到，您问街道。", ["不知道"]), ("这事我们解绝不了。", ["解决不了"]),
    # the agent's own center or unit is not a third party, whoever's words come before
    ("答复：该事项本中心解决不了，也不知道归哪个部门管。", ["解决不了", "不知道"]),
    ("物业表示不修，我中心也解决不了，请走司法途径。", ["解决不了"]),
    ("街道办回复称本单位解决不了，已申请改派。", []),
    # a remark's label, then a third party's account; a body named by its last character
    ("处理情况：承办单位称不在辖区内，不能办，已退回。", []),
    ("办理结果：环卫所答复称车辆检修中，周末的清运问题也解决不了。", []),
    # 也不行 after a condition is a refusal; 您说破天 is no account of the caller's
    ("没有房本也不行，必须本人来。", ["不行"]),
    ("您说破天也不行，政策就这样。", ["不行"]),
    # not knowing is fine; a means that solves nothing; a process that settles
    ("密码不知道也没关系，带身份证去重置就行。", []),
    ("光生气解决不了问题，我先帮您登记。", []), ("拖着其实解决不了根本问题。", []),
    ("这个问题我们解决不了问题。", ["解决不了"]),
    ("开闸放水等一会儿就清了。", []), ("您等一会儿就清楚了。", ["等一会儿"]),
    # 这就是规定允许的… is "what the rules allow"
    ("这就是规定允许的范围，您放心。", []),
    # turn labels of many styles; anonymous ones read by who opens as an agent does
    ("[坐席] 您好，8890。 [市民] 我不知道有通知。 [坐席] 贴在门口了。", []),
    ("工号3301：您好。\n来电人：我也不知道咋弄。\n工号3301：不行，自己查去。", ["不行"]),
    ("说话人1（坐席）：您好8890 说话人2（市民）：报停了我咋不知道", []),
    ("A：您好，8890，工号2031。\nB：不行我就重考。\nA：能换的。", []),
    ("A：喂，12345吗？\nB：您好，12345热线，请讲。\nA：我不知道咋办。\nB：等会儿，我忙。",
     ["等一会儿"]),
    # no one opens as an agent: no side is known, the text is judged as if unlabelled
    ("A：我不知道工单号。\nB：那不行。", ["不知道", "不行"]),
    # a character or two typed as pinyin
    ("这个我也不zhi道，您问街道吧", ["不知道"]), ("解决buliao，你去法院吧", ["解决不了"]),
    ("zhe就是规定，别较劲", ["这就是规定"]), ("我说话你听不dong么", ["我说话你听不懂么"]),
    # questions, the caller's side, someone's words
    ("不知道您听清楚没有，我再说一遍。", []), ("不知道您说的是东门还是西门", []),
    ("催办：不知道贵单位何时答复？", []), ("您这情况能办不能办，我查完告诉您。", []),
    ("他原话是说这就是最终办理结果，是吧", []),
    ("来电人反映，其父养老金停发，本人不知道原因。", []),
    ("您是外地来的，不知道这边的政策很正常。", []), ("我们不知道也很正常。", ["不知道"]),
    ("供水公司今日解决不了，预计明日修复。", []),
    # ASR exports write turn labels bare between spaces; a label needs the space before it
    ("坐席 您好8890 来电人 那我等一会儿再打 坐席 好的", []),
    ("来电人 暖气不热 坐席 着急也没有用 等着吧", ["着急也没有用"]),
    ("我是坐席 不知道", ["不知道"]), ("坐席 这个不能办 来电人 为什么", ["不能办"]),
    # a third party as the clause's subject, the phrase further on; the agent's side is no third party
    ("街道办那边手续不全不能办，您再等等通知。", []), ("区税务局这个月解决不了，已督办。", []),
    ("抢修队今天解决不了，明早再来。", []), ("物业费退费不能办。", ["不能办"]),
    ("我们这边权限不够不能办。", ["不能办"]),
    ("维修站的师傅说那个型号的表他们手里没有配件所以暂时解决不了", []),
    # 不X就不行 is a refusal, 非X不行 a must; 不能办 is no body ending in 办
    ("户口不在本地就不行。", ["不行"]), ("非本人到场不行。", []),
    ("这个补贴不能办你来几次都不能办", ["不能办", "不能办"]),
    # a sentence that opens with a third party as its subject; not a turn label or an addressee
    ("您闺女在外地读书，不知道家里报停的事，我理解。", []),
    ("隔壁那家常年不在，根本不知道楼道堆了东西。", []),
    ("您闺女的事，我们不知道。", ["不知道"]), ("客服：不知道，您自己查。", ["不知道"]),
    ("答复来电人：不知道，请自行咨询。", ["不知道"]),
    # a department's reply told to the end, its 本单位 its own
    ("承办单位回复：该路段产权不清，本单位解决不了，已报区政府。", []),
    ("热力公司回复：请您等一会儿，师傅已经出发。", []),
    # a department's reply in a remark: its 我 is the department
    ("承办单位回复：经核实，设备老化，我单位暂时解决不了，已上报。", []),
    ("承办单位回复：不符合条件，这就是最终办理结果，如有异议可申请复核。", []),
    ("承办单位回复：已处理。坐席答复：这就是最终办理结果。", ["这就是最终办理结果"]),
    # a turn label is no third party; doubled refusals; 没X就是不行; a process that takes a while
    ("【市民】能派人找找吗？【客服】这不能办，您弄清楚再打。", ["不能办"]),
    ("我们解决不了解决不了，您别打了", ["解决不了", "解决不了"]),
    ("解决不了解决得了我得先问问", []), ("不行，没有房本就是不行。", ["不行", "不行"]),
    ("材料齐了的话，系统审核大概要等一会儿，留意短信就行。", []),
    # a quality note: 来电人 is whom the agent spoke to, not who spoke
    ("质检员备注：坐席对来电人说这就是规定，语气生硬。", ["这就是规定"]),
    ("有意见您去告我吧，我按流程走的。", ["有意见你告我去"]),
    ("开发商给的答复是有意见你告我去，我们已反映给住建局。", []),
    ("您别着急，也没有用太长时间，三天就联系您。", []), ("前面还有三个号，大概等一会儿就叫到您了。", []),
    ("坐公交不行您就打车去。", []), ("这个加急我们不能办的然后您再等等", ["不能办"]),
])
def test_context_rules_judge_the_words_around_the_phrase(text: str, expected: list[str]) -> None:
    assert [h.phrase for h in CHECKER.check(text)] == expected


def test_a_hit_far_past_its_speaker_label_is_in_no_turn() -> None:
    far = "来电人：" + "材料带齐了。" * 120 + "不知道"
    assert [h.phrase for h in CHECKER.check(far)] == ["不知道"]


def test_a_speaker_label_pattern_without_its_group_names_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from seat_console.core.errors import DataFileError

    source = (SHIPPED_SCRIPTS_PHRASES / "forbidden.yaml").read_text(encoding="utf-8")
    broken = source.replace("(?P<label>", "(?:", 1)
    assert broken != source
    (tmp_path / "forbidden.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_forbidden(tmp_path)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if text.startswith("speaker_label"))
    assert raised.value.line == line and "(?P<label>" in raised.value.message


def test_anonymous_speakers_need_all_three_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from seat_console.core.errors import DataFileError

    folder = tmp_path / "scripts_phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, folder)
    path = folder / "forbidden.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[:text.index("anonymous_as:")].count("\n") + 1
    path.write_text(text.replace("anonymous_as:", "anonymous_like:"), encoding="utf-8")
    with pytest.raises(DataFileError, match="anonymous_as") as error:
        ForbiddenChecker.from_folder(folder)
    assert error.value.path == path and error.value.line < line


def test_a_bad_own_quote_pattern_names_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from seat_console.core.errors import DataFileError

    source = (SHIPPED_SCRIPTS_PHRASES / "forbidden.yaml").read_text(encoding="utf-8")
    broken = source.replace("own_quote: '(?:", "own_quote: '(?:(", 1)
    assert broken != source
    (tmp_path / "forbidden.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_forbidden(tmp_path)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if text.startswith("own_quote"))
    assert raised.value.line == line and "bad regular expression" in raised.value.message
