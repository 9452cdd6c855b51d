"""Random identifiers for the runtime: event seeds, execution names, task tokens' companions.

They need to be unpredictable enough not to collide, not secret: a Mersenne Twister seeded once
from the operating system is a hundred times cheaper than a system call per id, and ids are made
on the hot path (one seed per engine event). Secrets (task tokens) use ``secrets`` instead.
"""

from __future__ import annotations

import os
import random
import uuid

_random = random.Random(os.urandom(32))


def seed() -> str:
    """A seed for one engine event (its randomness: jitter, States.UUID, $random())."""
    return f"{_random.getrandbits(128):032x}"


def uuid4() -> str:
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))
