"""Random identifiers for the runtime: seeds and UUIDs, unique and well formed."""

from __future__ import annotations

import re
import uuid

from stepwell.runtime.ids import seed, uuid4


def test_a_seed_is_128_random_bits_in_hex() -> None:
    seeds = {seed() for _ in range(1000)}
    assert len(seeds) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{32}", s) for s in seeds)


def test_uuid4_is_a_version_4_uuid() -> None:
    ids = {uuid4() for _ in range(1000)}
    assert len(ids) == 1000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text
