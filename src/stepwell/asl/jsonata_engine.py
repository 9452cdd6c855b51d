"""The JSONata library (jsonata-python) adapted to Step Functions: the engine the expressions run on.

    parse_expression("$states.input.x + 1")            -> the library's syntax tree
    evaluate_expression(tree, scope, states, needs_context) -> the library's value (None: undefined)

What differs from the library as it comes: Step Functions' functions are bound in a shared frame
over its built-ins; an evaluation's frame reads ``$states`` and the workflow variables from the
``Scope`` on demand; arithmetic follows JavaScript where the port differs; evaluation is bounded
(function applications, sequence length); and $var.a.b paths, the commonest shape, take a fast lane.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from jsonata import JException, Jsonata
from jsonata.parser import Parser
from jsonata.utils import Utils

from stepwell.asl import jsonata_builtins, jsonata_functions
from stepwell.asl.jsonata_errors import (
    MAX_SEQUENCE_LENGTH,
    MEMORY_LIMIT_MESSAGE,
    TIMEOUT_MESSAGE,
    EvaluationBound,
)
from stepwell.asl.jsonata_results import NULL
from stepwell.asl.scope import Scope

_NONE: Final = Utils.NONE  # the library's "no binding" marker
# A deterministic stand-in for AWS's evaluation timeout: function applications per evaluation.
# An infinite tail recursion loops without growing the stack; this ends it (after ~10 s here: the
# library takes ~20 us per application, so $map over 500,000 items is the most one evaluation does).
CALL_BUDGET: Final = 500_000


def parse_expression(source: str) -> Any:
    """The syntax tree of an expression, parsed once; raises the library's errors (JException)."""
    tree = _Engine(source).ast
    _mark_plain_paths(tree, set())
    return tree


def evaluate_expression(
    tree: Any, scope: Scope, states: Mapping[str, Any] | None, needs_context: bool
) -> Any:
    """The library's value for a parsed expression (None when undefined); raises what it raises.

    ``needs_context``: whether ``$states.context`` may be read (building it costs).
    """
    frame = _ScopeFrame(scope, states, needs_context)
    engine = _thread_engine()
    engine._budget = CALL_BUDGET
    previous = jsonata_functions.bind_scope(scope)
    try:
        return engine.eval(tree, None, frame)
    finally:
        jsonata_functions.bind_scope(previous)


# --- Step Functions' functions, as the library calls them ----------------------------------------


class _Native(Jsonata.JFunctionCallable):
    """Adapts ``impl(args)`` to the library's callable protocol."""

    __slots__ = ("_impl",)

    def __init__(self, impl: Callable[[Sequence[Any]], Any]):
        self._impl = impl

    def call(self, input: Any, args: Any) -> Any:
        return self._impl(args if isinstance(args, list) else [])


class _Function(Jsonata.JFunction):
    """A native function with the name and arity the library needs to partially apply it ($f(?, 2))."""

    def __init__(self, name: str, impl: Callable[[Sequence[Any]], Any], signature: str, arity: int):
        super().__init__(_Native(impl), signature)
        self.function_name = name
        self._arity = arity

    def get_number_of_args(self) -> int:
        return self._arity


# name: (implementation, signature, arity). One optional slot more than AWS's arity lets an
# over-long call reach the function, which names the surplus argument the way AWS does. A signature
# also makes the function usable as a value ($map(items, $parse)).
_FUNCTIONS: dict[str, tuple[Callable[[Sequence[Any]], Any], str, int]] = {
    "partition": (jsonata_functions.partition, "<x?x?x?:x>", 2),
    "range": (jsonata_functions.range_, "<x?x?x?x?:x>", 3),
    "hash": (jsonata_functions.hash_, "<x?x?x?:x>", 2),
    "random": (jsonata_functions.random, "<x?x?:x>", 1),
    "uuid": (jsonata_functions.uuid, "<x?:x>", 0),
    "parse": (jsonata_functions.parse, "<x?x?:x>", 1),
    "shuffle": (jsonata_builtins.shuffle, "<a:a>", 1),
    "number": (jsonata_builtins.number, "<(nsb)-:n>", 1),
    "string": (jsonata_builtins.string, "<x-b?:s>", 2),
    "toMillis": (jsonata_builtins.to_millis, "<s-s?:n>", 2),
    "now": (jsonata_builtins.now, "<s?s?:s>", 2),
    "millis": (jsonata_builtins.millis, "<:n>", 0),
}


def _step_functions_frame() -> Jsonata.Frame:
    """A frame over the library's built-ins with Step Functions' additions and removals bound.

    Built once and shared: evaluation frames are created as its children.
    """
    frame = Jsonata.Frame(Jsonata.static_frame)
    for name, (impl, signature, arity) in _FUNCTIONS.items():
        frame.bind(name, _Function(name, impl, signature, arity))
    # "$eval is not available": AWS answers a call to it with T1006 (Attempted to invoke a
    # non-function), which is what the library raises for a name bound to nothing.
    frame.bind("eval", None)
    return frame


# --- the engine: the library with JavaScript's semantics where the port differs ------------------


class _Frame(Jsonata.Frame):
    """A frame that only stores: the library's bind also renames a function bound to a variable
    ($f := $sum), and the shared built-in would then carry that name in every later message."""

    def bind(self, name: str, val: Any) -> None:
        self.bindings[name] = val


class _Engine(Jsonata):
    _budget: int = CALL_BUDGET

    def create_frame(self, enclosing_environment: Any = None) -> Jsonata.Frame:
        return _Frame(enclosing_environment)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        self._budget -= 1
        if self._budget < 0:
            raise EvaluationBound(TIMEOUT_MESSAGE)
        return super().apply_inner(proc, args, input, environment)

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # JavaScript arithmetic: x/0 is +-Infinity, 0/0 and x%0 are NaN, % keeps the fraction.
        # (The port raises ZeroDivisionError and truncates % to an integer.)
        if lhs is not None and not Utils.is_numeric(lhs):
            raise JException("T2001", -1, op, lhs)
        if rhs is not None and not Utils.is_numeric(rhs):
            raise JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        a, b = float(lhs), float(rhs)
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        elif op == "/":
            result = (
                a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1, b))
            )
        else:
            result = math.fmod(a, b) if b else math.nan
        return Utils.convert_number(result) if math.isfinite(result) else result

    def evaluate_group_expression(self, expr: Any, input: Any, environment: Any) -> Any:
        # The port appends a placeholder to an empty input list: never let that be the caller's list.
        if type(input) is list and not input:
            input = Utils.create_sequence()
        return super().evaluate_group_expression(expr, input, environment)

    def evaluate_path(self, expr: Any, input: Any, environment: Any) -> Any:
        # Fast lane for the commonest shape, $var.a.b (marked at compile time): walk the objects
        # directly; anything else (an array to map over, predicates, ...) takes the library's way.
        keys: tuple[str, ...] | None = getattr(expr, _PLAIN_PATH, None)
        if keys is None:
            return super().evaluate_path(expr, input, environment)
        value = environment.lookup(keys[0])
        for key in keys[1:]:
            if isinstance(value, dict):
                value = value.get(key, _NONE)
                if value is _NONE:
                    return None
                if value is None:
                    value = NULL  # a JSON null is a value; only a missing key is undefined
            elif isinstance(value, list):
                return super().evaluate_path(expr, input, environment)
            else:
                return None
        return value

    def evaluate_range_expression(self, lhs: Any, rhs: Any) -> Any:
        # AWS accepts [1..873782] and refuses one more on its memory bound (floci-io/floci#2737).
        if isinstance(lhs, int) and isinstance(rhs, int) and rhs - lhs + 1 > MAX_SEQUENCE_LENGTH:
            raise EvaluationBound(MEMORY_LIMIT_MESSAGE)
        return super().evaluate_range_expression(lhs, rhs)


_PROTOTYPE: Final = _Engine("null")
_PLAIN_PATH: Final = "_stepwell_plain_path"
# Attributes a parsed step may carry and still be a plain "$var" or ".name" step.
_PLAIN_ATTRIBUTES: Final = frozenset(
    {"_outer_instance", "id", "value", "type", "position", "lbp", "bp", "level", "steps"}
)
_NOT_CHILDREN: Final = frozenset({"_outer_instance", "environment", "input"})


def _mark_plain_paths(node: Any, seen: set[int]) -> None:
    """Tag every path of the form $var.name.name... with its names, for _Engine.evaluate_path."""
    if id(node) in seen:
        return
    seen.add(id(node))
    attributes = vars(node)
    steps = attributes.get("steps")
    if (
        attributes.get("type") == "path"
        and steps
        and _is_plain(node)
        and all(_is_plain(step) for step in steps)
    ):
        first = steps[0]
        if (
            first.type == "variable"
            and first.value not in ("", "$")
            and all(s.type == "name" for s in steps[1:])
        ):
            setattr(node, _PLAIN_PATH, tuple(str(step.value) for step in steps))
    for name, child in attributes.items():
        if name not in _NOT_CHILDREN:
            _mark_children(child, seen)


def _mark_children(child: Any, seen: set[int]) -> None:
    if isinstance(child, Parser.Symbol):
        _mark_plain_paths(child, seen)
    elif isinstance(child, list | tuple):
        for item in child:
            _mark_children(item, seen)


def _is_plain(node: Any) -> bool:
    return all(not value for name, value in vars(node).items() if name not in _PLAIN_ATTRIBUTES)


_SHARED_FRAME: Final = _step_functions_frame()


def _thread_engine() -> _Engine:
    """The library evaluates on a per-thread instance (``Jsonata.CURRENT``): make it ours."""
    engine = getattr(Jsonata.CURRENT, "jsonata", None)
    if type(engine) is not _Engine:
        engine = copy.copy(_PROTOTYPE)
        engine.parser = Jsonata.get_parser()  # parsers are per thread (partial application parses)
        Jsonata.CURRENT.jsonata = engine
    return engine


class _ScopeFrame(_Frame):
    """The variables of one evaluation, read from the scope on demand (nothing is copied in)."""

    def __init__(self, scope: Scope, states: Mapping[str, Any] | None, needs_context: bool):
        # Pre-bound to None: the library looks these callbacks up at every node it evaluates.
        self.bindings: dict[str, Any] = {"__evaluate_entry": None, "__evaluate_exit": None}
        self.parent = _SHARED_FRAME
        self.is_parallel_call = False
        self._scope = scope
        self._states = states
        self._needs_context = needs_context

    def lookup(self, name: str) -> Any:
        value = self.bindings.get(name, _NONE)
        if value is not _NONE:
            return value
        if name == "states":
            states: dict[str, Any] = {"input": self._scope.input}
            if self._needs_context:
                states["context"] = self._scope.context()
            if self._states:
                states.update(self._states)
            self.bindings["states"] = states
            return states
        value = self._scope.variables.get(name, _NONE)
        if value is not _NONE:
            return NULL if value is None else value  # JSON null, not JSONata's undefined
        return self.parent.lookup(name)
