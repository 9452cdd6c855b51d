"""JSON Pointer (RFC 6901), as a reader's ``ItemsPointer`` selects the array of items inside a JSON
object file (reference integrations §3.2: ``/inventory/products/featured``).

A pointer is "" (the whole document) or a sequence of ``/``-prefixed reference tokens, in which
``~1`` stands for ``/`` and ``~0`` for ``~`` (RFC 6901 §3, §4: ``~1`` is replaced first). A token
names an object's member, or an array's element by its index written without leading zeros; ``-``
(the element after the last) names nothing that can be read (§4, §7).
"""

from __future__ import annotations

import re
from typing import Any

_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_BAD_ESCAPE = re.compile(r"~(?![01])")


class PointerError(Exception):
    """The pointer is not one (``syntax``), or selects nothing in the document."""

    def __init__(self, message: str, syntax: bool = False):
        super().__init__(message)
        self.message = message
        self.syntax = syntax


def tokens(pointer: str) -> list[str]:
    """The reference tokens of ``pointer``, unescaped; PointerError (syntax) if it is not one."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError("a JSON Pointer must be empty or start with '/'", syntax=True)
    if _BAD_ESCAPE.search(pointer):
        raise PointerError("'~' in a JSON Pointer must be followed by '0' or '1'", syntax=True)
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value ``pointer`` selects in ``document``; PointerError if it selects nothing."""
    value = document
    for depth, token in enumerate(tokens(pointer)):
        if isinstance(value, dict):
            if token not in value:
                raise PointerError(f"no member '{token}' at '{_prefix(pointer, depth)}'")
            value = value[token]
        elif isinstance(value, list):
            if not _INDEX.match(token) or int(token) >= len(value):
                raise PointerError(f"no element '{token}' in the array at '{_prefix(pointer, depth)}'")
            value = value[int(token)]
        else:
            raise PointerError(f"'{_prefix(pointer, depth)}' is neither an object nor an array")
    return value


def _prefix(pointer: str, depth: int) -> str:
    """The part of ``pointer`` before its token number ``depth`` (as written, escapes kept)."""
    return "/".join(pointer.split("/")[: depth + 1])
