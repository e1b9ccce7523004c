"""Masking of citizens' data for confidential tickets (GB/T 33358 5.1.2.6): 张**, 138****1234."""

from __future__ import annotations


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    if "-" in digits:  # landline: keep the area code and the last four digits
        area, _, rest = digits.partition("-")
        local = rest.split("-")[0]
        return f"{area}-****{local[-4:]}" if len(local) > 4 else f"{area}-****"
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def mask_address(address: str) -> str:
    address = address.strip()
    if not address:
        return ""
    # keep the administrative part up to the district (区/县/旗), never the street or number
    cut = next((i + 1 for i, ch in enumerate(address[:10]) if ch in "区县旗"), None)
    keep = cut if cut is not None and cut < len(address) else max(1, len(address) // 3)
    return address[:keep] + "****"


def mask_text(text: str, *secrets: str) -> str:
    """Replace every occurrence of the given secrets (name, phone, address) inside free text."""
    masks = {s: "*" * len(s) for s in secrets if s and len(s.strip()) > 1}
    for secret in sorted(masks, key=len, reverse=True):
        text = text.replace(secret, masks[secret])
    return text
