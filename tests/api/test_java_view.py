"""How Coral sees a request: Java's toString of values, String.length(), and HashMap order."""

from __future__ import annotations

import pytest

from stepwell.api.java_view import java_float, java_hashmap_order, java_length, render


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        ("text", "text"),
        (1001, "1001"),
        (1.0, "1.0"),
        (-2.0, "-2.0"),
        (0.5, "0.5"),
        (123.25, "123.25"),
        (1e7, "1.0E7"),
        (1.5e-5, "1.5E-5"),
        (2.5e10, "2.5E10"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_scalars_as_java_prints_them(value: object, text: str) -> None:
    assert render(value) == text


def test_a_large_float_keeps_its_digits() -> None:
    assert java_float(12345678.0) == "1.2345678E7"


def test_lists_and_maps_render_their_elements() -> None:
    assert render(["a", "b"], "TagKeyList") == "[a, b]"
    assert render([], "TagKeyList") == "[]"


def test_a_structure_renders_its_members_in_model_order_an_absent_one_as_null() -> None:
    assert render({"value": "v", "key": "k"}, "Tag") == "Tag(key=k, value=v)"
    assert render([{"key": "k"}], "TagList") == "[Tag(key=k, value=null)]"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-2.5e10, "-2.5E10"),
        (1e-4, "1.0E-4"),
        (0.0001234, "1.234E-4"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
    ],
)
def test_scientific_notation_keeps_the_shortest_digits(value: float, text: str) -> None:
    assert java_float(value) == text


def test_a_structure_renders_with_its_members_as_aws_prints_it() -> None:
    item = {"stateMachineVersionArn": "arn:aws:states:us-east-1:111111111111:stateMachine:sm:1", "weight": 50}
    assert render(item, "RoutingConfigurationListItem") == (
        "RoutingConfigurationListItem("
        "stateMachineVersionArn=arn:aws:states:us-east-1:111111111111:stateMachine:sm:1, weight=50)"
    )


@pytest.mark.parametrize(("text", "length"), [("abc", 3), ("é", 1), ("😀", 2), ("a😀b", 4), ("\ud800", 1)])
def test_java_length_counts_utf16_units(text: str, length: int) -> None:
    assert java_length(text) == length


def test_hashmap_order_of_member_names() -> None:
    # maxResults and nextToken share bucket 22 of 32: insertion (model) order decides, which is
    # Athena's nextToken before maxResults (validation.py).
    assert java_hashmap_order(["nextToken", "maxResults"]) == ["nextToken", "maxResults"]
    assert java_hashmap_order(["maxResults", "nextToken"]) == ["maxResults", "nextToken"]
    # Otherwise by bucket: statusFilter (2) before maxResults (22) before stateMachineArn (29).
    order = java_hashmap_order(["stateMachineArn", "maxResults", "statusFilter"])
    assert order == ["statusFilter", "maxResults", "stateMachineArn"]


def test_hashmap_order_grows_the_table_past_three_quarters() -> None:
    names = [f"member{i}" for i in range(30)]
    assert sorted(java_hashmap_order(names)) == sorted(names)
    assert java_hashmap_order([]) == []
