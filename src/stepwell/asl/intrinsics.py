"""Intrinsic function invocations of JSONPath states (``"k.$": "States.Format('{}', $.x)"``).

An invocation is parsed once, into a tree of closures; evaluating it only walks the closures. The
grammar (AWS "Intrinsic functions" page):

    call     := 'States.' Name '(' [ arg { ',' arg } ] ')'        at most 10 calls deep
    arg      := call | string | number | 'true' | 'false' | 'null' | path
    string   := "'" { char | '\\'' | '\\{' | '\\}' | '\\\\' } "'"
    path     := '$...' | '$$...' | '$var...'                        (compiled by paths.py)

"The following characters are reserved for intrinsic functions, and must be escaped with a
backslash ('\\') if you want them to appear in the Value: ' { } and \\." An escaped brace in a
States.Format template is a literal brace, never a placeholder. "If an open escape backslash \\ is
found in the intrinsic invocation string, the interpreter will throw a runtime error": stepwell
reports it when the definition is compiled (InvalidIntrinsic).

Calls whose arguments are all literals and whose function is deterministic are evaluated once, at
compile time, when they succeed (States.ArrayRange(1, 9, 2) costs nothing per execution).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stepwell.asl.intrinsic_functions import BUILT_TEXT_LIMIT, FUNCTIONS, Function, invalid, java_text
from stepwell.asl.paths import compile_path
from stepwell.asl.scope import Scope
from stepwell.errors import EvaluationError

MAX_NESTING = 10  # "You can nest up to 10 intrinsic functions within a field"
_PREFIX = "States."
_SPACE = " \t\n\r"
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ESCAPABLE = frozenset("'{}\\")

Evaluate = Callable[[Scope], Any]


class InvalidIntrinsic(ValueError):
    """The text is not a valid intrinsic invocation (syntax, unknown function, arity, nesting)."""


def is_intrinsic(text: str) -> bool:
    """Whether a ``"k.$"`` value is an intrinsic invocation rather than a path."""
    return text.startswith(_PREFIX)


def compile_intrinsic(text: str) -> Intrinsic:
    """Parse an invocation once; the same text always yields the same (shared) Intrinsic."""
    return _compile_cached(text)


class Intrinsic:
    """A compiled invocation: ``evaluate(scope)`` returns its JSON value."""

    __slots__ = ("_evaluate", "text")

    def __init__(self, text: str, evaluate: Evaluate):
        self.text = text
        self._evaluate = evaluate

    def evaluate(self, scope: Scope) -> Any:
        """The invocation's value; raises EvaluationError for bad arguments (AWS's message), and
        lets a path's PathNotFound through for the caller to report with its field name."""
        return self._evaluate(scope)

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"


@lru_cache(maxsize=8192)
def _compile_cached(text: str) -> Intrinsic:
    parser = _Parser(text)
    call = parser.call(depth=1)
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.error("unexpected text after the closing parenthesis")
    return Intrinsic(text, call.evaluate)


@dataclass(frozen=True, slots=True)
class _Arg:
    """A compiled argument: a closure, and for literals (or folded calls) the value itself."""

    evaluate: Evaluate
    is_constant: bool = False
    value: Any = None
    is_literal: bool = False  # written in the invocation (not a folded call)
    template: tuple[str, ...] | None = None  # a string literal split at its unescaped '{}'


def _constant(value: Any, is_literal: bool = False, template: tuple[str, ...] | None = None) -> _Arg:
    return _Arg(lambda _scope: value, True, value, is_literal, template)


class _Parser:
    """A recursive-descent parser over one invocation text; ``pos`` is the next character."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, message: str) -> InvalidIntrinsic:
        return InvalidIntrinsic(f"Invalid intrinsic function '{self.text}': {message} at offset {self.pos}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.peek() != char:
            raise self.error(f"expected '{char}'")
        self.pos += 1

    # call := 'States.' Name '(' args ')'
    def call(self, depth: int) -> _Arg:
        if depth > MAX_NESTING:
            raise self.error(f"intrinsic functions nest deeper than {MAX_NESTING} levels")
        start = self.pos
        if not self.text.startswith(_PREFIX, start):
            raise self.error("expected an intrinsic function")
        self.pos += len(_PREFIX)
        while self.peek() and self.peek() in _NAME_CHARS:
            self.pos += 1
        name = self.text[start : self.pos]
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.error(f"unknown function '{name}'")
        self.expect("(")
        args = self.arguments(depth)
        if len(args) < function.min_args or (function.max_args >= 0 and len(args) > function.max_args):
            raise self.error(f"{name} does not take {len(args)} argument(s)")
        if name == "States.Format":
            return _compile_format(args)
        if name == "States.JsonMerge" and args[2].is_constant and args[2].value is True:
            raise self.error("States.JsonMerge supports only shallow merging (false)")
        return _compile_call(function, args)

    def arguments(self, depth: int) -> list[_Arg]:
        args: list[_Arg] = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return args
        while True:
            self.skip_space()
            args.append(self.argument(depth))
            self.skip_space()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return args
            if char != ",":
                self.pos -= 1
                raise self.error("expected ',' or ')'")

    def argument(self, depth: int) -> _Arg:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            return self.number()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos) and not self._continues_word(len(word)):
                self.pos += len(word)
                return _constant(value, is_literal=True)
        if self.text.startswith(_PREFIX, self.pos):
            return self.call(depth + 1)
        raise self.error("expected an argument")

    def _continues_word(self, length: int) -> bool:
        following = self.text[self.pos + length : self.pos + length + 1]
        return following in _NAME_CHARS and following != ""

    # string := "'" ... "'" with \' \{ \} \\ escapes
    def string(self) -> _Arg:
        """A string literal; ``chars`` holds its decoded characters, and "{}" for each unescaped
        placeholder so that States.Format knows which braces were escaped."""
        self.pos += 1  # the opening quote
        chars: list[str] = []
        is_template = True  # False once a lone unescaped brace is seen: Format fails on it at run time
        while True:
            char = self.peek()
            if not char:
                raise self.error("unterminated string literal")
            self.pos += 1
            if char == "'":
                break
            if char == "\\":
                escaped = self.peek()
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.error("open escape backslash in a string literal")
                self.pos += 1
                chars.append(escaped)
            elif char == "{" and self.peek() == "}":
                self.pos += 1
                chars.append("{}")
            else:
                is_template = is_template and char not in "{}"
                chars.append(char)
        return _constant("".join(chars), True, _template_parts(chars) if is_template else None)

    def number(self) -> _Arg:
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        digits_start = self.pos
        while self.peek().isdigit():
            self.pos += 1
        integral = self.text[digits_start : self.pos]
        if not integral or (len(integral) > 1 and integral[0] == "0"):
            raise self.error("invalid number")
        is_float = False
        if self.peek() == ".":
            self.pos += 1
            if not self.peek().isdigit():
                raise self.error("invalid number")
            while self.peek().isdigit():
                self.pos += 1
            is_float = True
        if self.peek() in ("e", "E"):
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            if not self.peek().isdigit():
                raise self.error("invalid number")
            while self.peek().isdigit():
                self.pos += 1
            is_float = True
        text = self.text[start : self.pos]
        return _constant(float(text) if is_float else int(text), is_literal=True)

    def path(self) -> _Arg:
        """A path runs to the ',' or ')' that ends the argument, outside brackets and quotes."""
        start, depth, quote = self.pos, 0, ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"" and depth > 0:
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (char == "," or char in _SPACE):
                break
            self.pos += 1
        text = self.text[start : self.pos]
        try:
            path = compile_path(text)
        except ValueError as exc:
            raise self.error(f"invalid path '{text}' ({exc})") from None
        return _Arg(path.evaluate)


def _template_parts(chars: list[str]) -> tuple[str, ...]:
    """The literal pieces around each '{}' placeholder of a decoded string literal."""
    parts: list[str] = []
    current: list[str] = []
    for piece in chars:
        if piece == "{}":
            parts.append("".join(current))
            current = []
        else:
            current.append(piece)
    parts.append("".join(current))
    return tuple(parts)


def _compile_call(function: Function, args: list[_Arg]) -> _Arg:
    apply = function.apply
    evaluators = tuple(arg.evaluate for arg in args)
    if function.pure and all(arg.is_constant for arg in args):
        try:
            return _constant(apply(tuple(arg.value for arg in args), _NO_SCOPE))
        except EvaluationError:
            pass  # a literal call that fails: fail each time it runs, as AWS does
    if not evaluators:
        return _Arg(lambda scope: apply((), scope))
    if len(evaluators) == 1:
        (first,) = evaluators
        return _Arg(lambda scope: apply((first(scope),), scope))
    if len(evaluators) == 2:
        first, second = evaluators
        return _Arg(lambda scope: apply((first(scope), second(scope)), scope))
    return _Arg(lambda scope: apply(tuple(evaluate(scope) for evaluate in evaluators), scope))


def _compile_format(args: list[_Arg]) -> _Arg:
    """States.Format(template, ...values): each '{}' takes the next value's text."""
    name = "States.Format"
    template, values = args[0], tuple(arg.evaluate for arg in args[1:])
    count = len(values)

    def render(parts: tuple[str, ...], scope: Scope) -> str:
        # "There must be as many remaining arguments in the Invocation as there are occurrences of {}."
        if len(parts) - 1 != count:
            raise invalid(name)
        out = [parts[0]]
        size = len(parts[0])
        for evaluate, part in zip(values, parts[1:], strict=True):
            text = java_text(evaluate(scope))
            out.append(text)
            out.append(part)
            size += len(text) + len(part)
            if size > BUILT_TEXT_LIMIT:  # refused before the pieces are joined
                raise invalid(name)
        return "".join(out)

    if template.is_literal:
        if template.template is None:  # a non-string literal, or a lone brace in the template
            return _Arg(_raiser(name))
        parts = template.template
        if all(arg.is_constant for arg in args[1:]) and len(parts) - 1 == count:
            return _constant(render(parts, _NO_SCOPE))
        return _Arg(lambda scope: render(parts, scope))

    evaluate_template = template.evaluate

    def dynamic(scope: Scope) -> str:
        text = evaluate_template(scope)
        if not isinstance(text, str):
            raise invalid(name)
        return render(_split_runtime_template(text, name), scope)

    return _Arg(dynamic)


def _split_runtime_template(text: str, name: str) -> tuple[str, ...]:
    """A template that came from the input: '{}' are placeholders, any other brace is an error."""
    parts = text.split("{}")
    for part in parts:
        if "{" in part or "}" in part:
            raise invalid(name)
    return tuple(parts)


def _raiser(name: str) -> Evaluate:
    def fail(_scope: Scope) -> Any:
        raise invalid(name)

    return fail


_NO_SCOPE = Scope(None)  # pure functions never read their scope
