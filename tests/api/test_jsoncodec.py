"""stepwell.asl.jsoncodec: JSON text <-> value as Jackson reads and writes it, orjson-fast when it can."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import orjson
import pytest

from stepwell.asl import jsoncodec
from stepwell.asl.jsonata import compile_jsonata
from stepwell.asl.jsoncodec import JsonError, JsonLimitError
from stepwell.asl.paths import PathNotFound, compile_path, compile_reference_path
from stepwell.engine import history
from stepwell.errors import EvaluationError

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


# ---- the one writer: its spelling, and the callers that share it ----------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("é✓😀", '"é✓😀"'),  # non-ASCII as itself (UTF-8)
        ("a/b", '"a/b"'),  # "/" never escaped
        ('q"\\', '"q\\"\\\\"'),
        ("\x00\x1f\n\t\x7f\u2028", '"\\u0000\\u001f\\n\\t\x7f\u2028"'),  # only U+0000-U+001F
        ("a\ud800b", '"a\\ud800b"'),  # a lone surrogate as its escape, lower-case hex
        (2**70, "1180591620717411303424"),
        (-(2**63), "-9223372036854775808"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (-0.0, "-0.0"),
        (1e-7, "1e-7"),
        (1e16, "1e+16"),
        (1e300, "1e+300"),
        (float("nan"), "null"),
        (float("inf"), "null"),
        ({"b": 1, "a": [True, None]}, '{"b":1,"a":[true,null]}'),  # insertion order, no spaces
        ((1, 2), "[1,2]"),
    ],
)
def test_the_writers_spelling_is_the_same_on_both_paths(value: Any, text: str) -> None:
    assert jsoncodec.dumps_text(value) == text
    assert jsoncodec.dumps(value) == text.encode("utf-8", "surrogatepass")
    # A sibling beyond 64 bits sends the whole value through the exact writer: same text.
    assert jsoncodec.dumps_text([value, BIG]) == f"[{text},{BIG}]"
    assert jsoncodec.dumps_text({"k": value, "big": BIG}) == f'{{"k":{text},"big":{BIG}}}'


def test_a_string_value_keeps_its_lone_surrogates_as_characters() -> None:
    value = {"s": "a\ud800b", "k\udc00": [BIG, "é"]}
    text = jsoncodec.dumps_string_value(value)
    assert text == f'{{"s":"a\ud800b","k\udc00":[{BIG},"é"]}}'
    assert jsoncodec.loads(text) == value
    # Written into a document, the string is escaped once: the surrogate's own escape.
    assert jsoncodec.dumps_text(text) == f'"{{\\"s\\":\\"a\\ud800b\\",\\"k\\udc00\\":[{BIG},\\"é\\"]}}"'
    assert jsoncodec.loads(jsoncodec.dumps_text(text)) == text
    # Without a lone surrogate, it is dumps_text's text.
    for plain in ({"a": [1.0, 1e-7, "é/\n"]}, [BIG, {"b": None}], "x"):
        assert jsoncodec.dumps_string_value(plain) == jsoncodec.dumps_text(plain)


def test_history_payloads_are_the_writers_text() -> None:
    assert history.to_json is jsoncodec.dumps_text


def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


ODD = {"s": "a/é\ud800", "f": 1e-7, "n": BIG}
ODD_TEXT = f'{{"s":"a/é\\ud800","f":1e-7,"n":{BIG}}}'


def test_path_errors_quote_values_with_the_writer() -> None:
    with pytest.raises(PathNotFound) as not_found:
        compile_path("$.a[0]").find({"a": ODD})
    assert str(not_found.value) == (
        f"Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context is: {ODD_TEXT}"
    )
    # Deeper than the standard library's writer goes (it raised RecursionError here).
    whole = {"a": 5, "d": _deep(5000)}
    with pytest.raises(EvaluationError) as refused:
        compile_reference_path("$.a.b").put(whole, 1)
    written = '{"a":5,"d":' + "[" * 5001 + "]" * 5001 + "}"
    assert refused.value.cause == f"Unable to apply ReferencePath $.a.b to input {written}"


def test_jsonata_errors_quote_values_with_the_writer() -> None:
    error = compile_jsonata("{% 1 %}").unexpected_type_error("Items", "array", ODD)
    assert error.cause.endswith(f"Expected 'array', but was 'object' for value: {ODD_TEXT}")
