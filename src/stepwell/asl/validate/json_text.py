"""Pass 1: definition text -> JSON object, failing the way AWS's Jackson parser words it.

AWS parses the definition with Jackson and reports a syntax error as ``INVALID_JSON_DESCRIPTION``
whose location is Jackson's source description and whose message is Jackson's message followed by
``"\\n at "`` and that description (recorded against AWS)::

    Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null',
    'true' or 'false')
     at [Source: (String)"not a definition"; line: 1, column: 4]

Jackson's column is 1-based and points just past what it consumed (the whole bad token, or the one
unexpected character). Text that parses to something other than an object, and empty text, are
``SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object``.

Jackson's ``readTree`` keeps the last of duplicate keys and ignores trailing content after the first
value, so ``load_definition_text`` does the same; duplicate keys are remembered per object so that the
names pass can report ``DUPLICATE_STATE_NAME`` for a ``States`` object that repeats a name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from stepwell.asl.jsoncodec import MAX_NUMBER_LENGTH
from stepwell.asl.validate.walk import error, schema_error
from stepwell.errors import Diagnostic

INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
NOT_AN_OBJECT = "Definition must be a valid JSON object"

_EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_SOURCE_LIMIT = 500  # Jackson truncates the quoted source after this many characters


@dataclass(slots=True)
class LoadedDefinition:
    """The parsed value, or the diagnostic explaining why there is none."""

    value: Any = None
    diagnostic: Diagnostic | None = None
    # id(dict) -> names that appeared more than once in that JSON object (the dicts are kept alive).
    duplicate_keys: dict[int, list[str]] = field(default_factory=dict)
    _owners: list[Any] = field(default_factory=list)


class _NonStandardToken(ValueError):
    def __init__(self, token: str):
        super().__init__(token)
        self.token = token


class _NumberTooLong(ValueError):
    """Jackson's StreamReadConstraints refuse a number of more than 1000 characters (and Python
    converts no integer of more than 4300 digits)."""

    def __init__(self, literal: str):
        super().__init__(literal)
        self.literal = literal


def _number(convert: Any) -> Any:
    def read(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_LENGTH:
            raise _NumberTooLong(literal)
        return convert(literal)

    return read


def load_definition_text(text: str) -> LoadedDefinition:
    loaded = LoadedDefinition()
    if not text.strip():
        loaded.diagnostic = schema_error(NOT_AN_OBJECT, "/")
        return loaded

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        repeated: list[str] = []
        for key, value in pairs:
            if key in obj and key not in repeated:
                repeated.append(key)
            obj[key] = value
        if repeated:
            loaded.duplicate_keys[id(obj)] = repeated
            loaded._owners.append(obj)
        return obj

    def reject_constant(token: str) -> Any:
        raise _NonStandardToken(token)

    decoder = json.JSONDecoder(
        object_pairs_hook=pairs_hook,
        parse_constant=reject_constant,
        parse_int=_number(int),
        parse_float=_number(float),
    )
    start = len(text) - len(text.lstrip(" \t\r\n"))
    try:
        value, _end = decoder.raw_decode(text, start)
    except _NonStandardToken as bad:
        position = max(text.find(bad.token), 0) + len(bad.token)
        message = (
            f"Non-standard token '{bad.token}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
        )
        loaded.diagnostic = _jackson_error(text, message, position)
        return loaded
    except _NumberTooLong as bad:
        position = max(text.find(bad.literal), 0) + len(bad.literal)
        message = (
            f"Number value length ({len(bad.literal)}) exceeds the maximum allowed "
            f"({MAX_NUMBER_LENGTH}, from `StreamReadConstraints.getMaxNumberLength()`)"
        )
        loaded.diagnostic = _jackson_error(text, message, position)
        return loaded
    except json.JSONDecodeError as bad:
        message, position = _jackson_message(text, bad)
        loaded.diagnostic = _jackson_error(text, message, position)
        return loaded
    if not isinstance(value, dict):
        loaded.diagnostic = schema_error(NOT_AN_OBJECT, "/")
        return loaded
    loaded.value = value
    return loaded


def _jackson_error(text: str, message: str, consumed: int) -> Diagnostic:
    """``consumed`` is the 0-based offset just past what Jackson read when it gave up."""
    location = _source_location(text, consumed)
    return error(INVALID_JSON_DESCRIPTION, f"{message}\n at {location}", location)


def _source_location(text: str, consumed: int) -> str:
    line = text.count("\n", 0, consumed) + 1
    line_start = text.rfind("\n", 0, consumed) + 1
    column = consumed - line_start + 1
    return f"[Source: {_source_description(text)}; line: {line}, column: {column}]"


def _source_description(text: str) -> str:
    if len(text) <= _SOURCE_LIMIT:
        return f'(String)"{text}"'
    return f'(String)"{text[:_SOURCE_LIMIT]}"[truncated {len(text) - _SOURCE_LIMIT} chars]'


def _jackson_message(text: str, bad: json.JSONDecodeError) -> tuple[str, int]:
    """Jackson's wording for the error Python's decoder found at ``bad.pos``."""
    pos = bad.pos
    at_end = pos >= len(text)
    char = "" if at_end else text[pos]
    reason = bad.msg
    if reason.startswith("Unterminated string"):
        return "Unexpected end-of-input: was expecting closing quote for a string value", len(text)
    if reason.startswith("Invalid control character"):
        code = ord(char)
        return (
            f"Illegal unquoted character ((CTRL-CHAR, code {code})): has to be escaped using backslash "
            "to be included in string value",
            pos + 1,
        )
    if reason.startswith("Invalid \\escape"):
        escaped = text[pos + 1] if pos + 1 < len(text) else ""
        return f"Unrecognized character escape {_describe_char(escaped)}", pos + 2
    if reason.startswith("Invalid \\uXXXX"):
        return "Unexpected character: expected a hex-digit for character escape sequence", pos + 2
    if at_end:
        return _end_of_input(text, pos), len(text)
    if reason == "Expecting value":
        if char.isalpha() or char == "_":
            end = pos
            while end < len(text) and end - pos < 256 and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            return f"Unrecognized token '{text[pos:end]}': was expecting {_EXPECTED_VALUE}", end
        return (
            f"Unexpected character ({_describe_char(char)}): expected a valid value {_EXPECTED_VALUE}",
            pos + 1,
        )
    if reason.startswith("Expecting property name"):
        return (
            f"Unexpected character ({_describe_char(char)}): was expecting double-quote to start field name",
            pos + 1,
        )
    if reason.startswith("Expecting ':'"):
        return (
            f"Unexpected character ({_describe_char(char)}): "
            "was expecting a colon to separate field name and value",
            pos + 1,
        )
    if char.isdigit() and _after_leading_zero(text, pos):
        return "Invalid numeric value: Leading zeroes not allowed", pos + 1
    if reason.startswith("Expecting ','"):
        container = "Object" if _innermost_container(text, pos) == "{" else "Array"
        return (
            f"Unexpected character ({_describe_char(char)}): "
            f"was expecting comma to separate {container} entries",
            pos + 1,
        )
    return f"Unexpected character ({_describe_char(char)})", pos + 1


def _after_leading_zero(text: str, pos: int) -> bool:
    """Python stops after the ``0`` of ``01``; Jackson refuses the number itself."""
    start = pos - 1
    if start < 0 or text[start] != "0":
        return False
    before = text[start - 1] if start > 0 else ""
    return not (before.isdigit() or before in ".eE")


def _end_of_input(text: str, pos: int) -> str:
    opener = _innermost_container(text, pos)
    if opener is None:
        return "No content to map due to end-of-input"
    kind = "Object" if opener == "{" else "Array"
    start = _innermost_container_start(text, pos)
    marker = _source_location(text, start)
    return f"Unexpected end-of-input: expected close marker for {kind} (start marker at {marker})"


def _describe_char(char: str) -> str:
    if not char:
        return "end-of-input"
    code = ord(char)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    return f"'{char}' (code {code})"


def _open_containers(text: str, pos: int) -> list[tuple[str, int]]:
    """The brackets still open at ``pos`` (outside strings), innermost last."""
    stack: list[tuple[str, int]] = []
    in_string = False
    index = 0
    while index < pos and index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append((char, index))
        elif char in "}]" and stack:
            stack.pop()
        index += 1
    return stack


def _innermost_container(text: str, pos: int) -> str | None:
    stack = _open_containers(text, pos)
    return stack[-1][0] if stack else None


def _innermost_container_start(text: str, pos: int) -> int:
    stack = _open_containers(text, pos)
    return stack[-1][1] if stack else 0
