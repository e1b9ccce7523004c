"""How the center judges one site op on a ticket: the contract, ownership, conflicts.

Pure functions over a row held in memory (`Row`); `storage` reads and writes the rows
(compare-and-set on the version) and keeps every answer with its op id. Reasons name fields,
never values (they may be personal data).

Conflicts are computed here, never taken from a client: `Row.center_versions` holds, per
center-owned field, the version at which the center last changed it (`center_update`). A site
update whose `base_version` is older than that change, and which sets that field, is a conflict
for those fields; nothing of that op applies. `base_version` is read in the center's version
space: the version the site got from its last pull (which sets the site's version) or built on.

Closure on a dispatched ticket (decision: converge). When the only clash is `status` and the
lifecycle allows the site's step from the center's current status (the center set 办理中 while
the agent closed it: 办理中 → 已办结 is allowed), the op applies. The site would still pull the
center's older change afterwards and silently revert its closure, so every applied site op that
sets a field the change log carried after the op's base is followed by a change-log entry with
the row's current values of those fields (`Row.logged_versions`): the site's pull ends on the
authoritative row. A step the lifecycle does not allow from the center's status is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seat_console.core import ticket_contract as contract

MAX_VERSION = contract.MAX_INT  # entities.version is INTEGER: 32 bits on PostgreSQL
IGNORED = frozenset({"_center_changed"})  # client-sent conflict bookkeeping: never trusted


@dataclass
class Row:
    site: str
    number: str | None
    version: int
    data: dict[str, Any]
    center_versions: dict[str, int] = field(default_factory=dict)
    logged_versions: dict[str, int] = field(default_factory=dict)


def answer(op_id: str, result: str, reason: str | None = None,
           conflicts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"op_id": op_id, "result": result, "reason": reason}
    if conflicts is not None:
        out["conflicts"] = conflicts
    return out


def cleaned(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name not in IGNORED}


def _refusal(errors: dict[str, str]) -> str:
    return "; ".join(f"{name}: {reason}" for name, reason in sorted(errors.items()))


def judge_create(site: str, op: dict[str, Any], exists: bool,
                 number_taken: bool) -> tuple[dict[str, Any], Row | None]:
    """A new ticket: its own site's code and number, every field valid, unknown fields refused."""
    op_id, payload = op["op_id"], cleaned(op["payload"])
    number, version = payload.get("number"), payload.get("version", 1)
    errors = contract.site_change_errors(payload, creating=True)
    if payload.get("site_code") != site and "site_code" not in errors:
        errors["site_code"] = "must be the pushing site's code"
    if not (isinstance(number, str) and number.startswith(f"{site}-")) and "number" not in errors:
        errors["number"] = "must start with the pushing site's code"
    if payload.get("id", op["entity_id"]) != op["entity_id"]:
        errors["id"] = "must be the op's entity_id"
    if isinstance(version, bool) or not isinstance(version, int) or \
            not 1 <= version <= MAX_VERSION:
        errors["version"] = f"must be a whole number from 1 to {MAX_VERSION}"
    if errors:
        return answer(op_id, "rejected", _refusal(errors)), None
    if exists:
        return answer(op_id, "rejected", "entity exists"), None
    if number_taken:
        return answer(op_id, "rejected", "number: already used by another ticket"), None
    data = {**payload, "id": op["entity_id"], "version": version}
    return answer(op_id, "applied"), Row(site=site, number=number, version=version, data=data)


def judge_update(site: str, op: dict[str, Any], row: Row | None) -> tuple[dict[str, Any], list[str]]:
    """A change of an existing ticket, applied to `row` in place when the answer is applied.
    Returns the answer and the fields the site must get back from the change log."""
    op_id, base = op["op_id"], op["base_version"]
    payload = {k: v for k, v in cleaned(op["payload"]).items() if k not in ("id", "version")}
    if row is None:
        return answer(op_id, "rejected", "unknown entity"), []
    if row.site != site:
        return answer(op_id, "rejected", "not this site's entity"), []
    errors = contract.site_change_errors(payload, creating=False)
    if errors:
        return answer(op_id, "rejected", _refusal(errors)), []
    clash = sorted(name for name, value in payload.items()  # the same value: they agree
                   if row.center_versions.get(name, 0) > base and value != row.data.get(name))
    current_status = str(row.data.get("status") or "")
    if "status" in payload:
        refused = contract.check_transition(current_status, str(payload["status"]))
        if "status" in clash and refused is None:
            clash.remove("status")  # a step the lifecycle allows: converge (module docstring)
        elif "status" not in clash and refused is not None:
            return answer(op_id, "rejected", f"status: {refused}"), []
    if clash:
        conflicts = [{"field": name, "site_value": payload[name],
                      "center_value": row.data.get(name)} for name in clash]
        return answer(op_id, "conflict", f"center changed {', '.join(clash)} since version "
                      f"{base}", conflicts), []
    if row.version >= MAX_VERSION:
        return answer(op_id, "rejected", "version limit reached"), []
    row.data.update(payload)
    row.version += 1
    row.data["version"] = row.version
    resend = sorted(name for name in payload if row.logged_versions.get(name, 0) > base)
    return answer(op_id, "applied"), resend


def judge_other_create(site: str, op: dict[str, Any],
                       exists: bool) -> tuple[dict[str, Any], Row | None]:
    """Entities without a contract (referrals): created once, by their own site."""
    op_id, payload = op["op_id"], cleaned(op["payload"])
    number, version = payload.get("number"), payload.get("version", 1)
    if number is not None and not isinstance(number, str) or isinstance(version, bool) or \
            not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        return answer(op_id, "rejected", "payload.number must be text and payload.version a "
                      f"whole number from 1 to {MAX_VERSION}"), None
    if exists:
        return answer(op_id, "rejected", "entity exists"), None
    return answer(op_id, "applied"), Row(site=site, number=number, version=version,
                                         data={**payload, "version": version})


def judge_other_update(site: str, op: dict[str, Any], row: Row | None) -> dict[str, Any]:
    """An update of an entity without a contract, applied to `row` in place; only by its site."""
    op_id, payload = op["op_id"], cleaned(op["payload"])
    if row is None:
        return answer(op_id, "rejected", "unknown entity")
    if row.site != site:
        return answer(op_id, "rejected", "not this site's entity")
    if row.version >= MAX_VERSION:
        return answer(op_id, "rejected", "version limit reached")
    row.data.update(payload)
    row.version += 1
    row.data["version"] = row.version
    return answer(op_id, "applied")


def center_fields(row: Row, names: list[str]) -> dict[str, Any]:
    """The change-log payload that brings a site to the row's values of `names`."""
    return {**{name: row.data.get(name) for name in names}, "version": row.version}
