"""JSONata expressions ("{% ... %}") as Step Functions evaluates them, on top of jsonata-python.

    compile_jsonata("{% $states.input.x + 1 %}")    -> JsonataExpression  (parsed once, cached)
    compile_jsonata_template(value, "Output")       -> JsonataTemplate    (any JSON value whose
                                                       strings may be expressions, at any depth)

An expression sees ``$states`` = {input, context, result?, errorOutput?} and every workflow variable
as ``$name``; it has no context item (AWS refuses top-level references at definition time).
Results are plain JSON; an expression that yields nothing is ``UNDEFINED`` and a template turns it
into AWS's "returned nothing (undefined)" error, naming the field path as AWS does:
``Output/a/b[0][1]`` (measured on AWS, floci-io/floci#2665).

A failing expression is a ``States.QueryEvaluationError`` whose cause is jsonata-js's message (AWS
runs jsonata-js 2.0.6): "The JSONata expression '<expr>' specified for the field '<field>' threw an
error during evaluation. T0412: Argument 1 of function "sum" must be an array of "numbers"". The
library is a port whose catalog says "Object" for "function" and does not JSON-render the values it
inserts, so the message is rebuilt here from the code and the values the exception carries.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from jsonata import Functions, JException, Jsonata
from jsonata.parser import Parser
from jsonata.utils import Utils

from stepwell.asl import jsonata_functions
from stepwell.asl.jsonata_functions import MAX_SEQUENCE_LENGTH, MEMORY_LIMIT_MESSAGE, NULL, EvaluationBound
from stepwell.asl.scope import Scope
from stepwell.errors import QUERY_EVALUATION_ERROR, EvaluationError

_NONE: Final = Utils.NONE  # the library's "no binding" marker
# A deterministic stand-in for AWS's evaluation timeout: function applications per evaluation.
# An infinite tail recursion loops without growing the stack; this ends it (after ~10 s here: the
# library takes ~20 us per application, so $map over 500,000 items is the most one evaluation does).
CALL_BUDGET: Final = 500_000
TIMEOUT_MESSAGE: Final = "Expression evaluation timeout: Check for infinite loop"
STACK_MESSAGE: Final = (
    "Stack overflow error: Check for non-terminating recursive function."
    "  Consider rewriting as tail-recursive."
)


class InvalidJsonata(ValueError):
    """A "{% %}" string whose expression does not parse; ``message`` is jsonata-js's text."""

    def __init__(self, expression: str, message: str, code: str | None = None, position: int | None = None):
        super().__init__(message)
        self.expression = expression
        self.message = message
        self.code = code
        self.position = position
        self.field: str | None = None  # set when found inside a template


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()


def is_jsonata(value: Any) -> bool:
    """AWS: the whole string is "{% ... %}", with nothing (not even a space) outside the braces."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def type_name(value: Any) -> str:
    """AWS's word for a JSON value's type in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_text(value: Any) -> str:
    """A value as AWS quotes it in messages: compact JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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


_SHARED_FRAME: Final = jsonata_functions.step_functions_frame()


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


# --- expressions --------------------------------------------------------------------------------

# $states.context can only be reached through "$states" not followed by .input/.result/.errorOutput,
# or by naming it: only then is the (lazy) context object built.
_STATES_BEYOND_DATA = re.compile(r"\$states(?!\.(?:input|result|errorOutput)\b)")


class JsonataExpression:
    """One parsed "{% %}" expression. ``source`` is the text inside the braces, as AWS quotes it."""

    __slots__ = ("_ast", "_needs_context", "source")

    def __init__(self, source: str, ast: Any):
        self.source = source
        self._ast = ast
        self._needs_context = "context" in source or _STATES_BEYOND_DATA.search(source) is not None

    def __repr__(self) -> str:
        return f"JsonataExpression({self.source!r})"

    def evaluate(
        self, scope: Scope, states: Mapping[str, Any] | None = None, field: str | None = None
    ) -> Any:
        """Plain JSON, or UNDEFINED. With ``field``, an error's cause names the field as AWS does."""
        frame = _ScopeFrame(scope, states, self._needs_context)
        engine = _thread_engine()
        engine._budget = CALL_BUDGET
        previous = jsonata_functions.bind_scope(scope)
        try:
            result = engine.eval(self._ast, None, frame)
        except EvaluationBound as error:
            raise self._failure(None, error.bound_message, field) from None
        except JException as error:
            code, message = render_error(error, self.source)
            raise self._failure(code, message, field) from None
        except RecursionError:
            raise self._failure(None, STACK_MESSAGE, field) from None
        except Exception as error:
            # A Python error escaping the port (e.g. $number('abc')): no code, keep its text.
            raise self._failure(None, str(error) or type(error).__name__, field) from None
        finally:
            jsonata_functions.bind_scope(previous)
        if result is None:
            return UNDEFINED
        result = _plain(result)
        return UNDEFINED if result is _DROP else result

    def undefined_error(self, field: str) -> EvaluationError:
        return EvaluationError(
            QUERY_EVALUATION_ERROR, f"{self._sentence(field)} returned nothing (undefined)."
        )

    def unexpected_type_error(self, field: str, expected: str, value: Any) -> EvaluationError:
        """AWS's message for a result of the wrong type, e.g. Items that is not an array."""
        return EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"{self._sentence(field)} returned an unexpected result type. "
            f"Expected '{expected}', but was '{type_name(value)}' for value: {json_text(value)}",
        )

    def _sentence(self, field: str) -> str:
        return f"The JSONata expression '{self.source}' specified for the field '{field}'"

    def _failure(self, code: str | None, message: str, field: str | None) -> EvaluationError:
        detail = f"{code}: {message}" if code else message
        if field is None:
            return EvaluationError(QUERY_EVALUATION_ERROR, detail)
        # AWS ends the sentence with ". <CODE>: <message>", or ": <message>" for a bare message.
        separator = ". " if code else ": "
        return EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"{self._sentence(field)} threw an error during evaluation{separator}{detail}",
        )


@functools.lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> JsonataExpression:
    """Parse a "{% expr %}" string once; raises InvalidJsonata."""
    if not is_jsonata(text):
        raise InvalidJsonata(text, "A JSONata expression must be of the form {% expression %}")
    source = text[2:-2].strip()
    try:
        ast = _Engine(source).ast
        _mark_plain_paths(ast, set())
    except JException as error:
        code, message = render_error(error, source)
        raise InvalidJsonata(source, message, code, error.location) from None
    except Exception as error:  # the port's parser can fail on odd input with a Python error
        raise InvalidJsonata(source, str(error) or type(error).__name__) from None
    return JsonataExpression(source, ast)


# --- templates ----------------------------------------------------------------------------------

_Run = Callable[[Scope, Mapping[str, Any] | None], Any]


class JsonataTemplate:
    """A field's JSON value whose strings may be expressions (keys are always literal)."""

    __slots__ = ("_run", "expression", "field", "template")

    def __init__(self, template: Any, field: str):
        self.template = template
        self.field = field
        # The expression when the whole field is one "{% %}" string (Items, Seconds, Condition...).
        self.expression: JsonataExpression | None = (
            compile_jsonata(template) if is_jsonata(template) else None
        )
        self._run = _compile_value(template, field)

    @property
    def is_constant(self) -> bool:
        return self._run is None

    def evaluate(self, scope: Scope, states: Mapping[str, Any] | None = None) -> Any:
        """The value with every expression replaced by its result.

        Containers holding expressions are new; constant parts are shared with the template (JSON
        values are never mutated in place).
        """
        run = self._run
        return self.template if run is None else run(scope, states)

    def unexpected_type_error(self, expected: str, value: Any) -> EvaluationError:
        """AWS's "returned an unexpected result type" error for this field's expression."""
        if self.expression is None:
            raise ValueError(f"the field '{self.field}' is not a single JSONata expression")
        return self.expression.unexpected_type_error(self.field, expected, value)


def compile_jsonata_template(value: Any, field: str) -> JsonataTemplate:
    return JsonataTemplate(value, field)


def _compile_value(value: Any, path: str) -> _Run | None:
    """A function building the value, or None when it holds no expression."""
    if isinstance(value, str):
        return _compile_leaf(value, path) if is_jsonata(value) else None
    if isinstance(value, dict):
        fields = [(key, run) for key, item in value.items() if (run := _compile_value(item, f"{path}/{key}"))]
        if not fields:
            return None

        def run_object(scope: Scope, states: Mapping[str, Any] | None) -> Any:
            result = dict(value)  # keeps the template's key order
            for key, run in fields:
                result[key] = run(scope, states)
            return result

        return run_object
    if isinstance(value, list):
        items = [
            (index, run)
            for index, item in enumerate(value)
            if (run := _compile_value(item, f"{path}[{index}]"))
        ]
        if not items:
            return None

        def run_array(scope: Scope, states: Mapping[str, Any] | None) -> Any:
            result = list(value)
            for index, run in items:
                result[index] = run(scope, states)
            return result

        return run_array
    return None


def _compile_leaf(text: str, path: str) -> _Run:
    try:
        expression = compile_jsonata(text)
    except InvalidJsonata as error:
        located = InvalidJsonata(error.expression, error.message, error.code, error.position)
        located.field = path
        raise located from None

    def run_expression(scope: Scope, states: Mapping[str, Any] | None) -> Any:
        result = expression.evaluate(scope, states, path)
        if result is UNDEFINED:
            raise expression.undefined_error(path)
        return result

    return run_expression


# --- results: the library's values to plain JSON --------------------------------------------------

_EXPONENT_FROM: Final = 10**21
_DROP: Final = object()  # a function value: JSON.stringify drops it (null inside an array)


def _plain(value: Any) -> Any:
    """Plain JSON, rebuilding only the containers that change (input data passes through as is)."""
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if kind is int:
        # Numbers are doubles in JSONata: from 1e21 on, AWS (like JavaScript) writes them as 1e+21.
        return value if -_EXPONENT_FROM < value < _EXPONENT_FROM else float(value)
    if kind is float:
        return _number(value)
    if kind is dict:
        return _plain_object(value)
    if kind is list:
        return _plain_array(value, value)
    if value is None or value is NULL:
        return None
    if isinstance(value, list):  # the library's sequences (JList, RangeList)
        return _plain_array(value, None)
    if isinstance(value, dict):
        return _plain_object(dict(value))
    if isinstance(value, re.Pattern):
        return {}  # JSON.stringify of a RegExp
    if Utils.is_function(value) or Functions.is_lambda(value) or isinstance(value, Parser.Symbol):
        return _DROP
    if isinstance(value, int | float):
        return _number(float(value))
    return value


def _number(value: float) -> Any:
    if math.isfinite(value):
        # JSONata computes in doubles; AWS writes an integral one as an integer (1, not 1.0).
        return int(value) if value.is_integer() and abs(value) < _EXPONENT_FROM else value
    # JSON has no literal for these: AWS writes the name JavaScript gives them.
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _plain_array(items: Any, original: list[Any] | None) -> list[Any]:
    result: list[Any] | None = None if original is not None else []
    for index, item in enumerate(items):
        plain = _plain(item)
        if plain is _DROP:
            plain = None
        if result is None:
            if plain is item:
                continue
            result = list(items[:index])
        result.append(plain)
    return original if result is None else result  # type: ignore[return-value]


def _plain_object(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] | None = None
    for index, (key, item) in enumerate(obj.items()):
        plain = _plain(item)
        if result is None:
            if plain is item:
                continue
            result = dict(list(obj.items())[:index])
        if plain is not _DROP:
            result[key] = plain
    return obj if result is None else result


# --- error messages: jsonata-js's catalog ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
# A signature's array element types, as jsonata-js names them in T0412.
_ARRAY_TYPES = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}


def _javascript_catalog() -> dict[str, str]:
    # The port's catalog is jsonata-js's with "function" replaced by "Object" and '...' by "...".
    catalog = {}
    for code, text in JException.error_codes.items():
        text = re.sub(r"\bObject\b", "function", text)
        catalog[code] = re.sub(r'"([^"{}]*)"', r"'\1'", text)
    return catalog


_CATALOG: Final = _javascript_catalog()
# The port raises a few errors with the message in place of the code.
_CODE_BY_MESSAGE: Final = {text: code for code, text in _CATALOG.items() if "{{" not in text}


def render_error(error: JException, source: str) -> tuple[str | None, str]:
    """(code, message) as jsonata-js renders them; code is None for a message without one."""
    code = error.error
    template = _CATALOG.get(code)
    if template is None:
        return _CODE_BY_MESSAGE.get(code), str(code)
    inserts = iter(_inserts(code, error, source))

    def fill(match: re.Match[str]) -> str:
        value = next(inserts, None)
        if match.group(1):  # {{{raw}}}
            return "" if value is None else str(value)
        return _stringify(value)  # {{json}}

    return code, _PLACEHOLDER.sub(fill, template)


def _inserts(code: str, error: JException, source: str) -> list[Any]:
    """The values for a template's placeholders, in order (the port raises them positionally)."""
    current, expected, extra = error.current, error.expected, error.extra
    if code == "T0410" and (current is None or expected is None):
        # Raised from inside a function (a null argument): name the function being called.
        return [1, _called_function(source, error.location)]
    if code == "T0411":
        return [expected, _called_function(source, error.location)]
    if code == "T0412":
        return [current, expected, _ARRAY_TYPES.get(extra) if extra is not None else None]
    if code == "D1002":
        return [expected]
    if code == "D3100":
        return [error.location]
    return [current, expected, extra]


def _called_function(source: str, location: int) -> str | None:
    match = re.search(r"\$(\w+)\s*\($", source[: max(location, 0)])
    return match.group(1) if match else None


def _stringify(value: Any) -> str:
    """JSON.stringify, as jsonata-js inserts values into its messages."""
    if value is None:
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    plain = _plain(value)
    return "undefined" if plain is _DROP else json_text(plain)
