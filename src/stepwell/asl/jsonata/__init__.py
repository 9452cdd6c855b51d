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
error during evaluation. T0412: Argument 1 of function "sum" must be an array of "numbers"".

The package's modules: ``engine`` adapts the library, ``errors`` rebuilds jsonata-js's messages,
``results`` turns results into plain JSON, ``functions`` / ``builtins`` are the functions Step
Functions adds or answers differently, ``limits`` / ``sized`` / ``regexes`` bound an evaluation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from jsonata import JException

from stepwell.asl import jsoncodec
from stepwell.asl.jsonata.engine import evaluate_expression, parse_expression
from stepwell.asl.jsonata.errors import describe_failure, render_error
from stepwell.asl.jsonata.limits import check_json_text
from stepwell.asl.jsonata.results import DROPPED, plain_json
from stepwell.asl.scope import Scope
from stepwell.errors import QUERY_EVALUATION_ERROR, EvaluationError


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
        try:
            result = evaluate_expression(self._ast, scope, states, self._needs_context)
            if isinstance(result, list | dict):
                # A value can hold one big array or string many times over (cheap to hold, not to
                # write out): refused here, before it becomes the state's JSON.
                check_json_text(result)
        except Exception as error:  # the library's errors, its bounds, and Python's escaping the port
            code, message = describe_failure(error, self.source)
            raise self._failure(code, message, field) from None
        if result is None:
            return UNDEFINED
        result = plain_json(result)
        return UNDEFINED if result is DROPPED else result

    def undefined_error(self, field: str) -> EvaluationError:
        return EvaluationError(
            QUERY_EVALUATION_ERROR, f"{self._sentence(field)} returned nothing (undefined).", location=field
        )

    def unexpected_type_error(self, field: str, expected: str, value: Any) -> EvaluationError:
        """AWS's message for a result of the wrong type, e.g. Items that is not an array."""
        return EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"{self._sentence(field)} returned an unexpected result type. "
            f"Expected '{expected}', but was '{type_name(value)}' for value: {jsoncodec.dumps_text(value)}",
            location=field,
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
            location=field,
        )


@functools.lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> JsonataExpression:
    """Parse a "{% expr %}" string once; raises InvalidJsonata."""
    if not is_jsonata(text):
        raise InvalidJsonata(text, "A JSONata expression must be of the form {% expression %}")
    source = text[2:-2].strip()
    try:
        ast = parse_expression(source)
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
