"""Form validation with messages in Chinese that say what is expected. Never alters the input."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s()()]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (010, 02x, 0xxx), 7-8 digit local number, optional extension after - 转 # or ext.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})(?:(?:-|转|#|ext\.?)(\d{1,6}))?$")


@dataclass(frozen=True)
class PhoneCheck:
    ok: bool
    normalized: str = ""
    message: str = ""


def check_phone(text: str) -> PhoneCheck:
    """Mainland mobile numbers and landlines with area code (and extension).

    Returns the normalised number (mobile: 11 digits; landline: 024-12345678[-123]) or a
    message explaining what is wrong.
    """
    raw = _SEPARATORS.sub("", text or "").replace("—", "-").replace("－", "-")
    if not raw:
        return PhoneCheck(False, message="请填写联系电话")
    for prefix in ("+86", "0086"):
        if raw.startswith(prefix):
            raw = raw[len(prefix):].lstrip("-")
    if _MOBILE.match(raw.replace("-", "")) and raw.startswith("1"):
        return PhoneCheck(True, normalized=raw.replace("-", ""))
    landline = _LANDLINE.match(raw)
    if landline:
        area, local, ext = landline.groups()
        return PhoneCheck(True, normalized=f"{area}-{local}" + (f"-{ext}" if ext else ""))
    if re.search(r"[^\d\-#转ext.]", raw):
        return PhoneCheck(False, message="联系电话只能包含数字;分机号可用“-”或“转”分隔")
    digits = raw.replace("-", "")
    if raw.startswith("1"):
        if len(digits) != 11:
            return PhoneCheck(False, message=f"手机号码应为11位数字,当前为{len(digits)}位")
        return PhoneCheck(False, message="手机号码第二位应为3至9,请核对")
    if raw.startswith("0"):
        return PhoneCheck(
            False, message="固定电话应为“区号-号码”,号码7至8位,如 024-12345678 或 024-12345678-123"
        )
    return PhoneCheck(
        False, message="请输入11位手机号码,或带区号的固定电话(如 024-12345678);未带区号的号码无法回访"
    )


def transfer_errors(department: str | None, dispatch_opinion: str | None) -> dict[str, str]:
    """The rule of a 转办 (GB/T 33358 5.2.2): it names the lead department (承办单位) and says
    what it is to do (派单意见). Field -> Chinese message; empty when the transfer may go ahead.

    The one place of this rule: the form's submit (tickets.validate), `seat-console ticket add`
    (through the same validate) and lifecycle.transition(..., "transferred") all call it."""
    errors: dict[str, str] = {}
    if not (department or "").strip():
        errors["department"] = "转办须填写承办单位"
    if not (dispatch_opinion or "").strip():
        errors["dispatch_opinion"] = "转办须填写派单意见"
    return errors
