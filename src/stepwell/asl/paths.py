"""JSONPath as AWS Step Functions reads it.

AWS evaluates JSONPath with the Java Jayway JsonPath library; this module reproduces Jayway's
semantics (not its code): dot and bracket names, indices counted from the end when negative,
slices, wildcards, deep scan, unions, filters and trailing functions such as ``length()``.

A path is compiled once into a ``JsonPath``. Two evaluation shapes exist, as in Jayway:

* a *definite* path (names and single indices only) yields one value, or raises
  ``PathNotFound`` with Jayway's text ("No results for path: $['a']", "Missing property in path
  $['a']", ...). Its evaluation is a tight loop over pre-split keys: it is the engine's hot path.
* an *indefinite* path (``[*]``, ``..``, slices, filters, index unions) yields the list of every
  match, ``[]`` when nothing matches, even when intermediate keys are missing: "Wildcards and slices
  on missing input return []" (recorded against AWS).

Roots: ``$`` is the state input, ``$$`` the context object and ``$name`` the workflow variable
``name``. ``compile_reference_path`` accepts the "reference paths" ResultPath needs and
``ReferencePath.put`` writes a value at one, copy-on-write.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from stepwell.asl.scope import Scope
from stepwell.errors import RESULT_PATH_MATCH_FAILURE, EvaluationError

__all__ = [
    "InvalidPath",
    "JsonPath",
    "PathNotFound",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
]


# Jayway's messages name the Java class of the offending value and the JSON provider in use; AWS's
# provider is not documented, Jayway's default (json-smart) is assumed.
_PROVIDER = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"


class _Undefined:
    """The value of a definite path that matches nothing, where no exception is wanted (a filter
    operand, Jayway's UNDEFINED; a missing key while placing a result)."""

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Any = _Undefined()


class PathNotFound(Exception):
    """A definite path matched nothing. ``detail`` is Jayway's message; ``str()`` is the text AWS
    reports for InputPath/OutputPath: "Invalid path '$.x' : No results for path: $['x']"."""

    def __init__(self, path: str, detail: str):
        self.path = path
        self.detail = detail
        super().__init__(f"Invalid path '{path}' : {detail}")


class InvalidPath(ValueError):
    """A path that does not parse (validation reports it as SCHEMA_VALIDATION_FAILED)."""


# --- syntax -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    key: str


@dataclass(frozen=True, slots=True)
class NameUnion:
    """``['a','b']``. As the last token Jayway merges the present names into one object
    (``merge``); elsewhere each name is a separate match."""

    keys: tuple[str, ...]
    merge: bool


@dataclass(frozen=True, slots=True)
class Index:
    index: int


@dataclass(frozen=True, slots=True)
class IndexUnion:
    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    start: int | None
    stop: int | None


@dataclass(frozen=True, slots=True)
class Wildcard:
    pass


@dataclass(frozen=True, slots=True)
class Filter:
    expression: str


@dataclass(frozen=True, slots=True)
class Scan:
    """``..`` followed by the selector it looks for at every depth."""

    target: Selector


@dataclass(frozen=True, slots=True)
class Function:
    name: str


Selector = Name | NameUnion | Index | IndexUnion | Slice | Wildcard | Filter | Scan


@dataclass(frozen=True, slots=True)
class ParsedPath:
    root: str  # "$", "$$", "@" (a filter's current item) or a variable name
    selectors: tuple[Selector, ...]
    function: Function | None
    is_definite: bool


def parse_path(text: str, allow_item_root: bool = False) -> ParsedPath:
    """The syntax tree of a path (uncached; ``compile_path`` is the cached, evaluable form).
    ``allow_item_root`` admits the ``@`` root of paths inside filters. Raises InvalidPath."""
    return _PathParser(text, allow_item_root).parse()


class _PathParser:
    """A recursive-descent reader of Jayway's path grammar."""

    def __init__(self, text: str, allow_item_root: bool):
        self.text = text
        self.pos = 0
        self.allow_item_root = allow_item_root

    def fail(self, message: str) -> InvalidPath:
        return InvalidPath(f"Invalid JSONPath '{self.text}': {message}")

    def parse(self) -> ParsedPath:
        root = self.read_root()
        selectors: list[Selector] = []
        function: Function | None = None
        text, n = self.text, len(self.text)
        while self.pos < n:
            if function is not None:
                raise self.fail(f"a function must end the path (position {self.pos}).")
            c = text[self.pos]
            if c == ".":
                if text.startswith("..", self.pos):
                    self.pos += 2
                    if self.pos >= n:
                        raise self.fail("Path must not end with a '.' or '..'")
                    target = self.read_after_scan()
                    selectors.append(Scan(target))
                    continue
                self.pos += 1
                if self.pos >= n:
                    raise self.fail("Path must not end with a '.' or '..'")
                c = text[self.pos]
                if c == ".":
                    raise self.fail(f"Character '.' on position {self.pos} is not valid.")
                if c == "[":
                    continue
                if c == "*":
                    self.pos += 1
                    selectors.append(Wildcard())
                    continue
                token = self.read_dot_name()
                if isinstance(token, Function):
                    function = token
                else:
                    selectors.append(token)
            elif c == "[":
                selectors.append(self.read_bracket())
            else:
                raise self.fail(f"Could not parse token starting at position {self.pos}.")
        if function is None and selectors:
            # Jayway merges a name union into one object when it is the last token.
            last = selectors[-1]
            if isinstance(last, NameUnion):
                selectors[-1] = NameUnion(last.keys, merge=True)
            elif isinstance(last, Scan) and isinstance(last.target, NameUnion):
                selectors[-1] = Scan(NameUnion(last.target.keys, merge=True))
        definite = all(
            isinstance(s, Name | Index) or (isinstance(s, NameUnion) and s.merge) for s in selectors
        )
        return ParsedPath(root, tuple(selectors), function, definite)

    def read_root(self) -> str:
        text = self.text
        if text.startswith("$$"):
            self.pos = 2
            return "$$"
        if self.allow_item_root and text.startswith("@"):
            self.pos = 1
            return "@"
        if not text.startswith("$"):
            raise self.fail("a path must start with '$'.")
        end = 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        self.pos = end
        name = text[1:end]
        if not name:
            return "$"
        if name[0].isdigit():
            raise self.fail("a variable name must not start with a digit.")
        return name

    def read_after_scan(self) -> Selector:
        c = self.text[self.pos]
        if c == "[":
            return self.read_bracket()
        if c == "*":
            self.pos += 1
            return Wildcard()
        token = self.read_dot_name()
        if isinstance(token, Function):
            raise self.fail("a deep scan must be followed by a name, '*' or '['.")
        return token

    def read_dot_name(self) -> Name | Function:
        """Jayway: a dot name runs to the next '.', '[' or '('; a blank is an error."""
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end] not in ".[(":
            if text[end] == " ":
                raise self.fail(
                    "Use bracket notion ['my prop'] if your property contains blank characters. "
                    f"position: {end}"
                )
            end += 1
        name = text[start:end]
        if not name:
            raise self.fail(f"Could not parse token starting at position {start}.")
        if end < len(text) and text[end] == "(":
            if not text.startswith("()", end):
                raise self.fail(f"function '{name}' takes no arguments here.")
            if name not in _FUNCTIONS:
                raise self.fail(f"Function with name: {name} does not exist.")
            self.pos = end + 2
            return Function(name)
        self.pos = end
        return Name(name)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def expect_close(self) -> None:
        self.skip_blanks()
        if self.pos >= len(self.text) or self.text[self.pos] != "]":
            raise self.fail(f"expected ']' at position {self.pos}.")
        self.pos += 1

    def read_bracket(self) -> Selector:
        self.pos += 1  # '['
        self.skip_blanks()
        if self.pos >= len(self.text):
            raise self.fail("Property has not been closed - missing closing ]")
        c = self.text[self.pos]
        if c in "'\"":
            return self.read_bracket_names(c)
        if c == "*":
            self.pos += 1
            self.expect_close()
            return Wildcard()
        if c == "?":
            return self.read_filter()
        return self.read_array_spec()

    def read_bracket_names(self, quote: str) -> Name | NameUnion:
        # A backslash protects the next character from ending the name but stays in it: AWS
        # matches "$['Test\\"Name']" against the key `Test\"Name` (recorded escape-sequence case).
        text, i = self.text, self.pos
        names: list[str] = []
        start = i
        in_name = escaped = after_comma = False
        while i < len(text):
            c = text[i]
            if in_name:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    names.append(text[start:i])
                    in_name = False
            elif c == quote:
                if len(names) > 0 and not after_comma:
                    raise self.fail(
                        "Property must be separated by comma or Property must be terminated close "
                        f"square bracket at index {i}"
                    )
                start, in_name, after_comma = i + 1, True, False
            elif c == ",":
                if after_comma or not names:
                    raise self.fail(f"Found empty property at index {i}")
                after_comma = True
            elif c == "]":
                if after_comma:
                    raise self.fail(f"Found empty property at index {i}")
                break
            elif c != " ":
                raise self.fail(
                    "Property must be separated by comma or Property must be terminated close "
                    f"square bracket at index {i}"
                )
            i += 1
        if i >= len(text) or in_name:
            raise self.fail("Property has not been closed - missing closing ]")
        self.pos = i + 1
        if len(names) == 1:
            return Name(names[0])
        return NameUnion(tuple(names), merge=False)

    def read_array_spec(self) -> Index | IndexUnion | Slice:
        end = self.text.find("]", self.pos)
        if end < 0:
            raise self.fail("Property has not been closed - missing closing ]")
        spec = self.text[self.pos : end].strip()
        self.pos = end + 1
        if not spec or any(c not in "0123456789-:, " for c in spec):
            raise self.fail(f"Failed to parse array index or slice: '[{spec}]'")
        try:
            if ":" in spec:
                first, _, second = spec.partition(":")
                if ":" in second or "," in spec or not (first.strip() or second.strip()):
                    raise ValueError(spec)
                return Slice(int(first) if first.strip() else None, int(second) if second.strip() else None)
            indices = tuple(int(part) for part in spec.split(","))
        except ValueError:
            raise self.fail(f"Failed to parse array index or slice: '[{spec}]'") from None
        return Index(indices[0]) if len(indices) == 1 else IndexUnion(indices)

    def read_filter(self) -> Filter:
        text = self.text
        self.pos += 1  # '?'
        self.skip_blanks()
        if self.pos >= len(text) or text[self.pos] != "(":
            raise self.fail(f"expected '(' after '[?' at position {self.pos}.")
        close = _matching(text, self.pos, "(", ")")
        if close < 0:
            raise self.fail("Could not find matching close for ( in filter.")
        expression = text[self.pos + 1 : close]
        self.pos = close + 1
        self.expect_close()
        _compile_filter(expression)  # report syntax errors now
        return Filter(expression)


def _matching(text: str, open_at: int, opening: str, closing: str) -> int:
    """The index of the bracket closing the one at ``open_at``, skipping quoted strings and
    /regex/ literals; -1 when there is none."""
    depth = 0
    i = open_at
    while i < len(text):
        c = text[i]
        if c in "'\"" or (c == "/" and opening == "("):
            i = _skip_quoted(text, i)
            if i < 0:
                return -1
        elif c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _skip_quoted(text: str, start: int) -> int:
    """The index of the quote closing the one at ``start`` (backslash escapes), or -1."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def render(parsed: ParsedPath, *extra: Selector | Function) -> str:
    """Jayway's canonical form of a path, as its messages print it: $['a'][0][*]..['b']"""
    tokens: list[Selector | Function] = [*parsed.selectors]
    if parsed.function is not None:
        tokens.append(parsed.function)
    tokens.extend(extra)
    return "$" + "".join(_fragment(t) for t in tokens)


def _fragment(token: Selector | Function) -> str:
    if isinstance(token, Name):
        return f"['{token.key}']"
    if isinstance(token, NameUnion):
        return "[" + ",".join(f"'{k}'" for k in token.keys) + "]"
    if isinstance(token, Index):
        return f"[{token.index}]"
    if isinstance(token, IndexUnion):
        return "[" + ",".join(str(i) for i in token.indices) + "]"
    if isinstance(token, Slice):
        start = "" if token.start is None else str(token.start)
        stop = "" if token.stop is None else str(token.stop)
        return f"[{start}:{stop}]"
    if isinstance(token, Wildcard):
        return "[*]"
    if isinstance(token, Filter):
        return "[?]"
    if isinstance(token, Scan):
        return ".." + _fragment(token.target)
    return f".{token.name}()"


class JsonPath:
    """A compiled path. ``find(value)`` applies it to a value (ignoring the root), ``evaluate(scope)``
    to the root it names. Definite paths return one value or raise ``PathNotFound``; indefinite
    paths return a list of matches. A path ending in a function (``$.a.length()``) returns the
    function's value."""

    text: str
    root: str
    is_definite: bool
    find: Callable[[Any], Any]
    evaluate: Callable[[Scope], Any]

    __slots__ = ("_parsed", "evaluate", "find", "is_definite", "root", "text")

    def __init__(self, text: str, parsed: ParsedPath):
        self.text = text
        self.root = parsed.root
        self._parsed = parsed
        self.is_definite = parsed.is_definite
        self.find = _finder(parsed, text)
        self.evaluate = _evaluator(parsed.root, self.find)

    def get(self, value: Any, default: Any = None) -> Any:
        """Like ``find``, but ``default`` instead of ``PathNotFound``."""
        try:
            return self.find(value)
        except PathNotFound:
            return default

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"


def compile_path(text: str) -> JsonPath:
    """Compile a path; the same text always gives the same (immutable) object."""
    if not isinstance(text, str):
        raise InvalidPath(f"A path must be a string, got {type(text).__name__}.")
    return _compile_path(text)


@lru_cache(maxsize=4096)
def _compile_path(text: str) -> JsonPath:
    return JsonPath(text, parse_path(text))


class ReferencePath:
    """A ResultPath: ``$`` or a definite path rooted at ``$`` made of names and single indices."""

    __slots__ = ("_keys", "text")

    def __init__(self, text: str, keys: tuple[str | int, ...]):
        self.text = text
        self._keys = keys

    def put(self, target: Any, value: Any) -> Any:
        """A new value: ``target`` with ``value`` placed at this path. ``target`` is not changed;
        the objects along the path are copied, missing objects created."""
        if not self._keys:
            return value
        return self._put(target, target, 0, value)

    def _put(self, whole: Any, node: Any, depth: int, value: Any) -> Any:
        key = self._keys[depth]
        last = depth == len(self._keys) - 1
        if type(key) is str:
            if type(node) is not dict:
                raise self._failure(whole)
            copy = dict(node)
            if last:
                copy[key] = value
            else:
                child = node.get(key, UNDEFINED)
                copy[key] = self._put(whole, {} if child is UNDEFINED else child, depth + 1, value)
            return copy
        if type(node) is not list or not -len(node) <= key < len(node):  # type: ignore[operator]
            raise self._failure(whole)
        items = list(node)
        items[key] = value if last else self._put(whole, node[key], depth + 1, value)  # type: ignore[index]
        return items

    def _failure(self, whole: Any) -> EvaluationError:
        # States.ResultPathMatchFailure: "a state's ResultPath field cannot be applied to the
        # input the state received". The wording is AWS's as remembered, not recorded.
        return EvaluationError(
            RESULT_PATH_MATCH_FAILURE, f"Unable to apply ReferencePath {self.text} to input {_compact(whole)}"
        )

    def __repr__(self) -> str:
        return f"ReferencePath({self.text!r})"


def compile_reference_path(text: str) -> ReferencePath:
    """Compile a ResultPath; ``InvalidPath`` unless it is ``$`` or a definite ``$`` path."""
    if not isinstance(text, str):
        raise InvalidPath(f"A path must be a string, got {type(text).__name__}.")
    return _compile_reference_path(text)


@lru_cache(maxsize=1024)
def _compile_reference_path(text: str) -> ReferencePath:
    parsed = parse_path(text)
    if parsed.root != "$":
        raise InvalidPath(f"The reference path '{text}' must start with '$'.")
    keys: list[str | int] = []
    for selector in parsed.selectors:
        if isinstance(selector, Name):
            keys.append(selector.key)
        elif isinstance(selector, Index):
            keys.append(selector.index)
        else:
            raise InvalidPath(f"The reference path '{text}' must select a single node.")
    if parsed.function is not None:
        raise InvalidPath(f"The reference path '{text}' must select a single node.")
    return ReferencePath(text, tuple(keys))


# --- evaluation ---------------------------------------------------------------------------------


def _evaluator(root: str, find: Callable[[Any], Any]) -> Callable[[Scope], Any]:
    if root == "$":
        return lambda scope: find(scope.input)
    if root == "$$":
        return lambda scope: find(scope.context())
    return lambda scope: find(scope.variable(root))


def _finder(parsed: ParsedPath, text: str) -> Callable[[Any], Any]:
    """Build the fastest evaluation function this path allows."""
    if not parsed.selectors and parsed.function is None:
        return _identity
    if parsed.is_definite:
        return _definite_finder(parsed, text)
    return _indefinite_finder(parsed)


def _identity(value: Any) -> Any:
    return value


def _split_definite(parsed: ParsedPath) -> tuple[tuple[str | int, ...], tuple[str, ...] | None]:
    """A definite path's keys (names and indices) and the names of a final merging union."""
    steps = parsed.selectors
    merged: tuple[str, ...] | None = None
    if steps and isinstance(steps[-1], NameUnion):
        merged, steps = steps[-1].keys, steps[:-1]
    keys: list[str | int] = []
    for step in steps:
        assert isinstance(step, Name | Index)
        keys.append(step.key if isinstance(step, Name) else step.index)
    return tuple(keys), merged


def _definite_probe(parsed: ParsedPath) -> Callable[[Any], Any]:
    """A definite path's value, or UNDEFINED when it matches nothing (never raises)."""
    keys, merged = _split_definite(parsed)
    function = parsed.function

    def probe(value: Any) -> Any:
        try:
            for key in keys:
                # An integer key must meet a list: a string would yield a character. A list
                # indexed by a string raises TypeError, an index out of range IndexError.
                if type(key) is int and type(value) is not list:
                    return UNDEFINED
                value = value[key]
        except (KeyError, TypeError, IndexError):
            return UNDEFINED
        if merged is not None:
            if type(value) is not dict:
                return UNDEFINED
            value = {k: value[k] for k in merged if k in value}
        return _apply_function(function, value) if function is not None else value

    return probe


def _definite_finder(parsed: ParsedPath, text: str) -> Callable[[Any], Any]:
    keys, merged = _split_definite(parsed)
    if merged is None and parsed.function is None and all(type(k) is str for k in keys):
        # The hot path: names only. A dict missing the key raises KeyError and any other JSON
        # value indexed by a string raises TypeError, so the loop needs no type test.
        def walk(value: Any) -> Any:
            root = value
            try:
                for key in keys:
                    value = value[key]
            except (KeyError, TypeError):
                raise PathNotFound(text, _diagnose(parsed, root)) from None
            return value

        return walk
    probe = _definite_probe(parsed)

    def find(value: Any) -> Any:
        found = probe(value)
        if found is UNDEFINED:
            raise PathNotFound(text, _diagnose(parsed, value))
        return found

    return find


def _indefinite_finder(parsed: ParsedPath) -> Callable[[Any], Any]:
    steps = [_step(s) for s in parsed.selectors]
    function = parsed.function
    aggregate = any(isinstance(s, Scan) for s in parsed.selectors)

    def find(value: Any) -> Any:
        nodes = [value]
        for step in steps:
            nodes = step(nodes, value)
            if not nodes:
                break
        if function is None:
            return nodes
        # Jayway applies a function after a deep scan to the whole result ("$..book.length()" is
        # the number of books), otherwise to each match.
        if aggregate:
            return _apply_function(function, nodes)
        return [_apply_function(function, n) for n in nodes]

    return find


Step = Callable[[list[Any], Any], list[Any]]


def _step(selector: Selector) -> Step:
    """A function from the nodes matched so far to the nodes this selector matches."""
    if isinstance(selector, Scan):
        return _scan_step(selector.target)
    apply = _applier(selector)

    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            apply(node, root, out)
        return out

    return step


Applier = Callable[[Any, Any, list[Any]], None]


def _applier(selector: Selector) -> Applier:
    """A function appending the matches of ``selector`` on one node to ``out``."""
    if isinstance(selector, Name):
        key = selector.key

        def name(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict and key in node:
                out.append(node[key])

        return name
    if isinstance(selector, NameUnion):
        keys = selector.keys
        merge = selector.merge

        def names(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict:
                if merge:
                    out.append({k: node[k] for k in keys if k in node})
                else:
                    out.extend(node[k] for k in keys if k in node)

        return names
    if isinstance(selector, Index | IndexUnion):
        indices = (selector.index,) if isinstance(selector, Index) else selector.indices

        def index(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is list:
                n = len(node)
                out.extend(node[i] for i in indices if -n <= i < n)

        return index
    if isinstance(selector, Slice):
        return _slice_applier(selector)
    if isinstance(selector, Wildcard):

        def wildcard(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict:
                out.extend(node.values())
            elif type(node) is list:
                out.extend(node)

        return wildcard
    if isinstance(selector, Filter):
        accept = _compile_filter(selector.expression)

        def filtered(node: Any, root: Any, out: list[Any]) -> None:
            # Jayway tests an object itself, and each element of an array.
            if type(node) is dict:
                if accept(node, root):
                    out.append(node)
            elif type(node) is list:
                out.extend(item for item in node if accept(item, root))

        return filtered
    raise AssertionError(f"unexpected selector {selector!r}")


def _slice_applier(selector: Slice) -> Applier:
    start, stop = selector.start, selector.stop

    def take(node: Any, root: Any, out: list[Any]) -> None:
        if type(node) is not list or not node:
            return
        n = len(node)
        # Jayway: "[a:]" and "[:b]" count negative bounds from the end; "[a:b]" clips b to the
        # length and reads indices a..b-1 one by one, a negative index counting from the end.
        if stop is None:
            assert start is not None
            first = max(0, n + start if start < 0 else start)
            out.extend(node[first:])
        elif start is None:
            last = min(n, n + stop if stop < 0 else stop)
            out.extend(node[: max(0, last)])
        else:
            last = min(n, stop)
            out.extend(node[i] for i in range(start, last) if -n <= i < n)

    return take


def _scan_step(target: Selector) -> Step:
    """``..x``: every object and array below (and including) each node, in document order, tested
    against ``x``: a name matches objects holding it, an index or slice matches arrays, a wildcard
    or filter matches everything it can apply to."""
    apply = _applier(target)
    if isinstance(target, Name):
        key = target.key

        def applies(node: Any) -> bool:
            return type(node) is dict and key in node
    elif isinstance(target, NameUnion):
        wanted = target.keys

        def applies(node: Any) -> bool:
            return type(node) is dict and all(k in node for k in wanted)
    elif isinstance(target, Index | IndexUnion | Slice):

        def applies(node: Any) -> bool:
            return type(node) is list
    elif isinstance(target, Filter):
        # Jayway walks every object and array; objects are tested themselves, while an array
        # node would have its elements tested, which the walk reaches anyway.
        def applies(node: Any) -> bool:
            return type(node) is dict
    else:

        def applies(node: Any) -> bool:
            return True

    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        # Depth-first, children in document order; only objects and arrays are visited.
        stack = [n for n in reversed(nodes) if type(n) is dict or type(n) is list]
        while stack:
            node = stack.pop()
            if applies(node):
                apply(node, root, out)
            inner = [c for c in (node.values() if type(node) is dict else node) if type(c) in _CONTAINERS]
            if inner:
                inner.reverse()
                stack.extend(inner)
        return out

    return step


_CONTAINERS = (dict, list)


# --- functions ----------------------------------------------------------------------------------


def _numbers(value: Any) -> list[int | float]:
    return [v for v in value if type(v) in (int, float)] if type(value) is list else []


def _aggregate(combine: Callable[[list[int | float]], float]) -> Callable[[Any], Any]:
    """Jayway's numeric functions read the numbers of an array; with none there is no value."""

    def apply(value: Any) -> Any:
        numbers = _numbers(value)
        return combine(numbers) if numbers else None

    return apply


def _stddev(nums: list[int | float]) -> float:
    mean = sum(nums) / len(nums)
    return math.sqrt(sum((x - mean) ** 2 for x in nums) / len(nums))


_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    # Jayway: length() of an array or object; null for anything else.
    "length": lambda v: len(v) if type(v) in (list, dict) else None,
    "size": lambda v: len(v) if type(v) in (list, dict) else None,
    "min": _aggregate(lambda n: float(min(n))),
    "max": _aggregate(lambda n: float(max(n))),
    "sum": _aggregate(lambda n: float(sum(n))),
    "avg": _aggregate(lambda n: sum(n) / len(n)),
    "stddev": _aggregate(_stddev),
    "keys": lambda v: list(v) if type(v) is dict else None,
    "first": lambda v: v[0] if type(v) is list and v else None,
    "last": lambda v: v[-1] if type(v) is list and v else None,
}


def _apply_function(function: Function, value: Any) -> Any:
    return _FUNCTIONS[function.name](value)


# --- filters ------------------------------------------------------------------------------------
# Jayway's filter language: "[?(<expression>)]" where an expression combines relations with &&, ||,
# ! and parentheses. A relation compares two operands (paths, 'strings', numbers, true, false,
# null, JSON arrays/objects, /regex/flags); a path alone tests that it exists.


Reader = Callable[[Any, Any], Any]  # (current item, document root) -> operand value
Test = Callable[[Any, Any], bool]


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Operand:
    read: Reader
    path: ParsedPath | None = None  # set for paths: only they may stand alone (existence test)


@lru_cache(maxsize=1024)
def _compile_filter(expression: str) -> Test:
    return _FilterParser(expression).parse()


def _filter_path(text: str) -> _Operand:
    """A path inside a filter: ``@...`` reads the current item, ``$...`` the document root. A
    definite path that matches nothing reads UNDEFINED."""
    parsed = parse_path(text, allow_item_root=True)
    if parsed.root not in ("$", "@"):
        raise InvalidPath(f"Invalid JSONPath '{text}': a filter path must start with '@' or '$'.")
    find: Callable[[Any], Any]
    if not parsed.selectors and parsed.function is None:
        find = _identity
    elif parsed.is_definite:
        find = _definite_probe(parsed)
    else:
        find = _indefinite_finder(parsed)
    if parsed.root == "$":
        return _Operand(lambda item, root: find(root), parsed)
    return _Operand(lambda item, root: find(item), parsed)


class _FilterParser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> InvalidPath:
        return InvalidPath(f"Invalid filter '{self.text}': {message}")

    def parse(self) -> Test:
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

    def read_or(self) -> Test:
        tests = [self.read_and()]
        while self.accept("||"):
            tests.append(self.read_and())
        if len(tests) == 1:
            return tests[0]
        return lambda item, root: any(t(item, root) for t in tests)

    def read_and(self) -> Test:
        tests = [self.read_unary()]
        while self.accept("&&"):
            tests.append(self.read_unary())
        if len(tests) == 1:
            return tests[0]
        return lambda item, root: all(t(item, root) for t in tests)

    def read_unary(self) -> Test:
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

    def read_relation(self) -> Test:
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
        return _relation(_OPERATORS[operator], left.read, right.read)

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
        if operator not in _OPERATORS:
            raise self.fail(f"Filter operator {text[start:end]} is not supported!")
        self.pos = end
        return operator

    def read_operand(self) -> _Operand:
        c = self.peek()
        if c in ("@", "$"):
            return _filter_path(self.read_path_text())
        if c in ("'", '"'):
            end = _skip_quoted(self.text, self.pos)
            if end < 0:
                raise self.fail("String literal does not have matching quotes.")
            value: Any = _unescape(self.text[self.pos + 1 : end])
            self.pos = end + 1
        elif c in ("[", "{"):
            end = _matching(self.text, self.pos, c, "]" if c == "[" else "}")
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
                close = _matching(text, i, "[", "]")
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

    def read_regex(self) -> _Pattern:
        end = _skip_quoted(self.text, self.pos)
        if end < 0:
            raise self.fail("Pattern not closed")
        source = self.text[self.pos + 1 : end]
        flags = 0
        i = end + 1
        while i < len(self.text) and self.text[i].isalpha():
            flag = self.text[i]
            if flag not in _REGEX_FLAGS:
                raise self.fail(f"unknown regular expression flag {flag!r}.")
            flags |= _REGEX_FLAGS[flag]
            i += 1
        self.pos = i
        try:
            return _Pattern(re.compile(source, flags))
        except re.error as e:
            raise self.fail(f"invalid regular expression /{source}/: {e}.") from None


_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0, "d": 0}
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


def _exists(operand: _Operand, wanted: bool) -> Test:
    read = operand.read
    definite = operand.path is not None and operand.path.is_definite

    def test(item: Any, root: Any) -> bool:
        value = read(item, root)
        found = value is not UNDEFINED if definite else bool(value)
        return found is wanted

    return test


def _relation(compare: Callable[[Any, Any], bool], left: Reader, right: Reader) -> Test:
    return lambda item, root: compare(left(item, root), right(item, root))


def _is_number(v: Any) -> bool:
    return type(v) is int or type(v) is float


def _number_text(v: int | float) -> str:
    return repr(v)


def _equals(left: Any, right: Any) -> bool:
    """Jayway's node equality: a string equals a number whose text it is and a number equals a
    string that parses to it; arrays and objects compare as JSON; booleans and null only equal
    their own kind."""
    lt, rt = type(left), type(right)
    if lt in (list, dict) and rt in (list, dict):
        return _json_equal(left, right)
    if lt is str:
        if rt is str:
            return bool(left == right)
        return _is_number(right) and left == _number_text(right)
    if _is_number(left):
        if _is_number(right):
            return bool(left == right)
        if rt is str:
            try:
                return Decimal(right) == Decimal(repr(left))
            except InvalidOperation:
                return False
        return False
    if lt is bool:
        return rt is bool and left is right
    if left is None:
        return right is None
    return False


def _json_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _ordered(holds: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    """Jayway orders two numbers, or two strings (by UTF-16 code units, as Java does)."""

    def compare(left: Any, right: Any) -> bool:
        if _is_number(left) and _is_number(right):
            return holds((left > right) - (left < right))
        if type(left) is str and type(right) is str:
            a, b = left.encode("utf-16-be"), right.encode("utf-16-be")
            return holds((a > b) - (a < b))
        return False

    return compare


def _regex_input(value: Any) -> str:
    if type(value) is str:
        return value
    if _is_number(value):
        return _number_text(value)
    if type(value) is bool:
        return "true" if value else "false"
    return ""


def _matches(left: Any, right: Any) -> bool:
    if isinstance(left, _Pattern) == isinstance(right, _Pattern):
        return False
    pattern, value = (left, right) if isinstance(left, _Pattern) else (right, left)
    return pattern.regex.fullmatch(_regex_input(value)) is not None


def _within(left: Any, right: Any) -> bool:
    return type(right) is list and any(_equals(left, x) for x in right)


def _contains(left: Any, right: Any) -> bool:
    if type(left) is str and type(right) is str:
        return right in left
    return type(left) is list and any(_equals(right, x) for x in left)


def _size(left: Any, right: Any) -> bool:
    if not _is_number(right) or type(left) not in (str, list):
        return False
    return len(left) == int(right)


def _empty(left: Any, right: Any) -> bool:
    if type(right) is not bool or type(left) not in (str, list):
        return False
    return (len(left) == 0) is right


def _lists(test: Callable[[list[Any], list[Any]], bool]) -> Callable[[Any, Any], bool]:
    return lambda left, right: type(left) is list and type(right) is list and test(left, right)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equals,
    "!=": lambda left, right: not _equals(left, right),
    "<": _ordered(lambda c: c < 0),
    "<=": _ordered(lambda c: c <= 0),
    ">": _ordered(lambda c: c > 0),
    ">=": _ordered(lambda c: c >= 0),
    "=~": _matches,
    "in": _within,
    "nin": lambda left, right: not _within(left, right),
    "contains": _contains,
    "size": _size,
    "empty": _empty,
    "subsetof": _lists(lambda left, right: all(_within(x, right) for x in left)),
    "anyof": _lists(lambda left, right: any(_within(x, right) for x in left)),
    "noneof": _lists(lambda left, right: not any(_within(x, right) for x in left)),
}


# --- Jayway's messages for a definite path that matched nothing -----------------------------------


def _diagnose(parsed: ParsedPath, root: Any) -> str:
    """Re-walk a definite path that failed, producing the message Jayway raises."""
    tokens: list[Selector | Function] = list(parsed.selectors)
    if parsed.function is not None:
        tokens.append(parsed.function)
    full = render(parsed)
    current = "$"
    value = root
    for i, token in enumerate(tokens):
        leaf = i == len(tokens) - 1
        fragment = _fragment(token)
        if isinstance(token, Name | NameUnion):
            if type(value) is not dict:
                return (
                    f"Expected to find an object with property {fragment} in path {current} but found "
                    f"'{_java_class(value)}'. This is not a json object according to the JsonProvider: "
                    f"'{_PROVIDER}'."
                )
            if isinstance(token, NameUnion):
                return f"No results for path: {full}"
            if token.key not in value:
                if leaf:
                    return f"No results for path: {full}"
                return f"Missing property in path {current}{fragment}"
            value = value[token.key]
        elif isinstance(token, Index):
            if value is None:
                return f"The path {current} is null"
            if type(value) is not list:
                remaining = "".join(_fragment(t) for t in tokens[i:])
                return (
                    f"Filter: {remaining} can only be applied to arrays. "
                    f"Current context is: {_compact(value)}"
                )
            n = len(value)
            if not -n <= token.index < n:
                return f"No results for path: {full}"
            value = value[token.index]
        current += fragment
    return f"No results for path: {full}"


def _java_class(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -(2**31) <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    return "net.minidev.json.JSONObject"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
