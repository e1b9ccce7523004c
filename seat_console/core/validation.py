"""Form validation with messages in Chinese that say what is expected. Never alters the input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Phone numbers: the one place where a number as typed, sent by a switch or exported from a
# CRM becomes the stored form (see check_phone).
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d~〜～]")
# Dropped anywhere in the number: spaces, parentheses, dots, slashes, colons, and the commas
# or semicolons a CRM export leaves behind.
_PHONE_NOISE = re.compile(r"[\s()\[\]【】.·/\\_:：,;、]")
_TEL_PREFIX = re.compile(r"^(?:tel|phone|callto|sip):(?://)?", re.IGNORECASE)
# The extension after 转 / 分机 / ext / ext. / x / #, with an optional "号".
_EXTENSION = re.compile(r"^(.*?)(?:转|分机号?|ext\.?|x|#)\s*(?:号|:|：)?\s*(.*?)\s*号?$",
                        re.IGNORECASE | re.DOTALL)
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SERVICE_NUMBER = re.compile(r"^[48]00[0-9]{7}$")
_DIGITS = re.compile(r"^[0-9]+$")  # ASCII only: \d and isdigit() take ٣ and ३ too
_EXT_DIGITS = re.compile(r"^[0-9]{1,6}$")
_AREA_LANDLINE = re.compile(r"^0[1-9][0-9]+$")
# Between two numbers in one field ("13812345678/13912345678", CRM exports).
_LIST_SEPARATORS = re.compile(r"[/,;、]")
BAD_CHARACTERS = "联系电话只能包含数字;分机号可用“-”或“转”分隔"


@dataclass(frozen=True)
class PhoneCheck:
    ok: bool
    normalized: str = ""
    message: str = ""

    @property
    def line(self) -> str:
        """The number without its extension: what "the same caller" is matched on."""
        return line_of(self.normalized)


def line_of(normalized: str) -> str:
    """A stored number without its extension (024-12345678-8001 -> 024-12345678); mobiles and
    landlines without extension are returned as they are."""
    parts = normalized.split("-")
    return "-".join(parts[:2]) if len(parts) > 2 else normalized


def _area_length(digits: str) -> int:
    """Length of the area code at the start of `digits` (which begin with 0): 010 and 02X
    have 3 digits, every other area code 4 (0411, 0755, 0351...)."""
    return 3 if digits.startswith(("010", "02")) else 4


def _landline(digits: str) -> tuple[str, str] | None:
    """(area code, local number) of area code + local number written without separators."""
    if not _AREA_LANDLINE.match(digits) or digits.startswith("01") and not digits.startswith("010"):
        return None
    area = _area_length(digits)
    local = digits[area:]
    if not 7 <= len(local) <= 8:
        return None
    return digits[:area], local


def _parse(number: str, extension: str | None) -> str | None:
    """The stored form of `number` (digits and dashes, country code gone) or None."""
    tokens = [token for token in number.split("-") if token]
    if not tokens or not all(_DIGITS.match(token) for token in tokens):
        return None
    digits = "".join(tokens)
    if _MOBILE.match(digits):
        return digits if extension is None else None
    if extension is None and len(tokens) >= 2 and _EXT_DIGITS.match(tokens[-1]):
        # "024-23456789-8001", "02423456789-8001": a dash before an extension, when what is
        # before the last dash is a whole number by itself ("024-2345-6789" is not).
        found = _landline("".join(tokens[:-1]))
        if found:
            return f"{found[0]}-{found[1]}-{tokens[-1]}"
    found = _landline(digits)
    if found is None:
        return None
    return f"{found[0]}-{found[1]}" + (f"-{extension}" if extension else "")


def _strip_country_code(number: str) -> str:
    """Drop +86 / 0086 / 86 / a leading 0 before a mobile; +86 before a landline area code
    without its 0 (+86 24 12345678) gets the 0 back."""
    compact = number.lstrip("-")
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            rest = compact[len(prefix):].lstrip("-")
            digits = rest.replace("-", "")
            if digits.startswith("0") and _MOBILE.match(digits[1:]):
                return digits[1:]
            if digits.startswith("0") or digits.startswith("1") and not digits.startswith("10"):
                return rest  # a mobile, or a typo in one explained as such
            return "0" + rest  # +86 24 12345678, +86 10 87654321
    digits = compact.replace("-", "")
    if digits.startswith("86") and _MOBILE.match(digits[2:]):
        return digits[2:]
    if digits.startswith("0") and _MOBILE.match(digits[1:]):
        return digits[1:]  # 013812345678: the trunk 0 a switch puts before a mobile
    return compact


def check_phone(text: str) -> PhoneCheck:
    """Mainland mobile numbers and landlines with area code (and extension), however written.

    Returns the normalised number or a message (in Chinese) explaining what is wrong. Stored
    form: a mobile as its 11 digits (13812345678); a landline as area code-number[-extension]
    (024-12345678, 0411-87654321-123).

    Accepted, as switches send them, CRMs export them and agents type them:
    full-width digits and punctuation (NFKC: ０２４－２３４５６７８９); "tel:" in front;
    +86 / 0086 / (86) before any number, 86 before a mobile; a leading 0 before a mobile
    (013812345678, the trunk prefix Chinese switches send); spaces, dashes (any kind), dots,
    parentheses, slashes anywhere ("(024)2345 6789", "138.1234.5678", "138 1234 5678/"); a
    landline without its dash (02423456789 -> 024-23456789: 010 and 02X have 3-digit area
    codes, all others 4); an extension after 转, 分机, ext, ext., x, # or a last "-"
    (024-23456789-8001, 024-23456789转8001 -> 024-23456789-8001).

    Refused: numbers without area code (no callback possible), other countries' numbers,
    extensions on mobiles, and 400/800 service numbers (inbound only: they reach a company
    switchboard, never the caller, so they cannot serve as 联系电话).

    Two numbers that differ only in how they are written have the same normalised form. A
    landline with and without extension is the same line: lookups of earlier tickets of a
    caller match on `PhoneCheck.line` (the number without extension; see callers.same_line),
    while the stored ticket keeps the extension the caller gave.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _DASHES.sub("-", _TEL_PREFIX.sub("", text.strip()))
    if not _PHONE_NOISE.sub("", text):
        return PhoneCheck(False, message="请填写联系电话")
    parts = [part for part in _LIST_SEPARATORS.split(text) if _PHONE_NOISE.sub("", part)]
    if len(parts) > 1 and all(check_phone(part).ok for part in parts):
        return PhoneCheck(False, message="联系电话只能填写一个号码,其他号码请记入诉求内容")
    extension: str | None = None
    marked = _EXTENSION.match(text)
    if marked:
        text, extension = marked.group(1), _PHONE_NOISE.sub("", marked.group(2)).strip("-")
    number = _strip_country_code(_PHONE_NOISE.sub("", text))
    if extension is not None and not _EXT_DIGITS.match(extension):
        return PhoneCheck(False, message="分机号应为1至6位数字,如 024-12345678转123")
    normalized = _parse(number, extension)
    if normalized:
        return PhoneCheck(True, normalized=normalized)
    return PhoneCheck(False, message=_explain(number, extension))


def _explain(number: str, extension: str | None) -> str:
    """Why `number` (noise and country code removed) is not a phone number."""
    if number.startswith(("+", "00")):
        return "仅支持中国大陆号码(+86);境外号码请记入诉求内容"
    if re.search(r"[^0-9\-]", number):
        return BAD_CHARACTERS
    digits = number.replace("-", "")
    if _SERVICE_NUMBER.match(digits):
        return "400/800为企业客服号码,无法回访来电人,请填写手机或带区号的固定电话"
    before_dash = number.rsplit("-", 1)[0].replace("-", "")
    if digits.startswith("1"):
        if extension is not None and _MOBILE.match(digits) or _MOBILE.match(before_dash):
            return "手机号码没有分机号,请只填写11位手机号码"
        if len(digits) != 11:
            return f"手机号码应为11位数字,当前为{len(digits)}位"
        return "手机号码第二位应为3至9,请核对"
    if digits.startswith("0"):
        return "固定电话应为“区号-号码”,号码7至8位,如 024-12345678 或 024-12345678-123"
    return "请输入11位手机号码,或带区号的固定电话(如 024-12345678);未带区号的号码无法回访"


def same_phone(first: str, second: str) -> bool:
    """Whether two numbers as typed are the same line (formatting and extension aside)."""
    a, b = check_phone(first), check_phone(second)
    if a.ok and b.ok:
        return a.line == b.line
    return first.strip() == second.strip()


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
