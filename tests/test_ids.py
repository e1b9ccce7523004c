from __future__ import annotations

import uuid

from seat_console.core.ids import uuid7


def test_uuid7_has_version_and_variant() -> None:
    value = uuid.UUID(uuid7())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_uuid7_strictly_increasing_and_unique_within_a_process() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
