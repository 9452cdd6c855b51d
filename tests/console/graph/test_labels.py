"""Edge labels: Choice rules written like code, catches, and shortening for display."""

from __future__ import annotations

import pytest

from stepwell.console.graph.labels import catch_label, choice_label, shorten


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.n", "NumericEquals": 5}, "$.n == 5"),
        ({"Variable": "$.n", "NumericLessThanEquals": 1.5}, "$.n <= 1.5"),
        ({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m"}, "$.n >= $.m"),
        ({"Variable": "$.s", "StringLessThan": "b"}, '$.s < "b"'),
        ({"Variable": "$.s", "StringMatches": "log-*.txt"}, '$.s matches "log-*.txt"'),
        ({"Variable": "$.b", "BooleanEquals": False}, "$.b == false"),
        ({"Variable": "$.t", "TimestampGreaterThan": "2026-01-01T00:00:00Z"}, '$.t > "2026-01-01T00:00:00Z"'),
        ({"Variable": "$.v", "IsNull": False}, "$.v is not null"),
        ({"Variable": "$.v", "IsTimestamp": True}, "$.v is timestamp"),
        ({"Variable": "$$.Execution.Name", "StringEqualsPath": "$.name"}, "$$.Execution.Name == $.name"),
        (
            {"Or": [{"Variable": "$.a", "IsString": True}, {"Variable": "$.a", "IsNumeric": True}]},
            "Or($.a is string, $.a is numeric)",
        ),
        ({"Condition": "{%  $states.input.n\n  > 5 %}"}, "$states.input.n > 5"),
        ({"Condition": True}, "true"),
    ],
)
def test_choice_rules_read_like_code(rule: dict[str, object], text: str) -> None:
    assert choice_label(rule) == text


def test_shorten_keeps_one_line_and_marks_the_cut() -> None:
    assert shorten("a\n b", 10) == "a b"
    assert shorten("x" * 40, 10) == "x" * 9 + "…"


def test_nested_composites() -> None:
    rule = {
        "And": [{"Not": {"Variable": "$.a", "IsPresent": True}}, {"Variable": "$.b", "StringEquals": "é"}],
        "Next": "X",
    }
    assert choice_label(rule) == 'And(Not($.a is present), $.b == "é")'


def test_a_rule_without_an_operator_is_its_variable() -> None:
    assert choice_label({"Variable": "$.x", "Next": "Y", "Comment": "c"}) == "$.x"
    assert choice_label({"Next": "Y"}) == "?"


def test_an_unknown_operator_is_written_as_is() -> None:
    assert choice_label({"Variable": "$.x", "StringContains": "a"}) == '$.x StringContains "a"'


def test_catch_label_lists_the_errors() -> None:
    assert catch_label(["States.Timeout", "Custom.Error"]) == "States.Timeout, Custom.Error"
    assert catch_label([]) == ""


def test_shorten_at_the_limit() -> None:
    assert shorten("abcde", 5) == "abcde"
    assert shorten("abc   defgh", 5) == "abc…"  # blanks collapse, and none is left before the ellipsis
    assert shorten("abc defgh", 7) == "abc de…"
