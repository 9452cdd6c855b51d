"""Definition text -> JSON object, failing with Jackson's words and source location as AWS reports
them (``INVALID_JSON_DESCRIPTION``)."""

from __future__ import annotations

import pytest

from stepwell.asl.validate.json_text import INVALID_JSON_DESCRIPTION, NOT_AN_OBJECT, load_definition_text
from tests.asl.validate.support import schema, triples

EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def jackson(text: str) -> tuple[str, str]:
    """(message without the location suffix, location) of the one diagnostic."""
    loaded = load_definition_text(text)
    assert loaded.value is None and loaded.diagnostic is not None
    diagnostic = loaded.diagnostic
    assert diagnostic.code == INVALID_JSON_DESCRIPTION
    assert diagnostic.location is not None
    suffix = f"\n at {diagnostic.location}"
    assert diagnostic.message.endswith(suffix)
    return diagnostic.message.removesuffix(suffix), diagnostic.location


def source(text: str, line: int, column: int) -> str:
    return f'[Source: (String)"{text}"; line: {line}, column: {column}]'


def test_the_recorded_not_a_definition_case() -> None:
    # sfn_api_validation test_validate_state_machine_definition_not_a_definition[NOT_A_DEF]
    text = "not a definition"
    assert jackson(text) == (f"Unrecognized token 'not': was expecting {EXPECTED_VALUE}", source(text, 1, 4))


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": "x', "Unexpected end-of-input: was expecting closing quote for a string value", 1, 9),
        (
            '{"a": "\x01"}',
            "Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped using backslash to be"
            " included in string value",
            1,
            9,
        ),
        ('{"a": "\\q"}', "Unrecognized character escape 'q' (code 113)", 1, 10),
        (
            '{"a": "\\u12G4"}',
            "Unexpected character: expected a hex-digit for character escape sequence",
            1,
            11,
        ),
        (
            '{"a" 1}',
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value",
            1,
            7,
        ),
        (
            "{a: 1}",
            "Unexpected character ('a' (code 97)): was expecting double-quote to start field name",
            1,
            3,
        ),
        (
            '{"a": 1 "b": 2}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
            1,
            10,
        ),
        (
            "[1 2]",
            "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries",
            1,
            5,
        ),
        ('{"a": @}', f"Unexpected character ('@' (code 64)): expected a valid value {EXPECTED_VALUE}", 1, 8),
        ('{"a": 01}', "Invalid numeric value: Leading zeroes not allowed", 1, 9),
        ('{"a": tru}', f"Unrecognized token 'tru': was expecting {EXPECTED_VALUE}", 1, 10),
        (
            '{"a": "b",\n"c": }',
            f"Unexpected character ('}}' (code 125)): expected a valid value {EXPECTED_VALUE}",
            2,
            7,
        ),
    ],
)
def test_jackson_words_and_columns(text: str, message: str, line: int, column: int) -> None:
    assert jackson(text) == (message, source(text, line, column))


def test_end_of_input_names_the_open_container_and_where_it_started() -> None:
    assert jackson("{") == (
        f"Unexpected end-of-input: expected close marker for Object (start marker at {source('{', 1, 1)})",
        source("{", 1, 2),
    )
    text = '{"a": [1,\n 2'
    assert jackson(text) == (
        f"Unexpected end-of-input: expected close marker for Array (start marker at {source(text, 1, 7)})",
        source(text, 2, 3),
    )


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_numeric_numbers_are_refused(token: str) -> None:
    text = f'{{"a": {token}}}'
    assert jackson(text) == (
        f"Non-standard token '{token}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
        source(text, 1, 7 + len(token)),
    )


def test_a_number_longer_than_jacksons_limit() -> None:
    digits = "1" * 1001
    message, _ = jackson(f'{{"a": {digits}}}')
    assert message == (
        "Number value length (1001) exceeds the maximum allowed"
        " (1000, from `StreamReadConstraints.getMaxNumberLength()`)"
    )
    assert load_definition_text(f'{{"a": {"1" * 1000}}}').value == {"a": int("1" * 1000)}


def test_the_source_is_truncated_after_500_characters() -> None:
    text = "@" + " " * 600
    _, location = jackson(text)
    assert location == f'[Source: (String)"{text[:500]}"[truncated 101 chars]; line: 1, column: 2]'


@pytest.mark.parametrize("text", ["", " \n\t", "[]", "1", '"s"', "null", "true"])
def test_text_that_is_not_an_object(text: str) -> None:
    loaded = load_definition_text(text)
    assert loaded.value is None
    assert loaded.diagnostic is not None
    assert triples([loaded.diagnostic]) == [schema(NOT_AN_OBJECT, "/")]
    assert NOT_AN_OBJECT == "Definition must be a valid JSON object"


def test_content_after_the_first_value_is_ignored_as_jackson_does() -> None:
    loaded = load_definition_text('  {"a": 1} trailing')
    assert (loaded.value, loaded.diagnostic) == ({"a": 1}, None)


def test_duplicate_keys_keep_the_last_and_are_remembered_per_object() -> None:
    loaded = load_definition_text('{"s": {"A": 1, "B": 2, "A": 3, "A": 4}, "t": {"x": 1}}')
    assert loaded.value == {"s": {"A": 4, "B": 2}, "t": {"x": 1}}
    assert loaded.duplicate_keys == {id(loaded.value["s"]): ["A"]}
