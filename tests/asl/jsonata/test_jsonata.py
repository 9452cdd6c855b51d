"""JSONata ("{% %}") expressions and templates: the forms the AWS-recorded cases use, AWS's added
functions and their edges, AWS's error texts, plain-JSON results and the library's pitfalls."""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any

import pytest

from stepwell.asl.jsonata import (
    UNDEFINED,
    InvalidJsonata,
    compile_jsonata,
    compile_jsonata_template,
    is_jsonata,
    type_name,
)
from stepwell.asl.jsonata import errors as jsonata_errors
from stepwell.asl.scope import Scope
from stepwell.errors import QUERY_EVALUATION_ERROR, EvaluationError
from tests.shared_cases import case_files

STATE_PREFIX = re.compile(
    r"^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. "
)


def ev(text: str, input: Any = None, variables: dict[str, Any] | None = None, **states: Any) -> Any:
    return compile_jsonata(text).evaluate(Scope(input, variables), states or None)


def cause_of(text: str, input: Any = None, field: str = "Output", **kwargs: Any) -> str:
    with pytest.raises(EvaluationError) as raised:
        compile_jsonata_template(text, field).evaluate(Scope(input, kwargs.get("variables")))
    assert raised.value.error == QUERY_EVALUATION_ERROR
    return raised.value.cause


def threw(text: str, detail: str, field: str = "Output") -> str:
    """AWS's cause for an expression that raised: the sentence, then the JSONata error."""
    source = text[2:-2].strip()
    return (
        f"The JSONata expression '{source}' specified for the field '{field}' "
        "threw an error during evaluation" + detail
    )


def sig(position: int, function: str) -> str:
    return f'. T0410: Argument {position} of function "{function}" does not match function signature'


def assert_plain_json(value: Any) -> None:
    assert type(value) in (dict, list, str, int, float, bool, type(None)), type(value)
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            assert_plain_json(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain_json(item)


# --- the "{% %}" form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", True),
        ("{%$states.input%}", True),
        ("{% %}", True),
        (" {% states.input %} ", False),  # AWS: a literal (outputdecl BASE_LITERALS)
        ("{% $x", False),
        ("$x %}", False),
        ("Hello {% $x %}", False),
        ("{%}", False),
        ("$states.input", False),
        (1, False),
        (None, False),
    ],
)
def test_is_jsonata(value: Any, expected: bool) -> None:
    assert is_jsonata(value) is expected


def test_source_is_the_text_inside_the_braces_stripped_and_parsing_is_cached() -> None:
    expression = compile_jsonata("{%   $states.input.a  %}")
    assert expression.source == "$states.input.a"
    assert compile_jsonata("{%   $states.input.a  %}") is expression


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("{% a[1,2) %}", "S0202", 'Expected "]", got ","'),
        ("{% 'unterminated %}", "S0101", "String literal must be terminated by a matching quote"),
        ("{% 1 + %}", "S0207", "Unexpected end of expression"),
        ("{% $match('a', /abc %}", "S0302", "No terminating / in regular expression"),
    ],
)
def test_syntax_errors_are_invalid_jsonata_with_jsonata_js_text(text: str, code: str, message: str) -> None:
    with pytest.raises(InvalidJsonata) as raised:
        compile_jsonata(text)
    assert (raised.value.code, raised.value.message) == (code, message)
    assert raised.value.expression == text[2:-2].strip()


def test_an_empty_expression_is_invalid() -> None:
    with pytest.raises(InvalidJsonata) as raised:
        compile_jsonata("{%  %}")
    assert (raised.value.code, raised.value.message) == ("S0207", "Unexpected end of expression")


def test_an_invalid_expression_inside_a_template_names_its_field() -> None:
    with pytest.raises(InvalidJsonata) as raised:
        compile_jsonata_template({"a": ["x", "{% 1 + %}"]}, "Arguments")
    assert raised.value.field == "Arguments/a[1]"


def test_a_string_that_is_not_an_expression_does_not_compile() -> None:
    with pytest.raises(InvalidJsonata):
        compile_jsonata("$states.input")


# --- every expression form of the AWS-recorded cases ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "input", "expected"),
    [
        ('{% $contains("hello$world", /^hello\\$/) %}', {}, True),
        ('{% $contains("hello$world", /^hello\\ /) %}', {}, False),
        ("{% $contains('hello$world', /^hello\\$/) %}", {}, True),
        ("{% $contains('hello$world', /^hello\\ /) %}", {}, False),
        ('{% $number("2") %}', {}, 2),
        ("{% $number('2') %}", {}, 2),
        ("{% $variable := 1 %}", {}, 1),
        ("{% $states.input.condition %}", {"condition": False}, False),
        ("{% $not($states.input.type = 'Private') %}", {"type": "Private", "value": 22}, False),
        ("{% $states.input.value = 0 %}", {"type": "Private", "value": 22}, False),
        (
            "{% $states.input.value >= 20 and $states.input.value < 30 %}",
            {"type": "Private", "value": 22},
            True,
        ),
        ("{% $states.input.type = 'Public' %}", {"type": "Public"}, True),
        ('{% $states.input.str_value = "string literal" %}', {"str_value": "string literal"}, True),
        ("{% $states.input.result.done %}", {"result": {"done": True}}, True),
        ("{% $not($states.input.result.done) %}", {"result": {"done": False}}, True),
        ("{% $states.input = '\"' %}", '"', True),
        ("{% $states.input.error %}", {"error": "Exception"}, "Exception"),
        ("{% $states.input.waitSeconds %}", {"waitSeconds": 0}, 0),
        (
            "{% $states.input.TimestampValue %}",
            {"TimestampValue": "2016-03-14T01:59:00Z"},
            "2016-03-14T01:59:00Z",
        ),
        ("{% $states.input.items %}", {"items": [0]}, [0]),
        ("{% $states.input.items %}", {"items": []}, []),
        ("{% $states.input.items %}", {"items": [1, "two", True]}, [1, "two", True]),
        ("{% $states.input.items %}", {"items": None}, None),
        ("{% [] %}", {}, []),
        ("{% [1, 'two', 3] %}", {}, [1, "two", 3]),
        ("{% {'foo': 'bar'} %}", {}, {"foo": "bar"}),
        ("{% 1 %}", {}, 1),
        ("{% 'string' %}", {}, "string"),
        ("{% true %}", {}, True),
        ("{% $sum($states.input.input_values) + 1 %}", {"input_values": [1, 2, 3]}, 7),
        ("{% $states.input %}", {"input_data": "test"}, {"input_data": "test"}),
    ],
)
def test_recorded_expression_forms(text: str, input: Any, expected: Any) -> None:
    result = ev(text, input)
    assert result == expected
    assert type(result) is type(expected)


def test_variables_are_dollar_names_and_null_is_a_value() -> None:
    variables = {"var": '"', "ItemsVar": ["Item1", "Item2"], "theAnswer": 42, "nothing": None}
    assert ev("{% $var = '\"' %}", {}, variables) is True
    assert ev("{% $ItemsVar %}", {}, variables) == ["Item1", "Item2"]
    assert ev("{% $theAnswer %}", {}, variables) == 42
    assert ev("{% $nothing %}", {}, variables) is None
    assert ev("{% $exists($nothing) %}", {}, variables) is True
    assert ev("{% $type($nothing) %}", {}, variables) == "null"
    assert ev("{% $doesNotExist %}", {}, variables) is UNDEFINED
    assert ev("{% $exists($doesNotExist) %}", {}, variables) is False


def test_states_binds_input_context_result_and_error_output() -> None:
    context = {"Map": {"Item": {"Value": "Item1", "Index": 0}}, "State": {"Name": "S"}}
    scope = Scope({"a": 1}, {}, context)
    assert compile_jsonata("{% $states.context.Map.Item.Value %}").evaluate(scope) == "Item1"
    assert compile_jsonata("{% $states.input.a %}").evaluate(scope) == 1
    states = {"result": {"ja_expr": 7}, "errorOutput": {"Error": "E", "Cause": "c"}}
    assert compile_jsonata("{% $states.result.ja_expr %}").evaluate(scope, states) == 7
    assert compile_jsonata("{% $states.errorOutput %}").evaluate(scope, states) == {
        "Error": "E",
        "Cause": "c",
    }
    assert compile_jsonata("{% $states.result %}").evaluate(scope) is UNDEFINED
    assert compile_jsonata("{% $keys($states) %}").evaluate(scope, states) == [
        "input",
        "context",
        "result",
        "errorOutput",
    ]


def test_the_context_object_is_only_built_when_the_expression_can_reach_it() -> None:
    built: list[bool] = []

    def context() -> dict[str, Any]:
        built.append(True)
        return {"State": {"Name": "S"}}

    scope = Scope({"a": 1}, {}, context)
    assert compile_jsonata("{% $states.input.a + 1 %}").evaluate(scope) == 2
    assert compile_jsonata("{% $states.result.x %}").evaluate(scope) is UNDEFINED
    assert built == []
    assert compile_jsonata("{% $lookup($states, 'con' & 'text').State.Name %}").evaluate(scope) == "S"
    assert built == [True]


def test_null_in_the_input_is_a_value_and_a_missing_key_is_undefined() -> None:
    data = {"bar": None, "list": [None, 1]}
    assert ev("{% $states.input.bar %}", data) is None
    assert ev("{% $exists($states.input.bar) %}", data) is True
    assert ev("{% $type($states.input.bar) %}", data) == "null"
    assert ev("{% $states.input.missing %}", data) is UNDEFINED
    assert ev("{% $states.input.bar.deeper %}", data) is UNDEFINED
    assert ev("{% $states.input.list[0] %}", data) is None
    assert ev("{% $states.input %}", None) is None
    assert ev("{% null %}") is None


def test_paths_map_over_arrays_as_jsonata_does() -> None:
    data = {"objs": [{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "a", "v": 3}], "nested": [[1], [2, 3]]}
    assert ev("{% $states.input.objs.v %}", data) == [1, 2, 3]
    assert ev("{% $states.input.objs[0].k %}", data) == "a"
    assert ev("{% $states.input.objs[k='a'].v %}", data) == [1, 3]
    assert ev("{% $states.input.objs{k: $sum(v)} %}", data) == {"a": 4, "b": 2}
    assert ev("{% $states.input.objs^(>v).k %}", data) == ["a", "b", "a"]
    assert ev("{% $states.input.objs[v > 5] %}", data) is UNDEFINED
    assert ev("{% $states.input.objs[v = 2].k[] %}", data) == ["b"]
    assert ev("{% $states.input.nested %}", data) == [[1], [2, 3]]
    assert ev("{% ($x := {'a': [1, 2]}; $x.a) %}", data) == [1, 2]


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% 1.5 * 2 %}", 3),
        ("{% 10 / 4 %}", 2.5),
        ("{% 0.1 %}", 0.1),
        ("{% 0.1 + 0.2 %}", 0.30000000000000004),
        ("{% $parse('1.0') %}", 1),
        ("{% $parse('1e2') %}", 100),
        ("{% 1e20 %}", 100000000000000000000),
        ("{% 1e21 %}", 1e21),
        ("{% 5.5 % 2 %}", 1.5),  # JavaScript's %, which keeps the fraction
        ("{% -7 % 3 %}", -1),
        ("{% $round(2.5) %}", 2),
        ("{% 1 / 0 %}", "Infinity"),  # JSON has no literal: AWS writes JavaScript's name
        ("{% -1 / 0 %}", "-Infinity"),
        ("{% 0 / 0 %}", "NaN"),
        ("{% [1/0, 2] %}", ["Infinity", 2]),
        ("{% 1e308 * 10 %}", "Infinity"),
    ],
)
def test_numbers_are_written_as_aws_writes_them(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


def test_arithmetic_on_infinity_is_out_of_range() -> None:
    assert cause_of("{% (1/0) + 1 %}") == threw("{% (1/0) + 1 %}", ". D1001: Number out of range: null")


# --- templates ------------------------------------------------------------------------------------


def test_output_literals_stay_literal_at_any_depth() -> None:
    # outputdecl__test_base_cases__BASE_LITERALS: nothing but "{% %}" strings is evaluated.
    template: dict[str, Any] = {
        "constant_null": None,
        "constant_float": 0.1,
        "constant_not_jsonata": " {% states.input %} ",
        "constant_varpath_states": "$states.input",
        "constant_jp_input.$": "$",
        "constant_if": "States.Format('Format:{}', 101)",
        "constant_lst": [
            None,
            0,
            0.1,
            True,
            [],
            {"constant": 0},
            " {% states.input %} ",
            "$no.such.var.path",
        ],
        "constant_obj": {"in_obj_constant_obj": {"constant": 0}, "in_obj_constant_lst_empty": []},
    }
    compiled = compile_jsonata_template(template, "Output")
    assert compiled.is_constant
    assert compiled.evaluate(Scope({"input_value": "x"})) == template


@pytest.mark.parametrize("value", [0, 0.1, None, [], {}, "string literal", True])
def test_non_object_literals(value: Any) -> None:
    assert compile_jsonata_template(value, "Output").evaluate(Scope({})) == value


def test_expressions_in_objects_and_arrays_keys_stay_literal() -> None:
    template = [
        None,
        0,
        "$nosuchvar",
        "{% $states.input %}",
        {"key": "{% true %}", "{% 1 %}": "{% 1 + 1 %}"},
        {"map_item_value": "{% $states.context.Map.Item.Value %}", "var_sample": "{% $ItemsVar %}"},
    ]
    scope = Scope(
        {"input_value": "stringliteral"}, {"ItemsVar": ["Item1"]}, {"Map": {"Item": {"Value": "Item1"}}}
    )
    compiled = compile_jsonata_template(template, "Output")
    result = compiled.evaluate(scope)
    assert result == [
        None,
        0,
        "$nosuchvar",
        {"input_value": "stringliteral"},
        {"key": True, "{% 1 %}": 2},
        {"map_item_value": "Item1", "var_sample": ["Item1"]},
    ]
    assert json.dumps(list(result[4])) == '["key", "{% 1 %}"]'  # the template's key order
    assert result is not template and result[4] is not template[4]
    assert template[3] == "{% $states.input %}"  # the template is untouched
    assert_plain_json(result)


def test_map_items_with_an_expression_inside_the_array() -> None:
    # evaluate_jsonata__test_base_map__ITEMS / ITEMS_DOUBLE_QUOTES
    for text in ['{% $number("2") %}', "{% $number('2') %}"]:
        assert compile_jsonata_template([1, text, 3], "Items").evaluate(Scope({})) == [1, 2, 3]


def test_a_single_expression_template_returns_any_json_type() -> None:
    template = compile_jsonata_template("{% $states.input.items %}", "Items")
    assert template.expression is not None and template.expression.source == "$states.input.items"
    assert template.evaluate(Scope({"items": [1, 2]})) == [1, 2]


@pytest.mark.parametrize(
    ("template", "field", "path"),
    [
        ("{% $doesNotExist %}", "Output", "Output"),
        ({"v": "{% $doesNotExist %}"}, "Output", "Output/v"),
        ({"a": {"b": "{% $doesNotExist %}"}}, "Output", "Output/a/b"),
        ({"values": ["{% $doesNotExist %}", 1]}, "Output", "Output/values[0]"),
        ({"a": {"b": [[1, "{% $doesNotExist %}"]]}}, "Output", "Output/a/b[0][1]"),
        ({"x": {"y": "{% $doesNotExist %}"}}, "Assign", "Assign/x/y"),
        ("{% $doesNotExist %}", "Seconds", "Seconds"),
    ],
)
def test_an_expression_returning_nothing_fails_naming_the_field_path(
    template: Any, field: str, path: str
) -> None:
    with pytest.raises(EvaluationError) as raised:
        compile_jsonata_template(template, field).evaluate(Scope({}))
    assert raised.value.error == QUERY_EVALUATION_ERROR
    assert raised.value.cause == (
        f"The JSONata expression '$doesNotExist' specified for the field '{path}' returned nothing"
        " (undefined)."
    )


def test_null_results_keep_their_keys() -> None:
    template = {
        "fromInput": "{% $states.input.bar %}",
        "nested": {"n": "{% null %}"},
        "list": ["{% null %}", 1],
    }
    assert compile_jsonata_template(template, "Output").evaluate(Scope({"bar": None})) == {
        "fromInput": None,
        "nested": {"n": None},
        "list": [None, 1],
    }


@pytest.mark.parametrize(
    ("expression", "variables", "message"),
    [
        # scenarios__test_map_state_items_eval_jsonata_fail__* and ..._variable_sampling__*
        ("{% 1 %}", {}, "The JSONata expression '1' specified for the field 'Items' returned an unexpected "
         "result type. Expected 'array', but was 'number' for value: 1"),
        ("{% {'foo': 'bar'} %}", {}, "The JSONata expression '{'foo': 'bar'}' specified for the field "
         "'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: "
         '{"foo":"bar"}'),
        ("{% 'string' %}", {}, "The JSONata expression ''string'' specified for the field 'Items' returned "
         "an unexpected result type. Expected 'array', but was 'string' for value: \"string\""),
        ("{% $ItemsVar %}", {"ItemsVar": True}, "The JSONata expression '$ItemsVar' specified for the field "
         "'Items' returned an unexpected result type. Expected 'array', but was 'boolean' for value: true"),
        ("{% $ItemsVar %}", {"ItemsVar": None}, "The JSONata expression '$ItemsVar' specified for the field "
         "'Items' returned an unexpected result type. Expected 'array', but was 'null' for value: null"),
    ],
)  # fmt: skip
def test_unexpected_result_type_messages(expression: str, variables: dict[str, Any], message: str) -> None:
    template = compile_jsonata_template(expression, "Items")
    value = template.evaluate(Scope({}, variables))
    error = template.unexpected_type_error("array", value)
    assert (error.error, error.cause) == (QUERY_EVALUATION_ERROR, message)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ([], "array"),
        ({}, "object"),
        ("", "string"),
        (0, "number"),
        (0.5, "number"),
        (True, "boolean"),
        (None, "null"),
    ],
)
def test_type_name(value: Any, name: str) -> None:
    assert type_name(value) == name


# --- runtime errors: jsonata-js's text, in AWS's sentence ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("{% $eval('1+1') %}", ". T1006: Attempted to invoke a non-function"),  # AWS has no $eval
        ("{% $sum(['a']) %}", '. T0412: Argument 1 of function "sum" must be an array of "numbers"'),
        ("{% 1 < 'a' %}",
         '. T2009: The values 1 and "a" either side of operator "<" must be of the same data type'),
        ("{% 1 + {} %}", '. T2002: The right side of the "+" operator must evaluate to a number'),
        ("{% 'a' - 1 %}", '. T2001: The left side of the "-" operator must evaluate to a number'),
        ("{% $sqrt(-1) %}", ". D3060: The sqrt function cannot be applied to a negative number: -1"),
        ("{% $split('a','b',-1) %}",
         ". D3020: Third argument of split function must evaluate to a positive number"),
        ("{% $each('x', function($v){$v}) %}", sig(1, "each")),
        ("{% $uppercase(null) %}", sig(1, "uppercase")),
        ("{% $replace('a','','b') %}",
         ". D3010: Second argument of replace function cannot be an empty string"),
        ("{% $single([1,2], function($x){true}) %}",
         ". D3138: The $single() function expected exactly 1 matching result.  Instead it matched more."),
        ("{% $reduce([1,2], function($a){$a}) %}",
         ". D3050: The second argument of reduce function must be a function with at least two arguments"),
        ("{% {'a': 1, 'a': 2} %}", '. D1009: Multiple key definitions evaluate to same key: "a"'),
        ("{% $error('boom') %}", ". D3137: boom"),
        ("{% $notAFunction() %}", ". T1006: Attempted to invoke a non-function"),
    ],
)  # fmt: skip
def test_runtime_errors_carry_jsonata_js_messages(text: str, detail: str) -> None:
    assert cause_of(text) == threw(text, detail)


def test_without_a_field_the_cause_is_the_jsonata_error_alone() -> None:
    with pytest.raises(EvaluationError) as raised:
        ev("{% $sum(['a']) %}")
    assert raised.value.cause == 'T0412: Argument 1 of function "sum" must be an array of "numbers"'


def test_a_python_error_escaping_the_library_is_still_a_query_evaluation_error() -> None:
    text = "{% $map([1, 2], $uppercase) %}"  # the port calls str.upper on a number
    assert cause_of(text).startswith(threw(text, ": "))


def test_runaway_recursion_and_loops_and_sequences_are_bounded() -> None:
    deep = "{% ($f := function($x){ $x <= 0 ? 0 : 1 + $f($x-1) }; $f(100000)) %}"
    assert cause_of(deep) == threw(deep, ": " + jsonata_errors.STACK_MESSAGE)
    loop = "{% ($f := function($x){ $f($x+1) }; $f(1)) %}"
    assert cause_of(loop) == threw(loop, ": Expression evaluation timeout: Check for infinite loop")
    assert ev("{% $count($map([1..1000], function($v){$v})) %}") == 1000
    big = "{% [1..873783] ~> $count() %}"
    assert cause_of(big) == threw(
        big, ": Expression evaluation memory limit exceeded: Check for excessive memory usage"
    )


# --- plain JSON out, nothing mutated in -------------------------------------------------------------

MUTATION_PROBES = [
    "$states.input",
    "$states.input.arr{'k': 'v'}",  # the library appends to an empty input list here
    "$states.input.objs{k: v}",
    "$states.input.objs^(>v)",
    "$states.input ~> |objs|{'z': 1}|",
    "$states.input ~> |$|{'added': true}, ['arr']|",
    "$sort($states.input.objs, function($a, $b){$a.v < $b.v})",
    "$reverse($states.input.one)",
    "$append($states.input.one, 5)",
    "$merge($states.input.objs)",
    "$spread($states.input.objs[0])",
    "$distinct($states.input.dups)",
    "$shuffle($states.input.dups)",
    "$states.input.objs.{k: v}",
    "$states.input.objs#$i.k",
    "$states.input.**.v",
    "$states.input.objs.*",
    "$each($states.input.objs[0], function($v, $k){$k})",
    "$sift($states.input.objs[0], function($v){$v = 1})",
    "$zip($states.input.one, $states.input.dups)",
    "$keys($states.input)",
    "$lookup($states.input.objs, 'k')",
    "$filter($states.input.objs, function($v){$v.v > 1})",
    "$reduce($states.input.dups, function($a, $b){$a + $b})",
    "$partition($states.input.dups, 2)",
    "$string($states.input)",
    "$clone($states.input)",
    "$states.input.nested[0]",
    "$v",
    "$v.inner ~> |$|{'x': 2}|",
]


@pytest.mark.parametrize("probe", MUTATION_PROBES)
def test_inputs_and_variables_are_never_mutated_and_results_are_plain(probe: str) -> None:
    data = {
        "arr": [],
        "one": [0],
        "dups": [1, 2, 2, 3],
        "nested": [[1], [2, 3]],
        "objs": [{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "a", "v": 3}],
        "n": None,
    }
    variables = {"v": {"inner": {"x": 1}, "list": []}}
    data_before, variables_before = copy.deepcopy(data), copy.deepcopy(variables)
    result = ev(f"{{% {probe} %}}", data, variables)
    result_before = copy.deepcopy(result)
    ev(f"{{% {probe} %}}", data, variables)  # again: a result shared with the input stays intact
    assert data == data_before and variables == variables_before
    assert result == result_before
    assert_plain_json(result)


def test_functions_and_regexes_in_results_follow_json_stringify() -> None:
    assert ev("{% function($x){$x} %}") is UNDEFINED
    assert ev("{% {'f': $sum, 'a': 1} %}") == {"a": 1}
    assert ev("{% [$sum, 1] %}") == [None, 1]


def test_binding_a_builtin_to_a_variable_does_not_rename_it_for_later_evaluations() -> None:
    # The library's Frame.bind renames a function bound with := ; the built-in is shared.
    ev("{% ($f := $sum; $f) %}")
    assert cause_of("{% $sum(['a']) %}").endswith(
        'T0412: Argument 1 of function "sum" must be an array of "numbers"'
    )


def test_aws_functions_can_be_partially_applied_and_passed_as_values() -> None:
    assert ev("{% $partition(?, 2)([1, 2, 3]) %}") == [[1, 2], [3]]
    assert ev("{% $random(?)(42) %}") == 0.7275636800328681
    assert ev("{% $hash(?, 'MD5')('Hello') %}") == "8b1a9953c4611296a827abf8c47804d7"
    assert ev("{% $map(['[1]', '{\"a\":2}'], $parse) %}") == [[1], {"a": 2}]


def test_evaluation_works_from_any_thread() -> None:
    results: list[Any] = []
    expression = compile_jsonata("{% $states.input.a + $v %}")
    thread = threading.Thread(target=lambda: results.append(expression.evaluate(Scope({"a": 1}, {"v": 2}))))
    thread.start()
    thread.join()
    assert results == [3]


# --- the single-Pass-state JSONata cases recorded against AWS -------------------------------------------


NO_OUTPUT = object()


def _single_pass_cases() -> list[Any]:
    cases = []
    for path in case_files("*.json"):
        case = json.loads(path.read_text())
        states = case["definition"]["States"]
        if "jsonata" not in case["features"] or len(states) != 1:
            continue
        (state,) = states.values()
        language = state.get("QueryLanguage", case["definition"].get("QueryLanguage"))
        if (
            state["Type"] == "Pass"
            and language == "JSONata"
            and set(state) <= {"Type", "Output", "End", "QueryLanguage"}
        ):
            output = state.get("Output", NO_OUTPUT)
            cases.append(pytest.param(output, case["input"], case["expected"], id=case["id"]))
    return cases


@pytest.mark.parametrize(("output", "input", "expected"), _single_pass_cases())
def test_recorded_single_pass_state_outputs(output: Any, input: Any, expected: dict[str, Any]) -> None:
    if output is NO_OUTPUT:
        pytest.skip("no Output: the state's input passes through")
    template = compile_jsonata_template(output, "Output")
    if expected["status"] == "SUCCEEDED":
        assert template.evaluate(Scope(input)) == expected["output"]
    else:
        with pytest.raises(EvaluationError) as raised:
            template.evaluate(Scope(input))
        assert raised.value.error == expected["error"]
        assert raised.value.cause == STATE_PREFIX.sub("", expected["cause"])
