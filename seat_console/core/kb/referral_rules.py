"""When the two referral callbacks are due (kb_data/referral.yaml, 8890 spec 四(三))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from seat_console.core.yaml_source import load_yaml

REFERRAL_FILE = "referral.yaml"


@dataclass(frozen=True)
class ReferralRules:
    enterprise_feedback_minutes: tuple[int, int] = (20, 30)
    citizen_followup_days: tuple[int, int] = (1, 2)

    def windows(self, created: datetime) -> dict[str, datetime]:
        minutes, days = self.enterprise_feedback_minutes, self.citizen_followup_days
        return {
            "enterprise_check_from": created + timedelta(minutes=minutes[0]),
            "enterprise_check_by": created + timedelta(minutes=minutes[1]),
            "citizen_followup_from": created + timedelta(days=days[0]),
            "citizen_followup_by": created + timedelta(days=days[1]),
        }

    def with_overrides(self, overrides: dict[str, Any] | None) -> ReferralRules:
        if not overrides:
            return self
        return ReferralRules(
            tuple(overrides.get("enterprise_feedback_minutes", self.enterprise_feedback_minutes)),  # type: ignore[arg-type]
            tuple(overrides.get("citizen_followup_days", self.citizen_followup_days)))  # type: ignore[arg-type]


def _window(document: Any, key: str, value: Any) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
            and 0 <= value[0] <= value[1]):
        raise document.error((key,), f"'{key}' must be [from, to] whole numbers, from <= to")
    return value[0], value[1]


def load_referral_rules(kb_data: Path) -> ReferralRules:
    path = kb_data / REFERRAL_FILE
    if not path.exists():
        return ReferralRules()
    document = load_yaml(path)
    data = document.data if isinstance(document.data, dict) else {}
    defaults = ReferralRules()
    return ReferralRules(
        _window(document, "enterprise_feedback_minutes",
                data.get("enterprise_feedback_minutes", list(defaults.enterprise_feedback_minutes))),
        _window(document, "citizen_followup_days",
                data.get("citizen_followup_days", list(defaults.citizen_followup_days))))
