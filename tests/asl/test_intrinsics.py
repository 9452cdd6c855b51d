"""Intrinsic functions: every AWS-recorded case whose result is an intrinsic's value, then the edges
(argument validation, limits and the JVM-shaped results AWS shows)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.intrinsics import InvalidIntrinsic, compile_intrinsic, is_intrinsic
from stepwell.asl.paths import PathNotFound
from stepwell.asl.scope import Entropy, Scope
from stepwell.errors import RUNTIME, EvaluationError
from tests.shared_cases import case_files, load_case, requires_shared

CASE_FILES = case_files("intrinsic_functions__*.json")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# The context object as the recordings normalised it (their placeholders stand for the real ids).
MACHINE_ARN = "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"
EXECUTION_ARN = "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>"


def _context(execution_input: Any, state: str = "State0") -> dict[str, Any]:
    return {
        "Execution": {
            "Id": EXECUTION_ARN,
            "Input": execution_input,
            "Name": "<ExecArnPart_0idx>",
            "RoleArn": "snf_role_arn",
            "StartTime": "date",
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": MACHINE_ARN, "Name": "<ArnPart_0idx>"},
        "State": {"Name": state, "EnteredTime": "date"},
    }


def _load(name: str) -> dict[str, Any]:
    return load_case(name)


def _same_json(actual: Any, expected: Any) -> bool:
    """JSON equality that tells 1 from 1.0 and true from 1 (Python's == does not)."""
    return json.dumps(actual, sort_keys=True) == json.dumps(expected, sort_keys=True)


def _evaluate(text: str, scope: Scope) -> Any:
    return compile_intrinsic(text).evaluate(scope)


def _fails(text: str, value: Any = None, message: str | None = None, scope: Scope | None = None) -> None:
    """The invocation fails at run time with States.Runtime and AWS's generic message."""
    name = message or text.split("(", 1)[0]
    with pytest.raises(EvaluationError) as failure:
        _evaluate(text, scope or Scope({"v": value}))
    assert (failure.value.error, failure.value.cause) == (RUNTIME, f"Invalid arguments in {name}")


# --- The recorded cases ------------------------------------------------------------------------------


def _is_intrinsic_pass(case: dict[str, Any]) -> bool:
    states = case["definition"]["States"]
    state = next(iter(states.values()))
    return (
        len(states) == 1
        and state["Type"] == "Pass"
        and state.get("QueryLanguage") != "JSONata"
        and all(is_intrinsic(v) for k, v in state.get("Parameters", {}).items() if k.endswith(".$"))
    )


INTRINSIC_CASES = [p for p in CASE_FILES if _is_intrinsic_pass(json.loads(p.read_text()))]


@requires_shared
def test_recorded_cases_are_found() -> None:
    # 109 intrinsic_functions cases: 88 JSONPath intrinsics, 21 JSONata ones (not intrinsics).
    assert len(CASE_FILES) == 109
    assert len(INTRINSIC_CASES) == 88


@pytest.mark.parametrize("case_file", INTRINSIC_CASES, ids=lambda p: p.stem.split("__", 1)[1])
def test_recorded_intrinsic_case(case_file: Path) -> None:
    case = json.loads(case_file.read_text())
    state_name, state = next(iter(case["definition"]["States"].items()))
    scope = Scope(case["input"], context=_context(case["input"], state_name))
    result = {k[:-2]: _evaluate(v, scope) for k, v in state["Parameters"].items()}
    output: Any = result
    if "ResultPath" in state:  # "$.result_path", then OutputPath "$.result_path.merged"
        output = {**case["input"], state["ResultPath"][2:]: result}
        for step in state["OutputPath"][2:].split("."):
            output = output[step]
    expected = case["expected"]
    assert expected["status"] == "SUCCEEDED"
    if expected["output"] == {"FunctionResult": "RandomNumberGenerated"}:  # the recording hid it
        args = case["input"]["FunctionInput"]
        assert int(args["fst"]) <= output["FunctionResult"] < int(args["snd"])
        return
    assert _same_json(output, expected["output"])


def test_recorded_seeded_math_random_is_reproducible() -> None:
    case = _load("intrinsic_functions__test_math_random_seeded")
    invocation = compile_intrinsic(case["definition"]["States"]["State_0"]["Parameters"]["FunctionResult.$"])
    values = {invocation.evaluate(Scope(case["input"], entropy=Entropy(seed))) for seed in "abc"}
    assert len(values) == 1 and 0 <= values.pop() < 999


def test_recorded_assign_from_intrinsic_functions() -> None:
    case = _load("assign__test_assign_from_value__BASE_ASSIGN_FROM_INTRINSIC_FUNCTION")
    state = case["definition"]["States"]["State0"]
    scope = Scope(state["Result"])  # Assign reads the state's result
    assigned = {
        group: {k[:-2]: _evaluate(v, scope) for k, v in fields.items()}
        for group, fields in state["Assign"].items()
    }
    recorded = next(e for e in case["expected_events"] if e["type"] == "PassStateExited")
    expected = recorded["stateExitedEventDetails"]["assignedVariables"]
    assert UUID4.match(assigned["uuidOp"]["uniqueId"])
    assigned["uuidOp"]["uniqueId"] = expected["uuidOp"]["uniqueId"]
    assert _same_json(assigned, expected)


def test_recorded_assign_from_path_and_format() -> None:
    case = _load("assign__test_base_cases__BASE_PATHS")
    invocation = case["definition"]["States"]["State0"]["Assign"]["str_intrinsic_func.$"]
    recorded = next(e for e in case["expected_events"] if e["type"] == "PassStateExited")
    expected = json.loads(recorded["stateExitedEventDetails"]["assignedVariables"]["str_intrinsic_func"])
    assert _evaluate(invocation, Scope(case["input"])) == expected


def test_recorded_fail_state_error_and_cause_paths() -> None:
    case = _load("base__test_state_fail_intrinsic")
    state, scope = case["definition"]["States"]["FailState"], Scope(case["input"])
    assert _evaluate(state["ErrorPath"], scope) == case["expected"]["error"]
    assert _evaluate(state["CausePath"], scope) == case["expected"]["cause"]


@pytest.mark.parametrize(
    "name", ["MAP_STATE_REFERENCE_IN_INTRINSIC_FUNCTION", "MAP_STATE_REFERENCE_IN_ITEMS_PATH"]
)
def test_recorded_map_item_selector_format(name: str) -> None:
    case = _load(f"assign__test_reference_in_map_state__{name}")
    states = case["definition"]["States"]
    map_state, variables = states["MapIterateState"], states["Start"]["Assign"]
    map_input = states["Start"]["Result"]
    items = variables["PokemonList"] if map_state.get("ItemsPath") == "$PokemonList" else map_input
    invocation = compile_intrinsic(map_state["ItemSelector"]["AnnouncePokemon.$"])
    answers = [
        invocation.evaluate(Scope(map_input, variables, {"Map": {"Item": {"Index": i, "Value": value}}}))
        for i, value in enumerate(items)
    ]
    assert answers == [item["Answer"] for item in case["expected"]["output"]]


def test_recorded_legacy_map_reentrant_counters() -> None:
    states = _load("scenarios__test_map_state_legacy_reentrant")["definition"]["States"]
    assert _evaluate(states["StartState"]["Parameters"]["Values.$"], Scope({})) == [0, 1, 2, 3]
    decrement = states["BeforeIteration"]["Parameters"]["Iterations.$"]
    assert _evaluate(decrement, Scope({"Iterations": 3})) == 2


# --- Parsing -------------------------------------------------------------------------------------------


def test_is_intrinsic() -> None:
    assert is_intrinsic("States.Array()")
    assert not is_intrinsic("$.States.Array")
    assert not is_intrinsic("states.Array()")


def test_compiled_once_and_shared() -> None:
    first = compile_intrinsic("States.ArrayRange(1, 9, 2)")
    assert compile_intrinsic("States.ArrayRange(1, 9, 2)") is first
    assert first.text == "States.ArrayRange(1, 9, 2)"
    # A literal-only call is computed at compile time; the same (never mutated) value is returned.
    assert first.evaluate(Scope({})) is first.evaluate(Scope({}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array( 1 ,-2, 3.5, -0.25, 1e3, 2E-2 )", [1, -2, 3.5, -0.25, 1000.0, 0.02]),
        ("States.Array(true, false, null, 'true')", [True, False, None, "true"]),
        (
            r"""States.Array('it\'s', '\{\}', 'back\\slash', 'say "hi"')""",
            ["it's", "{}", "back\\slash", 'say "hi"'],
        ),
        ("States.Array(States.Array(), States.Array(States.Array(1)))", [[], [[1]]]),
        ("States.Array('a,b)', $.x)", ["a,b)", "v"]),
    ],
)
def test_literals_and_nesting(text: str, expected: Any) -> None:
    assert _same_json(_evaluate(text, Scope({"x": "v"})), expected)


def test_nesting_limit_is_ten_levels() -> None:
    ten = "States.Array(" * 10 + "1" + ")" * 10
    assert _evaluate(ten, Scope({})) == [[[[[[[[[[1]]]]]]]]]]
    with pytest.raises(InvalidIntrinsic, match="nest deeper than 10"):
        compile_intrinsic("States.Array(" * 11 + "1" + ")" * 11)


@pytest.mark.parametrize(
    "text",
    [
        "States.Nope(1)",  # unknown function
        "States.Array(1",  # unfinished
        "States.Array(1) trailing",
        "States.Array(1,)",
        "States.Array([1,2])",
        "States.Array(1.)",
        "States.Array(.5)",
        "States.Array(01)",
        "States.Array(truth)",
        "States.Array('open)",
        r"States.Array('a\nb')",  # "an open escape backslash"
        "States.ArrayLength()",
        "States.ArrayLength($.a, 1)",
        "States.MathRandom(1)",
        "States.MathRandom(1, 2, 3, 4)",
        "States.UUID(1)",
        "States.Format()",
        "States.JsonMerge($.a, $.b, true)",  # "you must specify the boolean value as false"
        "States.Array($.a[)",
    ],
)
def test_invalid_invocations_are_refused_at_compile_time(text: str) -> None:
    with pytest.raises(InvalidIntrinsic):
        compile_intrinsic(text)


def test_path_arguments_read_input_context_and_variables() -> None:
    scope = Scope({"a": {"b": [1, 2]}}, {"var": {"x": "y"}}, {"Execution": {"Name": "run"}})
    assert _evaluate("States.Array($, $.a.b, $$.Execution.Name, $var, $var.x)", scope) == [
        {"a": {"b": [1, 2]}},
        [1, 2],
        "run",
        {"x": "y"},
        "y",
    ]


def test_path_arguments_with_brackets_filters_and_functions() -> None:
    scope = Scope({"items": [{"x": 1}, {"x": 3}], "a": {"b,c)": 5}})
    text = "States.Array($.items[?(@.x > 1)] , $['a']['b,c)'], $.items.length() )"
    assert _evaluate(text, scope) == [[{"x": 3}], 5, 2]


def test_missing_path_argument_is_reported_by_the_path() -> None:
    with pytest.raises(PathNotFound):
        _evaluate("States.Array($.missing)", Scope({}))


# --- States.Format ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("s", "s"),
        (None, "null"),
        (True, "true"),
        (1, "1"),
        (-1.5, "-1.5"),
        (1.0, "1.0"),  # Java's Double.toString
        (1e20, "1.0E20"),
        (1.5e-5, "1.5E-5"),
        (12345678.9, "1.23456789E7"),
        ({"Id": "arn", "Name": "n"}, "{Id=arn, Name=n}"),  # recorded: Java's Map.toString
        (["a", 1, [None], {}], "[a, 1, [null], {}]"),
    ],
)
def test_format_renders_values_as_java_does(value: Any, text: str) -> None:
    assert _evaluate("States.Format('<{}>', $.v)", Scope({"v": value})) == f"<{text}>"


def test_format_templates() -> None:
    scope = Scope({"t": "Hello {}, {}!", "a": "Ada", "b": 2})
    assert _evaluate("States.Format($.t, $.a, $.b)", scope) == "Hello Ada, 2!"
    assert _evaluate("States.Format('no placeholders')", scope) == "no placeholders"
    assert _evaluate(r"States.Format('\{{}\} \'q\'', $.a)", scope) == "{Ada} 'q'"
    assert _evaluate("States.Format(States.Format('{}{}', '{', '}'), $.a)", scope) == "Ada"


@pytest.mark.parametrize(
    "text",
    [
        "States.Format('{} {}', $.v)",  # "There must be as many remaining arguments ... as {}"
        "States.Format('{}', $.v, $.v)",
        "States.Format('Hello {', $.v)",
        "States.Format('Hello {{}}', $.v)",
        "States.Format('}')",
        "States.Format(1)",
        "States.Format($.v)",  # the template must be a string
    ],
)
def test_format_failures(text: str) -> None:
    _fails(text, 123, "States.Format")


# --- Arrays ----------------------------------------------------------------------------------------------


def test_array_partition() -> None:
    scope = Scope({"a": [1, 2, 3, 4, 5]})
    assert _evaluate("States.ArrayPartition($.a, 2)", scope) == [[1, 2], [3, 4], [5]]
    assert _evaluate("States.ArrayPartition($.a, 2.6)", scope) == [[1, 2], [3, 4], [5]]  # truncated
    assert _evaluate("States.ArrayPartition($.a, 2147483647)", scope) == [[1, 2, 3, 4, 5]]
    for bad in ("$.a, 0.49", "$.a, 0", "$.a, -1", "$.a, '2'", "$.a, null", "'not-array', 2"):
        _fails(f"States.ArrayPartition({bad})", message="States.ArrayPartition", scope=scope)


def test_array_contains_compares_java_texts() -> None:
    assert _evaluate("States.ArrayContains($.v, 2)", Scope({"v": [1, 2]})) is True
    assert _evaluate("States.ArrayContains($.v, false)", Scope({"v": [0, 1, -1.5]})) is False
    # Observed on AWS: the string "true" matches true; reordered keys do not match.
    assert _evaluate("States.ArrayContains($.v, true)", Scope({"v": ["true"]})) is True
    assert _evaluate("States.ArrayContains($.v, $.v[0])", Scope({"v": [{"a": 1, "b": 2}]})) is True
    reordered = Scope({"v": [{"a": 1, "b": 2}], "t": {"b": 2, "a": 1}})
    assert _evaluate("States.ArrayContains($.v, $.t)", reordered) is False
    _fails("States.ArrayContains($.v, 'x')", "not-array")


def test_array_range() -> None:
    scope = Scope({})
    assert _evaluate("States.ArrayRange(5, 1, -2)", scope) == [5, 3, 1]
    assert _evaluate("States.ArrayRange(3, 3, -1)", scope) == [3]
    assert _evaluate("States.ArrayRange(5, 1, 1)", scope) == []
    assert _evaluate("States.ArrayRange(1.6, 1.4, 1)", scope) == [1]  # AWS truncates
    assert _evaluate("States.ArrayRange(5.4, -0.6, -2.4)", scope) == [5, 3, 1]
    assert len(_evaluate("States.ArrayRange(1, 1000, 1)", scope)) == 1000
    assert len(_evaluate("States.ArrayRange(1000, 1, -1)", scope)) == 1000
    for bad in ("1, 1001, 1", "1001, 1, -1", "1, 10, 0", "1, 10, 0.49", "'a', 5, 1", "1, 5, null"):
        _fails(f"States.ArrayRange({bad})", message="States.ArrayRange")


def test_array_get_item() -> None:
    scope = Scope({"v": [10, 20, 30], "e": []})
    assert _evaluate("States.ArrayGetItem($.v, 2)", scope) == 30
    assert _evaluate("States.ArrayGetItem($.v, 1.2)", scope) == 20  # observed: truncated
    assert _evaluate("States.ArrayGetItem($.e, 999)", scope) is None  # observed on AWS
    for bad in ("$.v, 3", "$.v, -1", "$.v, '1'", "'not-array', 0"):
        _fails(f"States.ArrayGetItem({bad})", message="States.ArrayGetItem")


def test_array_length() -> None:
    assert _evaluate("States.ArrayLength($.v)", Scope({"v": [[1], {}, None]})) == 3
    _fails("States.ArrayLength($.v)", {"k": 1})


@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([1, 2, 2, 3, 3, 4], [1, 2, 3, 4]),  # recorded
        (["a", "b", "a", "c", "b"], ["a", "b", "c"]),
        ([None, None, 1, None], [None, 1]),
        ([True, False, True, False], [False, True]),  # observed: HashSet order
        ([[1, 2], [1, 2], [2, 1]], [[2, 1], [1, 2]]),  # observed: HashSet order
        ([{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": 1, "b": 2}]),
        ([True, 1, "1"], [1, "1", True]),  # hash codes 3, 1 and 49: buckets 3, 1, 1
        ([], []),
    ],
)
def test_array_unique(items: list[Any], unique: list[Any]) -> None:
    assert _same_json(_evaluate("States.ArrayUnique($.v)", Scope({"v": items})), unique)


def test_array_unique_rejects_non_arrays() -> None:
    _fails("States.ArrayUnique($.v)", {"a": 1})


# --- Encoding and hashing ----------------------------------------------------------------------------------


def test_base64() -> None:
    scope = Scope({"s": "✓ こんにちは 🚀"})
    encoded = _evaluate("States.Base64Encode($.s)", scope)
    assert encoded == "4pyTIOOBk+OCk+OBq+OBoeOBryDwn5qA"
    assert _evaluate("States.Base64Decode(States.Base64Encode($.s))", scope) == "✓ こんにちは 🚀"
    assert _evaluate("States.Base64Encode('')", scope) == ""
    # AWS decodes leniently: outside-alphabet characters and surrounding spaces are skipped.
    assert _evaluate("States.Base64Decode(' YWJjZA== ')", scope) == "abcd"
    assert _evaluate("States.Base64Decode('!!!aGVsbG8=!!!')", scope) == "hello"


def test_base64_limits_and_types() -> None:
    assert len(_evaluate("States.Base64Encode($.v)", Scope({"v": "a" * 10_000}))) == 13_336
    _fails("States.Base64Encode($.v)", "a" * 10_001)
    _fails("States.Base64Decode($.v)", "A" * 10_001)
    for bad in (123, {}, ["x"], None):
        _fails("States.Base64Encode($.v)", bad)
        _fails("States.Base64Decode($.v)", bad)


def test_hash() -> None:
    scope = Scope({"s": "hello"})
    assert _evaluate("States.Hash($.s, 'MD5')", scope) == "5d41402abc4b2a76b9719d911017c592"
    assert _evaluate("States.Hash('🚀', 'SHA-256')", scope) == (
        "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"
    )
    assert len(_evaluate("States.Hash($.v, 'SHA-512')", Scope({"v": "a" * 10_000}))) == 128
    # Observed on AWS: a number is hashed by its text.
    assert _evaluate("States.Hash(123, 'MD5')", scope) == _evaluate("States.Hash('123', 'MD5')", scope)
    _fails("States.Hash($.v, 'SHA-256')", "a" * 10_001, "States.Hash")
    for algorithm in ("'sha-256'", "'SHA256'", "'MD-5'", "''", "123"):
        _fails(f"States.Hash('data', {algorithm})", message="States.Hash")


# --- JSON ---------------------------------------------------------------------------------------------------


def test_string_to_json() -> None:
    for text, value in (
        ('{"a":1}', {"a": 1}),
        (" [1, 2] ", [1, 2]),
        ('"x"', "x"),
        ("null", None),
        ("", None),
    ):
        assert _evaluate("States.StringToJson($.v)", Scope({"v": text})) == value
    for bad in ("{bad json}", '{"a":1', "undefined", "NaN", "1 2", 123, {"a": 1}, None):
        _fails("States.StringToJson($.v)", bad)


def test_json_to_string_is_compact() -> None:
    value = {"nested": {"a": 1}, "arr": [True, None], "text": 'é"', "f": 1.5}
    assert _evaluate("States.JsonToString($.v)", Scope({"v": value})) == (
        '{"nested":{"a":1},"arr":[true,null],"text":"é\\"","f":1.5}'
    )
    assert _evaluate("States.JsonToString('x')", Scope({})) == '"x"'


def test_json_merge() -> None:
    scope = Scope({"a": {"x": {"l": 1}, "k": 1}, "b": {"x": {"r": 2}}, "deep": True, "flag": "false"})
    assert _evaluate("States.JsonMerge($.a, $.b, false)", scope) == {"x": {"r": 2}, "k": 1}
    assert _evaluate("States.JsonMerge($.a, $.b, $.flag)", scope) == {"x": {"r": 2}, "k": 1}
    _fails("States.JsonMerge($.a, $.b, $.deep)", message="States.JsonMerge", scope=scope)
    values = Scope({"n": None, "o": {}, "s": "x", "l": []})
    for bad in ("$.n, $.o", "$.o, $.s", "$.l, $.o"):
        _fails(f"States.JsonMerge({bad}, false)", message="States.JsonMerge", scope=values)


# --- Math, strings, ids ------------------------------------------------------------------------------------


def test_math_add() -> None:
    scope = Scope({"a": 1.6, "b": 2.7})
    assert _evaluate("States.MathAdd($.a, $.b)", scope) == 5
    assert _evaluate("States.MathAdd(2147483646, 1)", scope) == 2147483647
    assert _evaluate("States.MathAdd(-2147483647, -1)", scope) == -2147483648
    assert _evaluate("States.MathAdd(0.49999999999999994, 0)", scope) == 0
    for bad in (
        "2147483647, 1",
        "-2147483648, -1",
        "3000000000, 1",
        "'a', 1",
        "null, 1",
        "true, 1",
        "'1', 2",
    ):
        _fails(f"States.MathAdd({bad})", message="States.MathAdd")


def test_math_random_range_and_seed() -> None:
    values = {_evaluate("States.MathRandom(1, 4)", Scope({}, entropy=Entropy(str(i)))) for i in range(200)}
    assert values == {1, 2, 3}  # start inclusive, end exclusive
    assert {
        _evaluate("States.MathRandom(1.6, 5.4)", Scope({}, entropy=Entropy(str(i)))) for i in range(200)
    } == {
        1,
        2,
        3,
        4,
    }
    # "If you use this function with the same seed value, it returns an identical number."
    seeded = {_evaluate("States.MathRandom(1, 1000000, 42)", Scope({}, entropy=Entropy(s))) for s in "xyz"}
    assert len(seeded) == 1
    assert _evaluate("States.MathRandom(1, 1000000, 43)", Scope({})) != seeded.pop()
    for bad in ("1, 1", "10, 5", "1.49, 1.49", "'a', 10", "1, 10, 'seed'", "1, 10, null"):
        _fails(f"States.MathRandom({bad})", message="States.MathRandom")


def test_math_random_draws_from_the_scope_entropy() -> None:
    first = [_evaluate("States.MathRandom(0, 1000000)", Scope({}, entropy=Entropy("s"))) for _ in range(2)]
    assert first[0] == first[1]
    entropy = Entropy("s")
    scope = Scope({}, entropy=entropy)
    assert _evaluate("States.MathRandom(0, 1000000)", scope) != _evaluate(
        "States.MathRandom(0, 1000000)", scope
    )


@pytest.mark.parametrize(
    ("text", "delimiters", "tokens"),
    [
        ("a,,b,", ",", ["a", "b"]),  # StringTokenizer: no empty tokens
        ("1a2b3ab4", "ab", ["1", "2", "3", "4"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("", ",", []),
        ("abc", "", ["abc"]),
    ],
)
def test_string_split(text: str, delimiters: str, tokens: list[str]) -> None:
    assert _evaluate("States.StringSplit($.s, $.d)", Scope({"s": text, "d": delimiters})) == tokens


def test_string_split_rejects_non_strings() -> None:
    for bad in (123, None, False, [","]):
        _fails("States.StringSplit($.v, ',')", bad)
        _fails("States.StringSplit('a,b', $.v)", bad, "States.StringSplit")


def test_uuid_comes_from_the_scope_entropy() -> None:
    first = _evaluate("States.UUID()", Scope({}, entropy=Entropy("seed")))
    assert UUID4.match(first)
    assert _evaluate("States.UUID()", Scope({}, entropy=Entropy("seed"))) == first
    scope = Scope({}, entropy=Entropy("seed"))
    assert _evaluate("States.Array(States.UUID(), States.UUID())", scope)[1] != first


# --- no intrinsic builds an unbounded value ----------------------------------------------------------


def test_format_repeating_a_big_value_is_refused_before_the_text_is_built() -> None:
    big = {"s": "x" * 200_000}
    repeated = "States.Format('" + "{}" * 10 + "'" + ", $.s" * 10 + ")"
    with pytest.raises(EvaluationError) as caught:
        compile_intrinsic(repeated).evaluate(Scope(big))
    assert (caught.value.error, caught.value.cause) == (RUNTIME, "Invalid arguments in States.Format")
    assert compile_intrinsic("States.Format('{}{}', $.s, $.s)").evaluate(Scope(big)) == "x" * 400_000


def test_json_to_string_of_a_value_repeating_a_big_one_is_refused() -> None:
    big = {"s": "x" * 200_000}
    repeated = "States.JsonToString(States.Array(" + ", ".join(["$.s"] * 10) + "))"
    with pytest.raises(EvaluationError) as caught:
        compile_intrinsic(repeated).evaluate(Scope(big))
    assert (caught.value.error, caught.value.cause) == (RUNTIME, "Invalid arguments in States.JsonToString")
