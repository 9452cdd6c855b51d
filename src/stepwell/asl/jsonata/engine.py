"""The JSONata library (jsonata-python) adapted to Step Functions: the engine the expressions run on.

    parse_expression("$states.input.x + 1")            -> the library's syntax tree
    evaluate_expression(tree, scope, states, needs_context) -> the library's value (None: undefined)

What differs from the library as it comes: Step Functions' functions are bound in a shared frame
over its built-ins; an evaluation's frame reads ``$states`` and the workflow variables from the
``Scope`` on demand; arithmetic follows JavaScript where the port differs; evaluation is bounded
(steps, recursion, depth and sizes, AWS's bounds: jsonata_limits); regex literals compile on a
linear-time engine (jsonata_regex); and $var.a.b paths, the commonest shape, take a fast lane.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from jsonata import JException, Jsonata
from jsonata.parser import Parser
from jsonata.utils import Utils

from stepwell.asl.jsonata import builtins as jsonata_builtins
from stepwell.asl.jsonata import functions as jsonata_functions
from stepwell.asl.jsonata import sized as jsonata_sized
from stepwell.asl.jsonata.errors import (
    MAX_SEQUENCE_LENGTH,
    STACK_MESSAGE,
    TIMEOUT_MESSAGE,
    EvaluationBound,
)
from stepwell.asl.jsonata.limits import (
    ELEMENT_BUDGET,
    MAX_STRING_LENGTH,
    check_json_text,
    check_string_length,
    memory_exceeded,
)
from stepwell.asl.jsonata.regexes import jsonata_regex_engine
from stepwell.asl.jsonata.results import NULL
from stepwell.asl.scope import Scope

_NONE: Final = Utils.NONE  # the library's "no binding" marker

# Bounds of one evaluation (AWS's, measured: see jsonata_limits). Time is counted, not clocked:
# ``asl/`` is pure and an evaluation must give the same outcome when replayed. The library takes
# ~19 us per function application and ~1.5 us per evaluation step.
#
# RECURSION_BUDGET: applications of a function whose body is already being evaluated (recursion,
# including tail calls the library's trampoline runs in a loop). Every runaway is one: JSONata has
# no loop but recursion. 2,500 end an infinite tail recursion in ~50 ms. A $map over 10,000 items
# recurses 0 times (the function is applied 10,000 times, never inside itself); a legitimate
# recursion over a document walks one level a call, and 256 KiB of JSON rarely nests that often.
RECURSION_BUDGET: Final = 2_500
# STEP_BUDGET: evaluation steps (one per node evaluated) of any kind, the bound of a finite but
# long computation that does not recurse ([1..873782].($ * 2) ...): ~2 s of CPU at worst. A $map
# over 10,000 items with a 20-node body takes ~200,000.
STEP_BUDGET: Final = 1_000_000
# MAX_DEPTH: nested evaluation steps. AWS fails an expression nesting ~100 deep (floci-io/floci#2737:
# every measured boundary between 99 and 101), e.g. 1+1+...+1 with 200 terms. It also keeps the
# Python stack far from its limit in any thread: a step is ~4 Python frames.
MAX_DEPTH: Final = 100


def parse_expression(source: str) -> Any:
    """The syntax tree of an expression, parsed once; raises the library's errors (JException)."""
    tree = _Engine(source, jsonata_regex_engine).ast
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
    engine.reset_bounds()
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
    "pad": (jsonata_sized.pad, "<s-ns?:s>", 3),
    "join": (jsonata_sized.join, "<a<s>s?:s>", 2),
    "replace": (jsonata_sized.replace, "<s-(sf)(sf)n?:s>", 4),
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
    # The bounds left to the evaluation running on this instance (one per thread): reset_bounds.
    _steps: int = STEP_BUDGET
    _recursions: int = RECURSION_BUDGET
    _elements: int = ELEMENT_BUDGET
    _depth: int = 0
    # Bodies of the functions being applied (id -> how many times), and the order they were
    # entered in, unwound when the application that entered them returns.
    _active: dict[int, int]
    _entered: list[int]

    def reset_bounds(self) -> None:
        self._steps = STEP_BUDGET
        self._recursions = RECURSION_BUDGET
        self._elements = ELEMENT_BUDGET
        self._depth = 0
        self._active = {}
        self._entered = []

    def create_frame(self, enclosing_environment: Any = None) -> Jsonata.Frame:
        return _Frame(enclosing_environment)

    def eval(self, expr: Any, input: Any, environment: Any) -> Any:
        # The library's eval, bounded. It looks up the thread's instance first: evaluation always
        # runs on that instance here (evaluate_expression, and the library's functions call back
        # through Jsonata.CURRENT), so that look-up, one per step, is skipped.
        self._steps -= 1
        if self._steps < 0:
            raise EvaluationBound(TIMEOUT_MESSAGE)
        depth = self._depth
        if depth >= MAX_DEPTH:
            raise EvaluationBound(STACK_MESSAGE)
        self._depth = depth + 1
        saved_input: Any = self.__dict__.get("input")
        saved_environment: Any = self.__dict__.get("environment")
        try:
            result = self._eval(expr, input, environment)
        finally:
            self._depth = depth
            self.input, self.environment = saved_input, saved_environment
        # Every value a step returns is within the size bounds (an exceeded one fails right here,
        # before another step builds on it).
        if type(result) is str:
            if len(result) > MAX_STRING_LENGTH:
                raise memory_exceeded()
        elif isinstance(result, list):
            size = len(result)
            self._elements -= size
            if size > MAX_SEQUENCE_LENGTH or self._elements < 0:
                raise memory_exceeded()
        return result

    def apply(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        # The functions entered during this application (its tail calls included: the library's
        # trampoline runs them in this call) stay active until it returns.
        mark = len(self._entered)
        try:
            return super().apply(proc, args, input, environment)
        finally:
            entered, active = self._entered, self._active
            while len(entered) > mark:
                body = entered.pop()
                count = active[body] - 1
                if count:
                    active[body] = count
                else:
                    del active[body]

    def apply_procedure(self, proc: Any, args: Any) -> Any:
        body = id(proc.body)  # the function's definition: shared by every closure made from it
        if body in self._active:
            self._recursions -= 1
            if self._recursions < 0:
                raise EvaluationBound(TIMEOUT_MESSAGE)
        self._active[body] = self._active.get(body, 0) + 1
        self._entered.append(body)
        return super().apply_procedure(proc, args)

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> Any:
        # Refused before the library writes out and joins the two sides.
        for side in (lhs, rhs):
            if side is not None and type(side) is not str:
                check_json_text(side)
        if type(lhs) is str and type(rhs) is str:
            check_string_length(len(lhs) + len(rhs))
        return super().evaluate_string_concat(lhs, rhs)

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
            raise memory_exceeded()
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
