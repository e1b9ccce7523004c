"""Forbidden-phrase checker throughput: microseconds per 500 characters (target <= 50 µs)."""

from __future__ import annotations

import timeit

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.forbidden import ForbiddenChecker

TARGET_US = 50.0
BASE = ("市民反映小区供暖温度不达标,室温只有十四度,要求供热公司尽快上门检修。"
        "坐席已核实来电人联系方式,并告知办理时限为五个工作日。")


def samples() -> dict[str, str]:
    clean = (BASE * 20)[:500]
    with_hits = clean[:100] + "不 知 道" + clean[105:300] + "愛找誰找誰" + clean[305:]
    # whole repeats (500 characters each), so that no look-alike is cut into an offence
    look_alikes = "车辆不行驶,您看行不行,不知道您是否方便," * 25
    in_context = "邻居不知道,物业说不行,这就是规定的受理条件,材料不全不行," * 17 + "您好"
    return {"clean text": clean, "two disguised hits": with_hits[:500], "look-alikes": look_alikes,
            "context look-alikes": in_context}


def main() -> None:
    checker = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
    for name, text in samples().items():
        runs = 20_000
        seconds = min(timeit.repeat(lambda: checker.check(text), number=runs, repeat=3))
        per_call = seconds / runs * 1e6
        verdict = "OK" if per_call <= TARGET_US else "MISSED"
        print(f"forbidden check, {name:<20} {per_call:7.1f} µs per 500 chars "
              f"(target <= {TARGET_US:.0f} µs: {verdict})")


if __name__ == "__main__":
    main()
