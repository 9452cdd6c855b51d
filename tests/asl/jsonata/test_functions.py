"""The functions Step Functions adds to JSONata ($partition, $range, $hash, $random, $uuid, $parse)
and the built-ins it answers differently from the library: their edges and AWS's error texts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stepwell.asl.jsonata import UNDEFINED, compile_jsonata
from stepwell.asl.jsonata.builtins import javascript_number_text
from stepwell.asl.jsonata.functions import java_random_double
from stepwell.asl.scope import Entropy, Scope
from tests.asl.jsonata.test_jsonata import cause_of, ev, sig, threw

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


# --- AWS's functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "size", "expected"),
    [
        ([0], 1, [[0]]),
        ([0], 5, [[0]]),
        ([0, 1, 2], 1, [[0], [1], [2]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
        ([0, 1, 2, 3], 5, [[0, 1, 2, 3]]),
        ([1, 2, 3, 4, 5], 2.9, [[1, 2], [3, 4], [5]]),  # truncated towards zero
        ([], 2, UNDEFINED),
        ([1, 2, 3], 0, UNDEFINED),
        ([1, 2, 3, 4], -0.5, UNDEFINED),
    ],
)
def test_partition(array: list[Any], size: Any, expected: Any) -> None:
    result = ev("{% $partition($states.input.a, $states.input.s) %}", {"a": array, "s": size})
    assert result == expected
    assert ev("{% $partition([1, 2, 3]) %}") == [[1, 2, 3]]
    assert ev("{% $partition($states.input.missing, 2) %}") is UNDEFINED


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("{% $partition([1,2,3], -1) %}", ". D3137: Second argument must be zero or greater"),
        ("{% $partition('abc', 2) %}",
         '. T0412: Argument 1 of function "partition" must be an array of undefined'),
        ("{% $partition([1,2,3], 'x') %}", sig(2, "partition")),
        ("{% $partition([1,2,3], 2, 'x') %}", sig(3, "partition")),
        ("{% $range(1) %}", sig(2, "range")),
        ("{% $range('a', 2, 1) %}", sig(1, "range")),
        ("{% $range(1, 5, 1, 'x') %}", sig(4, "range")),
        ("{% $hash('Hello', 'md5') %}",
         ". D3137: Hash algorithm 'md5' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"),
        ("{% $hash('Hello', 'SHA3-256') %}",
         ". D3137: Hash algorithm 'SHA3-256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"),
        ("{% $hash(42, 'MD5') %}", sig(1, "hash")),
        ("{% $hash('a', 5) %}", sig(2, "hash")),
        ("{% $random(1, 2) %}", sig(2, "random")),
        ("{% $random('x') %}", sig(1, "random")),
        ("{% $uuid('seed') %}", sig(1, "uuid")),
        ("{% $parse(null) %}", sig(1, "parse")),
        ("{% $parse('{}', 'x') %}", sig(2, "parse")),
        ("{% $parse('not valid json') %}", ". D3137: Invalid JSON"),
    ],
)  # fmt: skip
def test_aws_function_errors(text: str, detail: str) -> None:
    assert cause_of(text) == threw(text, detail)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $range(0, 9, 3) %}", [0, 3, 6, 9]),
        ("{% $range(0, 10, 3) %}", [0, 3, 6, 9]),
        ("{% $range(1, 9, 2) %}", [1, 3, 5, 7, 9]),
        ("{% $range(0, 10, 2) %}", [0, 2, 4, 6, 8, 10]),
        ("{% $range(10, 0, -2) %}", [10, 8, 6, 4, 2, 0]),
        ("{% $range(1.7, 5, 1) %}", [1, 2, 3, 4, 5]),
        ("{% $range(-1.7, 2, 1) %}", [-1, 0, 1, 2]),
        ("{% $range(5, 1, -1.5) %}", [5, 4, 3, 2, 1]),
        ("{% $range(3, 3, 1) %}", 3),  # a one-item sequence is its item
        ("{% $range(1, 9, 9) %}", 1),  # recorded on AWS (States.ArrayRange(1, 9, 9) is [1])
        ("{% $range(0, 9, 10) %}", 0),
        ("{% $range(5, 1, 1) %}", UNDEFINED),
        ("{% $range(1, 5, 0) %}", UNDEFINED),
        ("{% $range(1, 5) %}", UNDEFINED),
    ],
)
def test_range(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_range_is_bounded_like_a_sequence() -> None:
    text = "{% $range(1, 10000000, 1) %}"
    assert cause_of(text) == threw(
        text, ": Expression evaluation memory limit exceeded: Check for excessive memory usage"
    )


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "8b1a9953c4611296a827abf8c47804d7"),
        ("SHA-1", "f7ff9e8b7bb2e09b70935a5d785e0cc5d9d0abf0"),
        ("SHA-256", "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969"),
        ("SHA-384", "3519fe5ad2c596efe3e276a6f351b8fc0b03db861782490d"
                    "45f7598ebd0ab5fd5520ed102f38c4a5ec834e98668035fc"),
        ("SHA-512", "3615f80c9d293ed7402687f94b22d58e529b8cc7916f8fac7fddf7fbd5af4cf7"
                    "77d3d795a7a00a16bf7e7f3fb9561ee9baae480da9fe7a18769e71886b03f315"),
    ],
)  # fmt: skip
def test_hash(algorithm: str, digest: str) -> None:
    assert ev(f"{{% $hash('Hello', '{algorithm}') %}}") == digest


def test_hash_edges() -> None:
    assert ev("{% $hash('ñ', 'MD5') %}") == "94e9342ecbb1458b6043ecd3bfcbc192"  # UTF-8 bytes
    assert ev("{% $hash('Hello') %}") is UNDEFINED


def test_random_with_a_seed_is_java_util_random() -> None:
    assert ev("{% $random(42) %}") == 0.7275636800328681
    assert ev("{% $random(0) %}") == 0.730967787376657
    assert ev("{% $random(7) %}") == 0.7306990420600421
    assert ev("{% $random(0.9) %}") == ev("{% $random(0) %}")  # truncated towards zero
    assert java_random_double(-5) == ev("{% $random(-5.5) %}")


def test_random_and_uuid_without_a_seed_come_from_the_scope_entropy() -> None:
    expression = compile_jsonata("{% [$random(), $random(), $uuid(), $uuid()] %}")
    first = expression.evaluate(Scope({}, entropy=Entropy("seed-1")))
    again = expression.evaluate(Scope({}, entropy=Entropy("seed-1")))
    other = expression.evaluate(Scope({}, entropy=Entropy("seed-2")))
    assert first == again != other
    assert all(0 <= n < 1 for n in first[:2]) and first[0] != first[1]
    assert all(UUID4.match(u) for u in first[2:]) and first[2] != first[3]


def test_shuffle_is_a_permutation_drawn_from_the_scope_entropy() -> None:
    expression = compile_jsonata("{% $shuffle([1, 2, 3, 4, 5, 6, 7, 8]) %}")
    first = expression.evaluate(Scope({}, entropy=Entropy("s")))
    assert sorted(first) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert first == expression.evaluate(Scope({}, entropy=Entropy("s")))


def test_now_and_millis_are_the_time_the_state_was_entered() -> None:
    scope = Scope({}, {}, {"State": {"EnteredTime": "2024-01-02T03:04:05.678Z"}})
    assert compile_jsonata("{% $now() %}").evaluate(scope) == "2024-01-02T03:04:05.678Z"
    assert compile_jsonata("{% $millis() %}").evaluate(scope) == 1704164645678


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.1", 1.1),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
        ('{"b":1,"a":2}', {"b": 1, "a": 2}),
        ("9223372036854775807", 9223372036854775807),
        ("9223372036854775808", 9.223372036854776e18),
        ("null", None),
    ],
)
def test_parse(text: str, expected: Any) -> None:
    assert ev("{% $parse($states.input.FunctionInput) %}", {"FunctionInput": text}) == expected


def test_parse_edges() -> None:
    assert ev("{% $exists($parse('null')) %}") is True
    assert ev("{% $parse() %}") is UNDEFINED
    assert ev("{% $map(['{\"a\":1}', '{\"a\":2}'], $parse).a %}") == [1, 2]
    for bad in ["''", "'  '", '\'{"a":1}{"b":2}\'', "'[1,2] [3,4]'", '\'{"a":1,"a":2}\'', "'1e400'", "'NaN'"]:
        text = f"{{% $parse({bad}) %}}"
        assert cause_of(text) == threw(text, ". D3137: Invalid JSON"), bad


# --- built-ins where the library differs from jsonata-js -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $string(1e20) %}", "100000000000000000000"),
        ("{% $string(-1.5e20) %}", "-150000000000000000000"),
        ("{% $string(123456789012345678) %}", "123456789012346000"),  # 15 significant digits
        ("{% $string(1e21) %}", "1e+21"),
        ("{% $string(1e-7) %}", "1e-7"),
        ("{% $string(0.00001) %}", "0.00001"),
        ("{% $string(0.1 + 0.2) %}", "0.3"),
        ("{% $string(1/3) %}", "0.333333333333333"),
        ("{% $string(2.50) %}", "2.5"),
        ("{% $string({'a': 1, 'b': [true, null]}) %}", '{"a":1,"b":[true,null]}'),
        ("{% $string('x') %}", "x"),
        ("{% $number('0x10') %}", 16),
        ("{% $number('1e2') %}", 100),
        ("{% $number('-1.5') %}", -1.5),
        ("{% $number(true) %}", 1),
        ("{% $toMillis('2016-03-05T21:29:29.243Z') %}", 1457213369243),
    ],
)
def test_builtins_answer_as_jsonata_js(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("{% $number('abc') %}", '. D3030: Unable to cast value to a number: "abc"'),
        ("{% $number(' 1') %}", '. D3030: Unable to cast value to a number: " 1"'),
        ("{% $number('nan') %}", '. D3030: Unable to cast value to a number: "nan"'),
        ("{% $string(1/0) %}", ". D3001: Attempting to invoke string function on Infinity or NaN"),
        ("{% $toMillis('nope') %}",
         ". D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp."
         ' Given "nope"'),
    ],
)  # fmt: skip
def test_builtin_errors_are_jsonata_js_errors(text: str, detail: str) -> None:
    assert cause_of(text) == threw(text, detail)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (123.0, "123"),
        (1e16, "10000000000000000"),
        (123456.789, "123456.789"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (-1.5e300, "-1.5e+300"),
    ],
)
def test_javascript_number_text_is_number_to_string(value: float, text: str) -> None:
    assert javascript_number_text(value) == text
