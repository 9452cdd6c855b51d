"""A secret value that never prints itself: access keys' secrets, console passwords, the
credentials of http:invoke's connections. ``str``, ``repr`` and f-strings show a mask, so a secret
held in a record, an exception or a log line's arguments stays out of every log; ``reveal()`` is
the only way to its value, called where it is used (a signature, an HTTP header)."""

from __future__ import annotations


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('******')"

    def __str__(self) -> str:
        return "******"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
