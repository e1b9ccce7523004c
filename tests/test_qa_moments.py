"""Transcript QA moment by moment (8890规范 六): each required moment present and missing, real
speech that paraphrases the script, the conditional moments the caller's words call for, and the
findings (moment, status, rule, points, agent turn)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.errors import DataFileError
from seat_console.core.phrases.forbidden import ForbiddenChecker
from seat_console.core.phrases.qa_rules import load_qa_rules
from seat_console.core.phrases.transcript_qa import QaReport, TranscriptQa, parse_transcript

RULES = load_qa_rules(SHIPPED_SCRIPTS_PHRASES)
CHECKER = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
QA = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES)  # the real scope detector

# A handed-on complaint in which every required moment is present, one (moment, agent line,
# caller reply) a step: dropping a step drops the moment.
STEPS = [
    ("opening", "您好，这里是8890政务便民服务平台，很高兴为您服务。请问有什么可以帮您？",
     "我们小区门口的路灯坏了一个星期了，晚上黑乎乎的。"),
    ("ask_name", "女士您好，请问您怎么称呼？", "我姓林。"),
    ("confirm_matter", "林女士，您的问题已经记录，现向您再核实一下，您反映的是您小区门口路灯损坏一周"
     "未修复，希望相关部门尽快修复，对吗？", "对。"),
    ("verify_phone", "林女士，和您确认一下，您的有效联系方式是您现在来电的这个号码吗？", "是的。"),
    ("state_process", "您反映的问题稍后会转到相关部门处理，请您耐心等待办理部门的回复。", "好。"),
    ("anything_else", "林女士，请问您还有其他需要帮助的吗？", "没有了。"),
    ("closing", "感谢您的来电，有需要欢迎您随时拨打8890热线。我的工号是8001，请稍后对我的服务进行"
     "评价，祝您生活愉快，再见。", ""),
]
REQUIRED = [step[0] for step in STEPS]


def transcript(*, drop: str | None = None, replace: dict[str, str] | None = None,
               insert: dict[str, list[str]] | None = None) -> str:
    """The call of STEPS: without one moment, with other agent lines, or with extra turns
    ("坐席：…"/"来电人：…") inserted before a moment."""
    lines = []
    for moment, agent, caller in STEPS:
        lines += (insert or {}).get(moment, [])
        if moment == drop:
            continue
        lines.append("坐席：" + (replace or {}).get(moment, agent))
        if caller:
            lines.append("来电人：" + caller)
    return "\n".join(lines) + "\n"


def evaluate(content: str, qa: TranscriptQa = QA) -> QaReport:
    return qa.evaluate(parse_transcript("t.txt", content, RULES))


def finding(report: QaReport, moment: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.findings if f.moment == moment)


def test_the_full_call_has_every_moment_and_scores_full_marks() -> None:
    report = evaluate(transcript())
    assert report.score == 100 and report.passed and report.deductions == []
    assert {m: report.phases[m] for m in REQUIRED} == {m: True for m in REQUIRED}
    assert report.phases["agent_id_request"] is None  # no conditional moment was triggered
    assert [f.agent_turn for f in report.findings] == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("moment", REQUIRED)
def test_each_required_moment_missing_costs_its_points_and_names_its_rule(moment: str) -> None:
    report = evaluate(transcript(drop=moment))
    rule = next(m for m in RULES.required if m.id == moment)
    assert report.phases[moment] is False
    assert report.score == 100 - rule.points
    found = finding(report, moment)
    assert (found.status, found.points_lost, found.rule, found.line) == \
        ("missing", rule.points, rule.rule, None)
    assert found.rule.startswith("8890规范 六(")
    assert [d.points for d in report.deductions] == [rule.points]


def test_finding_says_which_agent_turn_and_line_a_moment_was_found_in() -> None:
    report = evaluate("# 注释\n\n" + transcript())
    confirm = finding(report, "confirm_matter")
    assert (confirm.status, confirm.agent_turn, confirm.line) == ("present", 3, 7)
    assert confirm.as_json()["points_lost"] == 0


def test_a_consultation_answered_on_the_spot_needs_no_callback_number_or_process() -> None:
    content = transcript(drop="verify_phone", replace={
        "confirm_matter": "林女士，您是想咨询路灯归哪个部门管理，对吗？",
        "state_process": "城市道路照明由区城市管理部门负责维护，您也可以在政务APP上报修。"})
    report = evaluate(content)
    assert report.score == 100
    assert report.phases["verify_phone"] is None and report.phases["state_process"] is None
    assert finding(report, "verify_phone").status == "not_required"


def test_the_caller_giving_the_name_unasked_waives_asking_it() -> None:
    content = transcript(drop="ask_name").replace(
        "来电人：我们小区门口", "来电人：你好，我姓林，我们小区门口")
    report = evaluate(content)
    assert report.score == 100 and report.phases["ask_name"] is None
    assert finding(report, "ask_name").status == "waived"


# -- real speech ---------------------------------------------------------------------------------
PARAPHRASES = [
    ("opening", "您好，8890便民服务平台，很高兴为您服务。"),
    ("opening", "你好，这里是８８９０，请问有什么可以帮您？"),
    ("opening", "您好，這裡是8890政務便民服務平台，很高興為您服務。"),
    ("opening", "您好 , 12345 政务服务便民热线 , 很高兴为您服务"),
    ("ask_name", "请问您贵姓？"),
    ("ask_name", "女士，您怎么称呼？"),
    ("ask_name", "請問您怎麼稱呼？"),
    ("confirm_matter", "我跟您复述一下，小区门口路灯坏了一周没人修，希望相关部门尽快修复，对吧？"),
    ("confirm_matter", "林女士，和您核实一下，您要反映的是小区门口路灯坏了，希望相关部门尽快修复。"),
    ("verify_phone", "回访就打您现在这个号码可以吗？"),
    ("verify_phone", "方便留个电话吗？后续部门回访用。"),
    ("state_process", "这个我给您转交区城市管理局处理，后续会有工作人员联系您。"),
    ("state_process", "稍后会转到区城管局，请您耐心等待回复。"),
    ("anything_else", "您还有别的需要吗？"),
    ("anything_else", "请问还有什么可以帮您的吗？"),
    ("anything_else", "還有其他需要幫助的嗎？"),
    ("closing", "谢谢您的来电，我是8001号话务员，祝您生活愉快，再见。"),
    ("closing", "感谢您来电，我的工号8001，再见。"),
]


@pytest.mark.parametrize(("moment", "said"), PARAPHRASES,
                         ids=[f"{m}-{i}" for i, (m, _) in enumerate(PARAPHRASES)])
def test_paraphrases_of_the_script_count(moment: str, said: str) -> None:
    report = evaluate(transcript(replace={moment: said}))
    assert report.phases[moment] is True, report.deductions
    assert report.score == 100


NEAR_MISSES = [
    ("opening", "喂，8890，说吧。"),
    ("ask_name", "好的，那您说吧。"),
    ("confirm_matter", "好的，这些情况我都记下了，希望相关部门尽快处理。"),
    ("verify_phone", "好的，我记下了，希望相关部门尽快修好。"),
    ("anything_else", "您还有别的问题吗？"),  # 06: the 需要/帮助 of the script is missing
    ("closing", "好的，感谢您的来电，再见。"),  # no 工号
]


@pytest.mark.parametrize(("moment", "said"), NEAR_MISSES, ids=[m for m, _ in NEAR_MISSES])
def test_near_misses_do_not_count(moment: str, said: str) -> None:
    # the caller does not say the name either (that would waive asking it)
    report = evaluate(transcript(replace={moment: said}).replace("来电人：我姓林。", "来电人：嗯。"))
    assert report.phases[moment] is False


# -- conditional moments: the caller asks the agent's name or 工号 --------------------------------
ASK_NAME = ["来电人：姑娘，你叫什么名字？我记一下。"]


def test_agent_id_request_answered_with_the_agent_id_script() -> None:
    content = transcript(insert={"verify_phone": [
        *ASK_NAME, "坐席：林女士，8890平台有制度规定，工作期间只允许使用工号。希望您能支持和理解！",
        "来电人：行。"]})
    report = evaluate(content)
    assert report.score == 100 and report.phases["agent_id_request"] is True
    found = finding(report, "agent_id_request")
    assert (found.status, found.trigger_line, found.line) == ("present", 7, 8)


def test_agent_id_request_answered_with_a_personal_name_loses_points() -> None:
    content = transcript(insert={"verify_phone": [
        *ASK_NAME, "坐席：我姓王，您叫我小王就行。", "来电人：好的小王。"]})
    report = evaluate(content)
    assert report.score == 90 and report.phases["agent_id_request"] is False
    found = finding(report, "agent_id_request")
    assert (found.status, found.points_lost, found.line, found.agent_turn) == \
        ("violated", 10, 8, 4)
    assert "报出个人姓名" in found.detail and found.rule.startswith("8890规范 六(五)4")


def test_agent_id_request_ignored_loses_points_but_a_closing_with_the_agent_id_answers() -> None:
    ignored = evaluate(transcript(insert={"verify_phone": ["来电人：你工号多少？"]}))
    assert ignored.phases["agent_id_request"] is False and ignored.score == 90
    answered = evaluate(transcript(insert={"anything_else": ["来电人：你工号多少？"]}))
    assert answered.phases["agent_id_request"] is True and answered.score == 100


# -- the caller asks how long, or complains about the agent ---------------------------------------
@pytest.mark.parametrize(("answer", "present"), [
    ("一般5个工作日内会有工作人员联系您。", True),
    ("此类问题的办理时限是3个工作日。", True),
    ("这个不好说，看部门安排吧。", False),
])
def test_time_limit_when_the_caller_asks_how_long(answer: str, present: bool) -> None:
    content = transcript(insert={"anything_else": ["来电人：那大概多长时间能修好？", "坐席：" + answer]})
    report = evaluate(content)
    assert report.phases["time_limit"] is present
    assert report.score == (100 if present else 95)


@pytest.mark.parametrize(("answer", "present"), [
    ("非常抱歉我的服务没有令您满意。我们有专人负责处理此种情况，稍后会有工作人员与您联系。", True),
    ("很抱歉没让您满意，我这边记下来了，会有专人跟您联系。", True),
    ("那您投诉吧。", False),
])
def test_complaint_about_the_agent(answer: str, present: bool) -> None:
    content = transcript(insert={"anything_else": ["来电人：你这什么态度？我要投诉你！", "坐席：" + answer]})
    report = evaluate(content)
    assert report.phases["agent_complaint"] is present
    assert report.score == (100 if present else 90)


# -- out of scope and emergencies (the scope detector on the caller's turns) ----------------------
@dataclass(frozen=True)
class _Scope:
    category: str
    label: str


@dataclass(frozen=True)
class _Emergency:
    services: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class _Verdict:
    scope: _Scope | None = None
    emergency: _Emergency | None = None

    def __bool__(self) -> bool:
        return self.scope is not None or self.emergency is not None


class StubDetector:
    """Answers like ScopeDetector.detect() for caller turns containing a marker word."""

    def __init__(self, **verdicts: _Verdict) -> None:
        self.verdicts = verdicts

    def detect(self, text: str) -> _Verdict:
        return next((v for marker, v in self.verdicts.items() if marker in text), _Verdict())


DEBT = "来电人：我借给朋友三万块钱，他一直借钱不还，你们能帮我要回来吗？"
OUT_OF_SCOPE_CALL = "\n".join([
    "坐席：" + STEPS[0][1], DEBT, "坐席：先生您好，请问您怎么称呼？", "来电人：姓邹。", "坐席：{answer}"])


@pytest.mark.parametrize(("answer", "status", "score"), [
    ("邹先生，您的问题已经记录。这类借款属于民事纠纷，建议您通过人民调解或向人民法院起诉解决。"
     "如果您有其他需要欢迎您随时拨打8890热线，祝您生活愉快！再见！", "present", 100),
    ("邹先生，您的问题已经记录，可以通过人民调解解决，如果您有其他需要欢迎您随时拨打8890热线。",
     "present", 100),
    ("这个不归我们管，我们不受理，您去法院吧。", "violated", 90),  # refused bluntly
    ("您的问题已经记录，建议您去法院起诉，我们会尽快给您回复。", "violated", 90),  # a promise
    ("那您去法院吧，再见。", "missing", 90),
])
def test_out_of_scope_matter_is_not_refused_bluntly(answer: str, status: str, score: int) -> None:
    report = evaluate(OUT_OF_SCOPE_CALL.format(answer=answer))  # the real detector
    assert report.call_kind == "out_of_scope"
    found = finding(report, "out_of_scope")
    assert found.status == status and report.score == score, report.deductions
    assert found.trigger_line == 2
    # the scripted ending stands for confirmation, callback, process, anything else, closing
    assert report.phases["closing"] is None and report.phases["confirm_matter"] is None


def test_a_matter_the_agent_accepted_as_in_scope_needs_no_out_of_scope_script() -> None:
    """The detector only hints (it may be wrong on speech): an agent who confirmed and handed on
    the matter, without the script or a refusal, judged it in scope."""
    qa = TranscriptQa(RULES, CHECKER, StubDetector(路灯=_Verdict(scope=_Scope("out_of_province",
                                                                            "涉及辽宁省以外的各类事项"))))
    report = evaluate(transcript(), qa)
    assert report.call_kind == "normal" and report.score == 100
    assert report.phases["out_of_scope"] is None
    assert finding(report, "out_of_scope").status == "not_required"
    refused = evaluate(transcript(insert={"verify_phone": ["坐席：这事其实不归我们管。"]}), qa)
    assert refused.call_kind == "out_of_scope" and refused.phases["out_of_scope"] is False


FIRE = "来电人：我们对门邻居家着火了，一直往外冒烟！"


@pytest.mark.parametrize(("answer", "present"), [
    ("先生，您反映的情况属于紧急事项，请您立即拨打119，我们也会同步报告。请您注意安全！", True),
    ("您赶紧先打119，人先撤到楼下！", True),
    ("先生，您反映的问题稍后会转到相关部门处理，请您耐心等待回复。", False),
])
def test_emergency_is_directed_to_the_emergency_services(answer: str, present: bool) -> None:
    report = evaluate("\n".join(["坐席：" + STEPS[0][1], FIRE, "坐席：" + answer]))
    assert report.call_kind == "emergency"
    assert report.phases["emergency"] is present
    assert report.score == (100 if present else 70)
    assert report.passed is present  # an emergency left undirected fails the inspection
    assert "火" in finding(report, "emergency").detail or present


def test_emergency_outranks_out_of_scope_and_uses_the_detectors_services() -> None:
    qa = TranscriptQa(RULES, CHECKER, StubDetector(撞车=_Verdict(
        scope=_Scope("out_of_province", "外省"), emergency=_Emergency(("120", "122"), ("交通事故",)))))
    report = evaluate("坐席：" + STEPS[0][1] + "\n来电人：路口撞车了！\n坐席：请您马上拨打122和120。\n", qa)
    assert report.call_kind == "emergency" and report.phases["emergency"] is True
    assert report.phases["out_of_scope"] is None and report.score == 100


def test_without_a_scope_detector_scope_moments_never_apply() -> None:
    report = evaluate("\n".join(["坐席：" + STEPS[0][1], FIRE, "坐席：好的。"]),
                      TranscriptQa(RULES, CHECKER))
    assert report.call_kind == "normal" and report.phases["emergency"] is None


def test_silent_and_harassment_calls_skip_the_conditional_moments() -> None:
    silent = evaluate("坐席：" + STEPS[0][1] + "\n来电人：（无声）\n坐席：你叫什么名字\n")
    assert silent.call_kind == "silent"
    assert all(silent.phases[m.id] is None for m in RULES.conditional)


def test_findings_never_hold_transcript_text() -> None:
    secret = "欧阳明月"
    content = transcript().replace("我姓林。", f"我叫{secret}，电话13987654321。")
    report = evaluate(content.replace("林女士", secret))
    assert secret not in repr([f.as_json() for f in report.findings])
    assert "13987654321" not in repr([f.as_json() for f in report.findings])


# -- the rules file ------------------------------------------------------------------------------
def _rules_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (SHIPPED_SCRIPTS_PHRASES / "qa_rules.yaml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "qa_rules.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    when: handed_on\n", "    when: handed_over\n", "unknown condition 'handed_over'"),
    ("not_required_in: [silent, harassment, emergency]\n    waived_by_caller",
     "not_required_in: [silent, harrasment]\n    waived_by_caller", "unknown kind of call"),
    ("pass_mark: 80", "pass_mark: 120", "above base"),
    ("accepted_when: [confirm_matter,", "accepted_when: [confirm,", "unknown required moment"),
    ("scope: emergency\n", "scope: emergency\n    caller_any: [[着火]]\n", "exactly one trigger"),
    ("[[使用工号]", "[[使用工号|]", "empty spelling"),
])
def test_bad_rules_name_the_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message) as info:
        load_qa_rules(_rules_with(tmp_path, old, new))
    assert info.value.path.name == "qa_rules.yaml" and info.value.line
