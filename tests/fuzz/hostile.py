"""Hostile values, shared by every group: JSON texts, strings, numbers and almost-right ARNs.

JSON texts are Python strings holding JSON (or not-quite-JSON) text: they go into string members
that carry a document (``input``, ``definition``, ``output``) or, wrapped in ``Raw``, straight
into the request body. Deep nesting is built as text, never as nested Python values.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import strategies as st

DEPTHS = (32, 100, 254, 255, 256, 257, 1000, 5000, 10_000, 50_000)


def nested(depth: int, kind: int = 0) -> str:
    """JSON text nested ``depth`` deep: arrays, objects, or both in turn."""
    if kind == 0:
        return "[" * depth + "]" * depth
    if kind == 1:
        return '{"a":' * depth + "1" + "}" * depth
    return '[{"a":' * (depth // 2) + "null" + "}]" * (depth // 2)


def nested_texts() -> st.SearchStrategy[str]:
    return st.builds(nested, st.sampled_from(DEPTHS), st.integers(0, 2))


BIG_NUMBERS = (
    "18446744073709551616",  # 2**64
    "9223372036854775808",  # 2**63
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "1" + "0" * 400,
    "-" + "9" * 5000,
    "1e400",
    "-1e400",
    "1.0e-400",
    "1E+2",
    "-0",
    "-0.0",
    "0.1e1",
    "4.9e-324",
    "1.7976931348623157e308",
    "123456789012345678901234567890.5",
)

ODD_STRINGS = (
    "\\ud800",
    "\\udfff",
    "\\udc00\\ud800",
    "a\\ud83dz",
    "\\u0000",
    "\\u202e\\u0041",
    "\\uffff\\ufffe",
    "\\ud83d\\ude00",
    "\\/\\b\\f",
)

MALFORMED = (
    "",
    " ",
    "{",
    "}",
    '{"a":}',
    "{'a': 1}",
    '{"a":1}garbage',
    '{"a":1}{"b":2}',
    "NaN",
    "[Infinity, -Infinity]",
    '{"a":NaN}',
    "\ufeff{}",
    '\ufeff{"a":1}',
    '{"a":"\x00"}',
    '{"a":"line\nbreak"}',
    "[1,]",
    '{"a":1,}',
    "01",
    "+1",
    ".5",
    "0x10",
    "tru",
    "\x00",
    '"unterminated',
    '"\\x41"',
    '"\\u12"',
    "[" * 3 + "]",
)


def json_texts() -> st.SearchStrategy[str]:
    """Valid-but-odd, big, deep and malformed JSON documents as text."""
    scalars = st.sampled_from(("null", "true", "false", "0", '"s"', "[]", "{}", '""'))
    numbers = st.sampled_from(BIG_NUMBERS)
    strings = st.sampled_from(ODD_STRINGS).map(lambda s: f'"{s}"')
    return st.one_of(
        scalars,
        nested_texts(),
        numbers,
        numbers.map(lambda n: f'{{"a": {n}, "b": [{n}]}}'),
        strings,
        strings.map(lambda s: f'{{"k": {s}, {s}: 1}}'),
        st.sampled_from(MALFORMED),
        st.just('{"a":1,"a":2}'),
        st.sampled_from((262_000, 262_144, 262_145, 300_000)).map(lambda n: '"' + "x" * (n - 2) + '"'),
        st.integers(1, 3000).map(lambda n: "[" + ",".join(["{}"] * n) + "]"),
        st.text(max_size=20).map(lambda t: '{"t": ' + _json_string(t) + "}"),
    )


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)


def odd_unicode() -> st.SearchStrategy[str]:
    """Strings with astral, control, bidi, noncharacter and lone surrogate code points."""
    specials = st.sampled_from(
        ("\x00", "\u202e", "\u200f", "\U0001f600", "\ud800", "\udfff", "\ufeff", "\uffff", "\u2028", "\x7f")
    )
    return st.one_of(
        specials,
        st.lists(specials, min_size=1, max_size=5).map("".join),
        st.text(st.characters(), min_size=1, max_size=30),
        st.tuples(st.text("abc", min_size=1, max_size=5), specials).map(lambda p: p[0] + p[1] + p[0]),
    )


def lengths_around(low: int | None, high: int | None) -> st.SearchStrategy[int]:
    """Lengths on and beyond a string's bounds."""
    low = low or 0
    options = {0, 1, max(low - 1, 0), low, low + 1}
    if high is not None:
        options |= {high - 1, high, high + 1, high * 2}
    else:
        options |= {10_000, 300_000}
    return st.sampled_from(sorted(n for n in options if n <= 1_100_000))


ODD_INTEGERS: tuple[int | float | str, ...] = (
    -1,
    0,
    1,
    2**31 - 1,
    2**31,
    2**32,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    -(10**30),
    1.5,
    -0.0,
    1e308,
)


# Almost-right ARNs and tokens: each is (real value, argument) -> mutated value.
def _segments(arn: str) -> list[str]:
    return arn.split(":")


def _set_segment(index: int, value: str) -> Callable[[str, int], str]:
    def change(arn: str, _arg: int) -> str:
        parts = _segments(arn)
        if len(parts) > index:
            parts[index] = value
        return ":".join(parts)

    return change


def _flip(text: str, index: int) -> str:
    if not text:
        return text
    at = index % len(text)
    return text[:at] + chr(max(33, (ord(text[at]) + 1) % 0x7F)) + text[at + 1 :]


NEAR: dict[str, Callable[[str, int], str]] = {
    "partition-cn": _set_segment(1, "aws-cn"),
    "partition-x": _set_segment(1, "awsx"),
    "service": _set_segment(2, "lambda"),
    "region-other": _set_segment(3, "eu-west-1"),
    "region-empty": _set_segment(3, ""),
    "account-short": _set_segment(4, "12345678901"),
    "account-letters": _set_segment(4, "abcdefghijkl"),
    "account-other": _set_segment(4, "111111111111"),
    "type-lower": lambda a, _: a.replace("stateMachine", "statemachine"),
    "type-execution": _set_segment(5, "execution"),
    "type-stateMachine": _set_segment(5, "stateMachine"),
    "type-express": _set_segment(5, "express"),
    "type-mapRun": _set_segment(5, "mapRun"),
    "type-activity": _set_segment(5, "activity"),
    "prefix-upper": lambda a, _: "ARN" + a[3:],
    "suffix-colon": lambda a, _: a + ":",
    "suffix-version": lambda a, n: a + ":" + str(n % 5),
    "suffix-negative": lambda a, _: a + ":-1",
    "suffix-huge": lambda a, _: a + ":99999999999999999999999",
    "suffix-latest": lambda a, _: a + ":$LATEST",
    "suffix-alias": lambda a, _: a + ":no-such-alias",
    "suffix-two": lambda a, _: a + ":1:2",
    "suffix-slash": lambda a, _: a + "/x",
    "suffix-nul": lambda a, _: a + "\x00",
    "suffix-surrogate": lambda a, _: a + "\ud800",
    "suffix-space": lambda a, _: a + " ",
    "prefix-space": lambda a, _: " " + a,
    "drop-last": lambda a, _: a.rsplit(":", 1)[0],
    "repeat-last": lambda a, _: a + ":" + a.rsplit(":", 1)[-1],
    "truncate": lambda a, n: a[: max(1, len(a) * (n % 10) // 10)],
    "upper": lambda a, _: a.upper(),
    "escaped-colons": lambda a, _: a.replace(":", "%3A"),
    "unicode-name": lambda a, _: a.rsplit(":", 1)[0] + ":n\u00e4me\U0001f600",
    "long-257": lambda a, _: (a + "x" * 257)[:257],
    "long-2001": lambda a, _: (a + "x" * 2001)[:2001],
    "flip-char": lambda a, n: _flip(a, n),
    "empty-segments": lambda a, _: re.sub(r":[^:]*:", "::", a, count=1),
    "other-resource": lambda a, _: "arn:aws:iam::123456789012:role/fuzz",
}
