"""stepwell.asl.jsoncodec: JSON text <-> value as Jackson reads and writes it, orjson-fast when it can."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import orjson
import pytest

from stepwell.asl import jsoncodec
from stepwell.asl.jsoncodec import JsonError, JsonLimitError

BIG = 2**70


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("18446744073709551616", 2**64),  # orjson.loads would give a float
        ("-9223372036854775809", -(2**63) - 1),
        (f'{{"a": [{BIG}, -{BIG}]}}', {"a": [BIG, -BIG]}),
        ('"\\ud800"', "\ud800"),
        ('"a\\udfffb"', "a\udfffb"),
        ('"\\ud83d\\ude00"', "\U0001f600"),
        ("12345678901234567890.5", 12345678901234567890.5),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),  # a byte-order mark, as Java's reader accepts
        ('{"a": 1, "a": 2}', {"a": 2}),
    ],
)
def test_what_orjson_refuses_or_changes_is_read_exactly(text: str | bytes, value: Any) -> None:
    got = jsoncodec.loads(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expecting value: line 1 column 1 (char 0)"),
        ("[1,", "Expecting value: line 1 column 4 (char 3)"),
        ("[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"),
        ('{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"),
        ("{1: 2}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("NaN", "Expecting value: line 1 column 1 (char 0)"),
        ('{"a": 1} x', "Extra data: line 1 column 10 (char 9)"),
        ('["\\ud800" 1]', "Expecting ',' delimiter: line 1 column 11 (char 10)"),
        ('"\x01"', "Invalid control character at: line 1 column 2 (char 1)"),
    ],
)
def test_malformed_text_is_refused_with_the_standard_librarys_words(text: str, message: str) -> None:
    with pytest.raises(JsonError) as refused:
        jsoncodec.loads(text)
    assert refused.value.message == message


def test_nesting_up_to_jacksons_limit() -> None:
    assert jsoncodec.loads("[" * 1000 + "]" * 1000) is not None
    for text in ("[" * 1001 + "]" * 1001, "[" * 1010 + "]" * 1010, '{"a":' * 5000 + "1" + "}" * 5000):
        with pytest.raises(JsonLimitError) as refused:
            jsoncodec.loads(text)
        assert refused.value.message == (
            "Document nesting depth (1001) exceeds the maximum allowed "
            "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)"
        )


def test_what_the_project_wrote_itself_is_read_at_any_depth() -> None:
    text = "[" * 5000 + f'"\\ud800", {BIG}' + "]" * 5000
    value = jsoncodec.loads(text, limits=False)
    assert jsoncodec.dumps_text(value) == text.replace(", ", ",")


def test_numbers_longer_than_1000_characters_are_refused() -> None:
    assert jsoncodec.loads("9" * 1000) == int("9" * 1000)
    with pytest.raises(
        JsonLimitError, match=r"^Number value length \(1001\) exceeds the maximum allowed \(1000"
    ):
        jsoncodec.loads("9" * 1001)


@pytest.mark.parametrize(
    "value",
    [
        {"a": BIG, "b": [-BIG, 1.5, None, True, False, "é\n\x01"], "c": {}},
        ["\ud800", "x\udbffy", {"k\udc00": 1}],
        [1e16, 1e-7, 0.1, float("nan")],
    ],
)
def test_the_exact_writer_writes_what_orjson_would(value: Any) -> None:
    text = jsoncodec.dumps_text(value)
    assert jsoncodec.dumps(value) == text.encode()
    assert text.isascii() or "\ud800" not in text  # lone surrogates are escaped, never raw
    plain = json.loads(text)
    if not any(isinstance(v, float) and v != v for v in (value if isinstance(value, list) else [])):
        assert plain == value
    with contextlib.suppress(TypeError):  # where orjson can write the value, the two agree
        assert text == orjson.dumps(value).decode()


def test_a_lone_surrogate_is_written_as_its_escape() -> None:
    assert jsoncodec.dumps_text({"s": "a\ud800b"}) == '{"s":"a\\ud800b"}'
    assert jsoncodec.dumps_text([[["\udfff"]]] * 2) == '[[["\\udfff"]],[["\\udfff"]]]'


def test_deep_values_are_written_without_recursion() -> None:
    value: Any = "x"
    for _ in range(10_000):
        value = [value]
    assert jsoncodec.dumps_text(value) == "[" * 10_000 + '"x"' + "]" * 10_000


def test_snapshot_options() -> None:
    assert jsoncodec.dumps({1: BIG, "t": (1, 2)}, non_str_keys=True) == b'{"1":%d,"t":[1,2]}' % BIG
    assert jsoncodec.dumps({"s": {1}}, default=sorted) == b'{"s":[1]}'
    with pytest.raises(TypeError):
        jsoncodec.dumps({1: BIG})
    with pytest.raises(TypeError):
        jsoncodec.dumps([BIG, object()])


def test_escape_surrogates_keeps_a_documents_value() -> None:
    text = '{"s": "\ud800", "t": "\\\\\udc00"}'
    assert jsoncodec.loads(jsoncodec.escape_surrogates(text)) == jsoncodec.loads(text)
    assert jsoncodec.escape_surrogates("plain é") == "plain é"
    assert jsoncodec.has_surrogates("a\ud800") and not jsoncodec.has_surrogates("é")
