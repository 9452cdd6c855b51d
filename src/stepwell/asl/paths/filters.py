"""Jayway's filter language: ``[?(<expression>)]``, where an expression combines relations with
``&&``, ``||``, ``!`` and parentheses. A relation compares two operands (paths, 'strings', numbers,
true, false, null, JSON arrays/objects, /regex/flags) with one of ``path_filter_operators``; a
path alone tests that it exists.

A filter compiles once into a test of (current item, document root). Its paths are parsed and
evaluated like any other, and may hold filters in turn: ``compile_filter`` hands itself to
``path_syntax`` and ``path_eval`` for those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stepwell.asl.paths.errors import InvalidPath
from stepwell.asl.paths.evaluate import UNDEFINED, definite_probe, identity, indefinite_finder
from stepwell.asl.paths.filter_operators import OPERATORS, RegexLiteral, compile_java_regex
from stepwell.asl.paths.syntax import matching_bracket, parse_path_syntax, skip_quoted
from stepwell.asl.paths.tree import FilterTest, ParsedPath

Reader = Callable[[Any, Any], Any]  # (current item, document root) -> operand value


@dataclass(frozen=True, slots=True)
class _Operand:
    read: Reader
    path: ParsedPath | None = None  # set for paths: only they may stand alone (existence test)


@lru_cache(maxsize=1024)
def compile_filter(expression: str) -> FilterTest:
    return _FilterParser(expression).parse()


def _filter_path(text: str) -> _Operand:
    """A path inside a filter: ``@...`` reads the current item, ``$...`` the document root. A
    definite path that matches nothing reads UNDEFINED."""
    parsed = parse_path_syntax(text, compile_filter, allow_item_root=True)
    if parsed.root not in ("$", "@"):
        raise InvalidPath(f"Invalid JSONPath '{text}': a filter path must start with '@' or '$'.")
    find: Callable[[Any], Any]
    if not parsed.selectors and parsed.function is None:
        find = identity
    elif parsed.is_definite:
        find = definite_probe(parsed)
    else:
        find = indefinite_finder(parsed, compile_filter)
    if parsed.root == "$":
        return _Operand(lambda item, root: find(root), parsed)
    return _Operand(lambda item, root: find(item), parsed)


class _FilterParser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> InvalidPath:
        return InvalidPath(f"Invalid filter '{self.text}': {message}")

    def parse(self) -> FilterTest:
        test = self.read_or()
        self.skip_blanks()
        if self.pos < len(self.text):
            raise self.fail(f"Expected end of filter expression instead of: {self.text[self.pos :]}")
        return test

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n\r":
            self.pos += 1

    def accept(self, token: str) -> bool:
        self.skip_blanks()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def peek(self) -> str:
        self.skip_blanks()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def read_or(self) -> FilterTest:
        return self.read_joined("||", self.read_and, any)

    def read_and(self) -> FilterTest:
        return self.read_joined("&&", self.read_unary, all)

    def read_joined(
        self, joiner: str, read_part: Callable[[], FilterTest], combine: Callable[[Iterable[bool]], bool]
    ) -> FilterTest:
        """Parts separated by ``joiner``, combined (``any`` or ``all``, which stop early)."""
        tests = [read_part()]
        while self.accept(joiner):
            tests.append(read_part())
        if len(tests) == 1:
            return tests[0]
        return lambda item, root: combine(t(item, root) for t in tests)

    def read_unary(self) -> FilterTest:
        if self.peek() == "!":
            save = self.pos
            self.pos += 1
            if self.peek() not in ("@", "$"):
                inner = self.read_unary()
                return lambda item, root: not inner(item, root)
            self.pos = save
        if self.peek() == "(":
            self.pos += 1
            inner = self.read_or()
            if not self.accept(")"):
                raise self.fail(f"expected ')' at position {self.pos}.")
            return inner
        return self.read_relation()

    def read_relation(self) -> FilterTest:
        negated = self.accept("!")
        left = self.read_operand()
        operator = self.read_operator()
        if operator is None:
            if left.path is None:
                raise self.fail(f"a {self.text!r} filter needs a path or a comparison.")
            return _exists(left, not negated)
        if negated:
            raise self.fail("'!' may only negate a path or a parenthesised expression.")
        right = self.read_operand()
        return _relation(OPERATORS[operator], left.read, right.read)

    def read_operator(self) -> str | None:
        self.skip_blanks()
        text, start = self.text, self.pos
        end = start
        if end < len(text) and text[end] in "<>=~!":
            while end < len(text) and text[end] in "<>=~!":
                end += 1
        else:
            while end < len(text) and text[end].isalpha():
                end += 1
        if end == start:
            return None
        operator = text[start:end].lower()
        if operator not in OPERATORS:
            raise self.fail(f"Filter operator {text[start:end]} is not supported!")
        self.pos = end
        return operator

    def read_operand(self) -> _Operand:
        c = self.peek()
        if c in ("@", "$"):
            return _filter_path(self.read_path_text())
        if c in ("'", '"'):
            end = skip_quoted(self.text, self.pos)
            if end < 0:
                raise self.fail("String literal does not have matching quotes.")
            value: Any = _unescape(self.text[self.pos + 1 : end])
            self.pos = end + 1
        elif c in ("[", "{"):
            end = matching_bracket(self.text, self.pos, c, "]" if c == "[" else "}")
            if end < 0:
                raise self.fail(f"unbalanced {c!r} in a JSON literal.")
            value = _json_literal(self.text[self.pos : end + 1], self)
            self.pos = end + 1
        elif c == "/":
            value = self.read_regex()
        elif c == "-" or c.isdigit():
            value = self.read_number()
        else:
            for word, literal in (("true", True), ("false", False), ("null", None)):
                if self.text.startswith(word, self.pos):
                    self.pos += len(word)
                    value = literal
                    break
            else:
                raise self.fail(f"unexpected character at position {self.pos}.")
        return _Operand(lambda item, root: value)

    def read_path_text(self) -> str:
        """Jayway: a filter path runs to a blank, an operator character or a ')' that is not the
        end of a function call."""
        text, start = self.text, self.pos
        i = start + 1
        open_calls = 0
        while i < len(text):
            c = text[i]
            if c == "[":
                close = matching_bracket(text, i, "[", "]")
                if close < 0:
                    raise self.fail("Square brackets does not match in filter")
                i = close + 1
                continue
            if c == "(":
                open_calls += 1
            elif c == ")":
                if open_calls == 0:
                    break
                open_calls -= 1
            elif c in " <>=~!&|":
                break
            i += 1
        self.pos = i
        return text[start:i]

    def read_number(self) -> int | float:
        text, start = self.text, self.pos
        end = start
        while end < len(text) and (text[end].isdigit() or text[end] in "-.eE+"):
            end += 1
        self.pos = end
        literal = text[start:end]
        try:
            return int(literal) if literal.lstrip("-").isdigit() else float(literal)
        except ValueError:
            raise self.fail(f"invalid number {literal!r}.") from None

    def read_regex(self) -> RegexLiteral:
        end = skip_quoted(self.text, self.pos)
        if end < 0:
            raise self.fail("Pattern not closed")
        source = self.text[self.pos + 1 : end]
        flags = ""
        i = end + 1
        while i < len(self.text) and self.text[i].isalpha():
            flag = self.text[i]
            if flag not in _REGEX_FLAGS:
                raise self.fail(f"unknown regular expression flag {flag!r}.")
            flags += _REGEX_FLAGS[flag]
            i += 1
        self.pos = i
        try:
            return RegexLiteral(compile_java_regex(source, flags))
        except re.error as e:
            raise self.fail(f"invalid regular expression /{source}/: {e}.") from None


_REGEX_FLAGS = {"i": "i", "m": "m", "s": "s", "x": "x", "u": "", "d": ""}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 5 < len(text):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _json_literal(text: str, parser: _FilterParser) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:  # Jayway's JSON reader also accepts single-quoted strings
        return json.loads(text.replace("'", '"'))
    except ValueError:
        raise parser.fail(f"invalid JSON literal {text}.") from None


def _exists(operand: _Operand, wanted: bool) -> FilterTest:
    read = operand.read
    definite = operand.path is not None and operand.path.is_definite

    def test(item: Any, root: Any) -> bool:
        value = read(item, root)
        found = value is not UNDEFINED if definite else bool(value)
        return found is wanted

    return test


def _relation(compare: Callable[[Any, Any], bool], left: Reader, right: Reader) -> FilterTest:
    return lambda item, root: compare(left(item, root), right(item, root))
