"""RFC 6901 JSON Pointers (asl/json_pointer.py), with the RFC's own examples (§5)."""

from __future__ import annotations

import pytest

from stepwell.asl.json_pointer import PointerError, resolve, tokens

DOCUMENT = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("", DOCUMENT),
        ("/foo", ["bar", "baz"]),
        ("/foo/0", "bar"),
        ("/", 0),
        ("/a~1b", 1),
        ("/c%d", 2),
        ("/e^f", 3),
        ("/g|h", 4),
        ("/i\\j", 5),
        ('/k"l', 6),
        ("/ ", 7),
        ("/m~0n", 8),
    ],
)
def test_the_rfcs_examples(pointer: str, value: object) -> None:
    assert resolve(DOCUMENT, pointer) == value


def test_escapes_are_undone_in_order() -> None:
    assert tokens("/~01") == ["~1"]  # "~01" is "~" then "1", not "/"


@pytest.mark.parametrize(
    ("pointer", "syntax"),
    [
        ("foo", True),
        ("/~2", True),
        ("/foo/01", False),
        ("/foo/2", False),
        ("/foo/-", False),
        ("/foo/0/x", False),
    ],
)
def test_pointers_that_select_nothing(pointer: str, syntax: bool) -> None:
    with pytest.raises(PointerError) as refused:
        resolve(DOCUMENT, pointer)
    assert refused.value.syntax is syntax
