"""The intrinsic functions called directly on evaluated arguments: the JVM behaviours AWS shows
(Java texts, Math.round, HashSet order, StringTokenizer) and "Invalid arguments in States.X"."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from stepwell.asl import intrinsic_functions as fn
from stepwell.asl.scope import Entropy, Scope
from stepwell.errors import RUNTIME, EvaluationError

SCOPE = Scope(None)


def call(name: str, *args: Any) -> Any:
    return fn.FUNCTIONS[name].apply(args, SCOPE)


def refused(name: str, *args: Any) -> None:
    with pytest.raises(EvaluationError) as raised:
        call(name, *args)
    assert (raised.value.error, raised.value.cause) == (RUNTIME, f"Invalid arguments in {name}")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("s", "s"),
        (True, "true"),
        (None, "null"),
        (3, "3"),
        (1.5, "1.5"),
        (2.0, "2.0"),
        ([1, "a", None], "[1, a, null]"),
        ({"Id": "arn:x", "Name": "n", "N": [1.0]}, "{Id=arn:x, Name=n, N=[1.0]}"),
    ],
)
def test_java_text(value: Any, text: str) -> None:
    assert fn.java_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0"),
        (0.001, "0.001"),
        (1234567.0, "1234567.0"),
        (1e7, "1.0E7"),
        (1e20, "1.0E20"),
        (1.5e-5, "1.5E-5"),
        (-2.5e-4, "-2.5E-4"),
        (123456789.123, "1.23456789123E8"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
    ],
)
def test_java_double_text_is_double_to_string(value: float, text: str) -> None:
    assert fn.java_double_text(value) == text


def test_the_table_of_functions_and_arities() -> None:
    assert len(fn.FUNCTIONS) == 18
    assert (fn.FUNCTIONS["States.MathRandom"].min_args, fn.FUNCTIONS["States.MathRandom"].max_args) == (2, 3)
    assert fn.FUNCTIONS["States.Array"].max_args == -1
    assert {name for name, f in fn.FUNCTIONS.items() if not f.pure} == {"States.MathRandom", "States.UUID"}


def test_array_partition() -> None:
    assert call("States.ArrayPartition", [1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert call("States.ArrayPartition", [1, 2, 3], 2.9) == [[1, 2], [3]]  # (int) cuts the fraction
    assert call("States.ArrayPartition", [], 3) == []
    refused("States.ArrayPartition", [1], 0)
    refused("States.ArrayPartition", [1], 0.5)
    refused("States.ArrayPartition", "ab", 1)
    refused("States.ArrayPartition", [1], "1")


def test_array_contains_compares_java_texts() -> None:
    assert call("States.ArrayContains", [1, "true"], True) is True
    assert call("States.ArrayContains", [{"a": 1, "b": 2}], {"a": 1, "b": 2}) is True
    assert call("States.ArrayContains", [{"a": 1, "b": 2}], {"b": 2, "a": 1}) is False
    assert call("States.ArrayContains", [1.0], 1) is False
    refused("States.ArrayContains", {"a": 1}, 1)


def test_array_range() -> None:
    assert call("States.ArrayRange", 1, 9, 2) == [1, 3, 5, 7, 9]
    assert call("States.ArrayRange", 5, 1, -2) == [5, 3, 1]
    assert call("States.ArrayRange", 1, 5, -1) == []
    assert call("States.ArrayRange", 1.9, 3.9, 1) == [1, 2, 3]
    assert len(call("States.ArrayRange", 1, 1000, 1)) == 1000
    refused("States.ArrayRange", 1, 1001, 1)  # "can't contain more than 1000 items"
    refused("States.ArrayRange", 1, 5, 0)
    refused("States.ArrayRange", 1, float("inf"), 1)


def test_array_get_item_and_length() -> None:
    assert call("States.ArrayGetItem", ["a", "b"], 1) == "b"
    assert call("States.ArrayGetItem", [], 7) is None  # observed on AWS
    refused("States.ArrayGetItem", ["a"], 1)
    refused("States.ArrayGetItem", ["a"], -1)
    assert call("States.ArrayLength", [1, [2, 3]]) == 2
    refused("States.ArrayLength", "abc")


def test_array_unique_in_java_hash_set_order() -> None:
    assert call("States.ArrayUnique", [True, False, True]) == [False, True]
    assert call("States.ArrayUnique", [[1, 2], [2, 1], [1, 2]]) == [[2, 1], [1, 2]]
    assert call("States.ArrayUnique", [3, 1, 2, 1, 17]) == [1, 17, 2, 3]
    # true and 1, 1 and 1.0 are different Jackson nodes.
    unique = call("States.ArrayUnique", [1, True, 1.0, 1])
    assert unique == [1.0, 1, True]  # buckets 0 (1.0's hash 0x3FF00000), 1, 3
    assert [type(v) for v in unique] == [float, int, bool]


def test_base64() -> None:
    assert call("States.Base64Encode", "Data to encode") == "RGF0YSB0byBlbmNvZGU="
    assert call("States.Base64Decode", "RGF0YSB0byBlbmNvZGU=") == "Data to encode"
    assert call("States.Base64Decode", "") == ""
    assert call("States.Base64Decode", "RGF0\nYQ==") == "Data"  # characters outside the alphabet are skipped
    assert call("States.Base64Decode", "RGF0YQ") == "Data"  # padding is optional
    assert call("States.Base64Decode", "RGF0YQZ") == "Data\x06"
    assert call("States.Base64Decode", "RGF0YQZAB") == "Data\x06@"  # a lone sextet makes no byte
    assert call("States.Base64Decode", "RGF0YQ==trailing") == "Data"  # decoding stops at the padding
    refused("States.Base64Encode", 1)
    refused("States.Base64Encode", "x" * 10_001)  # "a data string of up to 10,000 characters"
    assert len(call("States.Base64Encode", "x" * 10_000)) == 13_336


def test_hash() -> None:
    assert call("States.Hash", "input data", "SHA-1") == hashlib.sha1(b"input data").hexdigest()
    assert call("States.Hash", 1.0, "MD5") == hashlib.md5(b"1.0").hexdigest()  # a number by its Java text
    assert call("States.Hash", {"a": 1}, "SHA-256") == hashlib.sha256(b"{a=1}").hexdigest()
    refused("States.Hash", "x", "SHA-3")
    refused("States.Hash", "x", None)


def test_string_to_json_and_back() -> None:
    assert call("States.StringToJson", '{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    assert call("States.StringToJson", "  ") is None  # recorded on AWS: '' parses to null
    refused("States.StringToJson", "{bad")
    refused("States.StringToJson", "NaN")
    refused("States.StringToJson", 1)
    assert call("States.JsonToString", {"a": [1, "é"], "b": None}) == '{"a":[1,"é"],"b":null}'


def test_json_to_string_refuses_a_text_past_four_payloads() -> None:
    big = "x" * 300_000
    assert len(call("States.JsonToString", [big, big, big])) == 900_010
    refused("States.JsonToString", [big] * 4)


def test_json_merge_is_shallow() -> None:
    assert call("States.JsonMerge", {"a": {"x": 1}, "b": 1}, {"a": {"y": 2}}, False) == {
        "a": {"y": 2},
        "b": 1,
    }
    assert call("States.JsonMerge", {"a": 1}, {"b": 2}, "yes") == {"a": 1, "b": 2}  # taken as shallow
    refused("States.JsonMerge", {"a": 1}, {"b": 2}, True)
    refused("States.JsonMerge", [1], {"b": 2}, False)


@pytest.mark.parametrize(
    ("left", "right", "total"),
    [(1, 2, 3), (-1.5, 0, -1), (-1.51, 0, -2), (0.5, 0, 1), (2.5, 0, 3), (2**31 - 2, 1, 2**31 - 1)],
)
def test_math_add_rounds_with_java_math_round(left: Any, right: Any, total: int) -> None:
    assert call("States.MathAdd", left, right) == total


def test_math_add_works_on_32_bit_ints() -> None:
    refused("States.MathAdd", 2**31 - 1, 1)
    refused("States.MathAdd", 2**31, -1)
    refused("States.MathAdd", "1", 1)
    refused("States.MathAdd", True, 1)


def test_math_random() -> None:
    scope = Scope(None, entropy=Entropy("r"))
    draws = [fn.math_random((1, 4), scope) for _ in range(100)]
    assert set(draws) == {1, 2, 3}  # start inclusive, end exclusive
    assert fn.math_random((0, 1000, 7), SCOPE) == fn.math_random(
        (0, 1000, 7.9), Scope(None, entropy=Entropy("x"))
    )
    refused("States.MathRandom", 5, 5)
    refused("States.MathRandom", "1", 5)


def test_string_split_is_a_string_tokenizer() -> None:
    # Recorded against AWS (intrinsic_functions test_string_split e1, e2, e5, e6).
    assert call("States.StringSplit", " , ", ",") == [" ", " "]
    assert call("States.StringSplit", ", , ,", ",") == [" ", " "]
    assert call("States.StringSplit", "This.is+a,test=string", ".+,=") == [
        "This",
        "is",
        "a",
        "test",
        "string",
    ]
    assert call("States.StringSplit", "split on T and \nnew line", "T\n") == [
        "split on ",
        " and ",
        "new line",
    ]
    assert call("States.StringSplit", "abc", "") == ["abc"]
    assert call("States.StringSplit", "", "") == []
    refused("States.StringSplit", 1, ",")


def test_uuid_comes_from_the_scope_entropy() -> None:
    assert call("States.UUID") == Scope(None).entropy.uuid4()
    assert fn.uuid((), Scope(None, entropy=Entropy("a"))) != fn.uuid((), Scope(None, entropy=Entropy("b")))


def test_array_builds_from_its_arguments() -> None:
    assert call("States.Array", 1, "a", None) == [1, "a", None]
    assert call("States.Array") == []
