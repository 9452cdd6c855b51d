"""What an expression may read while it is evaluated: the state's input, the context object, the
workflow variables in scope, and a deterministic source of randomness.

Every expression of the language (JSONPath paths, payload templates, intrinsic functions, Choice
rules, JSONata) evaluates against a ``Scope``. The engine builds one per state evaluation; the
context object is built only when an expression asks for it, because most states never do.

Randomness (States.UUID, States.MathRandom, $uuid(), $random()) must not come from the process:
the engine is deterministic and replayable. ``Entropy`` turns a seed that arrived in an event into
a stream of numbers with SHA-256 in counter mode, so the same seed always yields the same values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from stepwell.errors import RUNTIME, EvaluationError


class Entropy:
    """A deterministic pseudo-random stream derived from a seed string."""

    __slots__ = ("_counter", "_seed")

    def __init__(self, seed: str):
        self._seed = seed.encode()
        self._counter = 0

    def random_bytes(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self._counter += 1
            out += hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return out[:n]

    def random(self) -> float:
        """A float in [0, 1), like random.random()."""
        return (int.from_bytes(self.random_bytes(8), "big") >> 11) / float(1 << 53)

    def uuid4(self) -> str:
        """A version-4 UUID string made from this stream."""
        b = bytearray(self.random_bytes(16))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Scope:
    """The values an expression can reach. ``input`` is ``$``; ``context()`` is ``$$``;
    ``variable(name)`` is ``$name``; ``entropy`` serves the random functions.

    JSON values in a scope are never mutated by evaluation: evaluators that build a new value
    copy what they change (copy-on-write), so values can be shared between states and events.
    """

    __slots__ = ("_context", "entropy", "input", "variables")

    def __init__(
        self,
        input: Any,
        variables: Mapping[str, Any] | None = None,
        context: Callable[[], Any] | Any = None,
        entropy: Entropy | None = None,
    ):
        self.input = input
        self.variables: Mapping[str, Any] = variables if variables is not None else {}
        self._context = context if isinstance(context, _Lazy) else _Lazy(context)
        self.entropy = entropy if entropy is not None else Entropy("stepwell")

    def context(self) -> Any:
        return self._context.get()

    def variable(self, name: str) -> Any:
        try:
            return self.variables[name]
        except KeyError:
            raise EvaluationError(RUNTIME, f"Variable '{name}' is not defined.") from None

    def with_input(self, value: Any) -> Scope:
        """The same scope seen from another input (e.g. after InputPath)."""
        clone = Scope.__new__(Scope)
        clone.input = value
        clone.variables = self.variables
        clone._context = self._context
        clone.entropy = self.entropy
        return clone


class _Lazy:
    """A value computed on first use and shared by every scope derived from the same one."""

    __slots__ = ("_factory", "_value")

    def __init__(self, value_or_factory: Callable[[], Any] | Any):
        if callable(value_or_factory):
            self._factory: Callable[[], Any] | None = value_or_factory
            self._value: Any = None
        else:
            self._factory = None
            self._value = value_or_factory if value_or_factory is not None else {}

    def get(self) -> Any:
        if self._factory is not None:
            self._value = self._factory()
            self._factory = None
        return self._value
