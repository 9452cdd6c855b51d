"""JSON text <-> value, for the whole project: orjson when it can, an exact parser and writer when not.

AWS reads and writes JSON with Java's Jackson, which keeps what orjson refuses or changes:

- integers beyond 64 bits: Jackson keeps them exactly (BigInteger); ``orjson.loads`` turns them
  into floats without a word and ``orjson.dumps`` refuses them;
- lone surrogates (``"\\ud800"``): a Java string is UTF-16 and holds one; Jackson writes it back
  as the escape ``\\ud800`` (UTF8JsonGenerator escapes every surrogate it cannot pair). orjson
  refuses both ways;
- nesting: ``orjson.loads`` stops at 1024 levels, ``orjson.dumps`` at 255, and the standard
  library's parser and writer recurse (RecursionError near 1000, less in a deep stack).

So orjson runs first (it is ten times faster, and this runs on every state transition) and an
exact writer and parser, both iterative (no depth limit of their own), take over when orjson
refuses. Documents from outside (requests, inputs, task results) are held to Jackson's default
``StreamReadConstraints`` (jackson-core 2.15+): at most 1000 levels of nesting and numbers of at
most 1000 characters; what the project wrote itself (snapshots, history) is read back without
limits, since an execution may legitimately build deeper values than it was given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]  # (C speed-up, no stub)
from json.encoder import encode_basestring
from typing import Any

import orjson

MAX_DEPTH = 1000  # StreamReadConstraints.DEFAULT_MAX_DEPTH
MAX_NUMBER_LENGTH = 1000  # StreamReadConstraints.DEFAULT_MAX_NUM_LEN

# orjson reads any integer of 18 digits or fewer exactly; from 19 on it may be a float.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_DIGITS_AS_ZEROS = bytes(48 if 48 <= code <= 57 else 32 for code in range(256))
_NINETEEN_DIGITS = b"0" * 19
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")


class JsonError(ValueError):
    """Text that is not a JSON document, or one beyond the limits: ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class JsonLimitError(JsonError):
    """A JSON document beyond Jackson's limits (nesting, number length)."""


# ---- reading --------------------------------------------------------------------------------


def loads(text: str | bytes, *, limits: bool = True) -> Any:
    """The value of a JSON document. Raises JsonError when ``text`` is not one (or, with
    ``limits``, when it is nested deeper or holds longer numbers than Jackson reads)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if not _may_hold_long_integers(data):
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses may still be JSON (surrogates, a byte-order mark, depth)
        else:
            if limits and data.count(b"[") + data.count(b"{") > MAX_DEPTH:
                _check_depth(value)  # the count bounds the depth: most documents skip this
            return value
    return _exact_loads(text, limits)


def _may_hold_long_integers(data: bytes) -> bool:
    """Whether ``data`` has a run of 19 digits (orjson may have read an integer as a float)."""
    if len(data) < 4096:
        return _LONG_DIGITS.search(data) is not None
    return _NINETEEN_DIGITS in data.translate(_DIGITS_AS_ZEROS)  # faster than re on long texts


def _depth_error(depth: int) -> JsonError:
    # Jackson's words (jackson-core 2.16+, StreamReadConstraints.validateNestingDepth).
    return JsonLimitError(
        f"Document nesting depth ({depth}) exceeds the maximum allowed "
        f"({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)"
    )


def _check_depth(value: Any) -> None:
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _depth_error(depth)
        children = item.values() if type(item) is dict else item
        pending.extend((child, depth + 1) for child in children if type(child) in (dict, list))


def _decode(data: bytes) -> str:
    # As the standard library reads bytes: UTF-8 (a byte-order mark allowed), -16 or -32.
    try:
        return data.decode(json.detect_encoding(data), "surrogatepass")
    except UnicodeDecodeError as bad:
        raise JsonError(f"Invalid UTF-8 byte at position {bad.start}") from None


def _syntax_error(message: str, text: str, position: int) -> JsonError:
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return JsonError(f"{message}: line {line} column {column} (char {position})")


def _exact_loads(text: str | bytes, limits: bool) -> Any:
    if not isinstance(text, str):
        text = _decode(bytes(text))
    try:
        return _Parser(text, limits).document()
    except json.JSONDecodeError as bad:  # from scanstring: a bad escape or control character
        raise _syntax_error(bad.msg, text, bad.pos) from None


class _Parser:
    """A JSON parser with an explicit stack instead of recursion."""

    def __init__(self, text: str, limits: bool):
        self.text = text
        self.limits = limits

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match is not None else position

    def key(self, position: int) -> tuple[str, int]:
        """The member name at ``position`` and where its value starts."""
        text = self.text
        if position >= len(text) or text[position] != '"':
            raise _syntax_error("Expecting property name enclosed in double quotes", text, position)
        name, position = scanstring(text, position + 1, True)
        position = self.skip(position)
        if position >= len(text) or text[position] != ":":
            raise _syntax_error("Expecting ':' delimiter", text, position)
        return name, self.skip(position + 1)

    def scalar(self, position: int) -> tuple[Any, int]:
        text = self.text
        char = text[position] if position < len(text) else ""
        if char == '"':
            return scanstring(text, position + 1, True)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, position):
                return value, position + len(word)
        match = _NUMBER.match(text, position)
        if match is None:
            raise _syntax_error("Expecting value", text, position)
        literal = match.group()
        if self.limits and len(literal) > MAX_NUMBER_LENGTH:
            raise JsonLimitError(
                f"Number value length ({len(literal)}) exceeds the maximum allowed "
                f"({MAX_NUMBER_LENGTH}, from `StreamReadConstraints.getMaxNumberLength()`)"
            )
        if match.group(1) is None and match.group(2) is None:
            return int(literal), match.end()
        return float(literal), match.end()

    def document(self) -> Any:
        text, end = self.text, len(self.text)
        stack: list[Any] = []  # the open containers, outermost first
        keys: list[str] = []  # for each open object, the name its next value goes under
        position = self.skip(0)
        while True:
            char = text[position] if position < end else ""
            value: Any
            if char in ("[", "{"):
                if self.limits and len(stack) >= MAX_DEPTH:
                    raise _depth_error(len(stack) + 1)
                position = self.skip(position + 1)
                closer = "]" if char == "[" else "}"
                if position < end and text[position] == closer:
                    value, position = ([] if char == "[" else {}), position + 1
                elif char == "[":
                    stack.append([])
                    keys.append("")
                    continue
                else:
                    stack.append({})
                    name, position = self.key(position)
                    keys.append(name)
                    continue
            else:
                value, position = self.scalar(position)
            # Put the value in its container; close the containers it completes.
            while True:
                position = self.skip(position)
                if not stack:
                    if position != end:
                        raise _syntax_error("Extra data", text, position)
                    return value
                top = stack[-1]
                is_object = type(top) is dict
                if is_object:
                    top[keys[-1]] = value
                else:
                    top.append(value)
                char = text[position] if position < end else ""
                if char == ",":
                    position = self.skip(position + 1)
                    if is_object:
                        keys[-1], position = self.key(position)
                    break
                if char != ("}" if is_object else "]"):
                    expected = "Expecting ',' delimiter"
                    raise _syntax_error(expected, text, position)
                value = stack.pop()
                keys.pop()
                position += 1


# ---- writing --------------------------------------------------------------------------------
#
# The one compact-JSON writer of the project. Its spelling, whatever the path (orjson or exact):
#
# - no whitespace; members in insertion order (never sorted);
# - non-ASCII characters as themselves (UTF-8), "/" unescaped; '"', "\\" and the control
#   characters U+0000-U+001F escaped (\n, \t, ... or \u00XX), U+007F and above never;
# - a lone surrogate as its escape ``\ud800`` (lower-case hex), as Jackson's UTF8JsonGenerator
#   and JavaScript's JSON.stringify write it: the text must be storable as UTF-8;
# - integers exactly, at any size; floats in orjson's shortest spelling (``1.0``, ``0.1``,
#   ``1e-7``, ``1e+16``, ``1e+300``), NaN and infinities as ``null``; any depth.
#
# ``dumps`` / ``dumps_text`` are what every caller uses: history payloads (compared byte for byte
# with AWS's recordings), API replies, snapshots, and the values quoted in error messages.
# ``dumps_string_value`` differs in one point only, for the one caller whose text becomes a string
# *value* inside a document (States.JsonToString): see its docstring.

Default = Callable[[Any], Any]


def dumps(value: Any, *, default: Default | None = None, non_str_keys: bool = False) -> bytes:
    """Compact JSON in UTF-8, as orjson writes it; exact where orjson refuses (big integers, lone
    surrogates written as ``\\udXXX``, any depth). ``default`` and ``non_str_keys`` are for
    snapshots, which hold tuples and integer keys."""
    try:
        return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS if non_str_keys else None)
    except TypeError:
        return _exact_dumps(value, default, non_str_keys, True).encode()


def dumps_text(value: Any) -> str:
    """``dumps`` as text: history payloads, outputs, and values quoted in error messages
    ("... but was 'object' for value: {"foo":"bar"}")."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _exact_dumps(value, None, False, True)


def dumps_string_value(value: Any) -> str:
    """``dumps_text`` for a JSON text that becomes a string *value* (States.JsonToString): a lone
    surrogate stays a character instead of becoming its six-character escape.

    AWS's Java builds that string with ``writeValueAsString``, a Java String that holds the
    surrogate; written into a document it is escaped once (``"\\"\\ud800\\""``) and
    States.StringToJson gives the very value back. ``dumps_text`` would put the escape itself in
    the string, which the document then escapes again (``"\\"\\\\ud800\\""``): another value.
    Every other character, number and the layout are ``dumps_text``'s."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _exact_dumps(value, None, False, False)


def _string(text: str, surrogates_escaped: bool = True) -> str:
    try:
        return orjson.dumps(text).decode()
    except TypeError:  # a lone surrogate: orjson refuses it
        written = encode_basestring(text)
        return _SURROGATE.sub(_escape, written) if surrogates_escaped else written


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by its JSON escape (``\\ud800``): what a UTF-8
    store can hold. In a JSON document that parsed, a lone surrogate sits in a string, so the
    document keeps its value."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text)


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


class _Raw(str):
    """Punctuation queued for output, told apart from the strings of the value."""


_COMMA = _Raw(",")
_CLOSE_LIST, _CLOSE_OBJECT = _Raw("]"), _Raw("}")


def _key(key: Any, non_str_keys: bool, surrogates_escaped: bool) -> str:
    if type(key) is str:
        return _string(key, surrogates_escaped)
    if non_str_keys:  # as orjson.OPT_NON_STR_KEYS writes them
        if key is None or key is True or key is False:
            return '"null"' if key is None else '"true"' if key else '"false"'
        if isinstance(key, int):
            return f'"{int(key)}"'
        if isinstance(key, float):
            return '"' + orjson.dumps(key).decode() + '"'
        if isinstance(key, str):
            return _string(str(key), surrogates_escaped)
    raise TypeError("Dict key must be str")


def _exact_dumps(value: Any, default: Default | None, non_str_keys: bool, surrogates_escaped: bool) -> str:
    out: list[str] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is _Raw:
            out.append(item)
        elif kind is str:
            out.append(_string(item, surrogates_escaped))
        elif item is None or item is True or item is False:
            out.append("null" if item is None else "true" if item else "false")
        elif kind is int:
            out.append(str(item))
        elif kind is float:
            out.append(orjson.dumps(item).decode())  # orjson's spelling: 1e+16, NaN as null
        elif kind is dict:
            if not item:
                out.append("{}")
                continue
            out.append("{")
            pending.append(_CLOSE_OBJECT)
            members = list(item.items())
            for index in range(len(members) - 1, -1, -1):
                name, member = members[index]
                pending.append(member)
                pending.append(_Raw(_key(name, non_str_keys, surrogates_escaped) + ":"))
                if index:
                    pending.append(_COMMA)
        elif kind is list or kind is tuple:
            if not item:
                out.append("[]")
                continue
            out.append("[")
            pending.append(_CLOSE_LIST)
            for index in range(len(item) - 1, -1, -1):
                pending.append(item[index])
                if index:
                    pending.append(_COMMA)
        elif isinstance(item, (str, int, float, dict, list)):
            pending.append(_plain(item))
        elif default is not None:
            pending.append(default(item))
        else:
            raise TypeError(f"Type is not JSON serializable: {kind.__name__}")
    return "".join(out)


def _plain(item: Any) -> Any:
    """A subclass of a JSON type (an IntEnum, a str subclass) as its base type."""
    bases: tuple[Any, ...] = (int, float, str, dict, list)
    for base in bases:
        if isinstance(item, base):
            return base(item)
    return item
