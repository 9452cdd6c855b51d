"""JSONPath as AWS Step Functions reads it: the public API.

AWS evaluates JSONPath with the Java Jayway JsonPath library; these modules reproduce Jayway's
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

The work is done by the package's modules: ``tree`` (the parsed form and the path functions),
``syntax`` (the parser), ``filters`` and ``filter_operators`` (the filter language), ``evaluate``
(evaluation) and ``errors`` (the errors and Jayway's messages).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from stepwell.asl import jsoncodec
from stepwell.asl.paths.errors import InvalidPath, PathNotFound
from stepwell.asl.paths.evaluate import UNDEFINED, evaluator, finder
from stepwell.asl.paths.filters import compile_filter
from stepwell.asl.paths.syntax import parse_path_syntax
from stepwell.asl.paths.tree import Index, Name, ParsedPath
from stepwell.asl.scope import Scope
from stepwell.errors import RESULT_PATH_MATCH_FAILURE, EvaluationError

__all__ = [
    "InvalidPath",
    "JsonPath",
    "ParsedPath",
    "PathNotFound",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
    "parse_path",
]


def parse_path(text: str, allow_item_root: bool = False) -> ParsedPath:
    """The syntax tree of a path (uncached; ``compile_path`` is the cached, evaluable form).
    ``allow_item_root`` admits the ``@`` root of paths inside filters. Raises InvalidPath."""
    return parse_path_syntax(text, compile_filter, allow_item_root)


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
        self.find = finder(parsed, text, compile_filter)
        self.evaluate = evaluator(parsed.root, self.find)

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
            RESULT_PATH_MATCH_FAILURE,
            f"Unable to apply ReferencePath {self.text} to input {jsoncodec.dumps_text(whole)}",
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
