"""`seat-center export --masked`: a ticket row of the center with its personal data masked, for
audits that must not see it. Which fields are personal and how each is masked is the console
core's rule (ticket_view, masking); here it is applied to every ticket, confidential or not."""

from __future__ import annotations

from typing import Any

from seat_console.core.masking import mask_text
from seat_console.core.ticket_view import FREE_TEXT, MASKERS, PERSONAL


def mask_ticket(row: dict[str, Any]) -> dict[str, Any]:
    secrets = [row[name] for name in PERSONAL if isinstance(row.get(name), str)]
    out = dict(row)
    for name in FREE_TEXT:
        if isinstance(out.get(name), str):
            out[name] = mask_text(out[name], *secrets)
    for name, mask in MASKERS.items():
        if isinstance(out.get(name), str):
            out[name] = mask(out[name])
    return out
