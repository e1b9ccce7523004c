"""Transcript QA against the sample transcripts in tests/transcripts/ and their expectations."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.errors import DataFileError
from seat_console.core.phrases.transcript_qa import TranscriptQa

FOLDER = Path(__file__).parent / "transcripts"
SAMPLES = sorted(FOLDER.glob("*.txt"))
QA = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES)  # with the scope detector


def test_there_are_enough_samples_good_and_bad() -> None:
    scores = [json.loads(p.with_suffix(".expected.json").read_text(encoding="utf-8"))["score"]
              for p in SAMPLES]
    assert len(SAMPLES) >= 10
    assert scores.count(100) >= 3 and sum(s < 100 for s in scores) >= 5


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_transcript_findings(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = QA.evaluate_file(path)
    assert Counter((h.line, h.hit.phrase) for h in report.forbidden) == \
        Counter((f["line"], f["phrase"]) for f in expected["forbidden"])
    assert report.silent_call == expected["silent_call"]
    assert report.call_kind == expected.get("call_kind", "silent" if expected["silent_call"] else "normal")
    assert report.phases == expected["phases"]
    assert report.silent_procedure_ok == expected["silent_procedure_ok"]
    assert report.score == expected["score"], report.deductions
    assert sum(d.points for d in report.deductions) >= 100 - report.score
    for deduction in report.deductions:
        assert deduction.rule.startswith("8890规范")
    if "passed" in expected:
        assert report.passed == expected["passed"]
    if "lost" in expected:  # the moments (not forbidden phrases) that cost points, in order
        assert [f.moment for f in report.findings
                if f.points_lost and f.kind in ("required", "conditional")] == expected["lost"]


def test_a_line_without_speaker_before_any_turn_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("你好\n坐席：您好\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        QA.evaluate_file(path)
    assert info.value.line == 1


def test_qa_command_prints_json(tmp_path: Path) -> None:
    sample = FOLDER / "07_forbidden_plain.txt"
    expected = json.loads(sample.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = subprocess.run([str(Path(sys.executable).parent / "seat-console"), "qa", str(sample),
                             "--json", "--no-store"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["score"] == expected["score"]
    assert {"line", "phrase", "start", "end", "matched", "suggestion"} <= set(report["forbidden"][0])
    # the fields of the first version are all there, the new ones added beside them
    assert {"score", "call_kind", "silent_call", "phases", "silent_procedure_ok", "forbidden",
            "deductions", "base", "pass_mark", "passed", "findings"} <= set(report)
    assert "stored" not in report
    assert list(tmp_path.iterdir()) == []  # --no-store leaves no files behind
