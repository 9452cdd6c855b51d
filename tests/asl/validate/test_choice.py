"""The shape of Choice rules: composites, data tests and their operand types in JSONPath, and
``{Condition, Next}`` rules in JSONata."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.choice import OPERATORS, check_choice_state
from stepwell.asl.validate.schema import Diagnostics, language_mismatch, only_one
from stepwell.asl.validate.walk import JSONATA, JSONPATH
from tests.asl.validate.support import Triple, one_state, schema, site_of, triples

AT = "/States/X/Choices[0]"
ONE_SELECTOR = "The object must have only one of the following fields, [And, Or, Not, Variable, Condition]"


def rules(*choices: Any, **top: Any) -> list[Triple]:
    out: Diagnostics = []
    check_choice_state(site_of(one_state({"Type": "Choice", "Choices": list(choices)}, **top)), out)
    return triples(out)


def test_good_jsonpath_rules_pass() -> None:
    assert (
        rules(
            {"Variable": "$.a", "StringEquals": "x", "Next": "Y", "Assign": {"v": 1}, "Comment": "c"},
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThan": 1},
                    {"Not": {"Variable": "$.b", "IsNull": True}},
                ],
                "Next": "Y",
            },
            {"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z", "Next": "Y"},
            {"Variable": "$.n", "NumericEqualsPath": "$.m", "Next": "Y"},
        )
        == []
    )


def test_an_empty_choices_array() -> None:
    assert rules() == [schema("Value cannot be empty", "/States/X/Choices")]


def test_a_rule_that_is_not_an_object() -> None:
    assert rules(1) == [schema("Expected value of type [OBJECT]", AT)]


def test_next_is_required_on_the_top_rule_only() -> None:
    assert rules({"Variable": "$.a", "IsPresent": True}) == [schema("These fields are required: [Next]", AT)]
    assert rules({"Variable": "$.a", "IsPresent": True, "Next": 1}) == [
        schema("Expected value of type [STRING]", f"{AT}/Next")
    ]
    assert rules({"Not": {"Variable": "$.a", "IsPresent": True, "Next": "Y"}, "Next": "Y"}) == [
        schema("Field 'Next' is not supported", f"{AT}/Not")
    ]


def test_assign_must_be_an_object() -> None:
    assert rules({"Variable": "$.a", "IsPresent": True, "Next": "Y", "Assign": 1}) == [
        schema("Expected value of type [OBJECT]", f"{AT}/Assign")
    ]


def test_exactly_one_selector() -> None:
    assert rules({"Next": "Y"}) == [schema(ONE_SELECTOR, AT)]
    assert rules({"Variable": "$.a", "And": [], "Next": "Y"}) == [schema(ONE_SELECTOR, AT)]


def test_a_data_test_needs_exactly_one_operator() -> None:
    expected = schema(only_one(tuple(OPERATORS)), AT)
    assert rules({"Variable": "$.a", "Next": "Y"}) == [expected]
    assert rules({"Variable": "$.a", "IsNull": True, "IsString": True, "Next": "Y"}) == [expected]
    assert expected[1].startswith(
        "There should only be one of the following fields: [StringEquals, StringEqualsPath, "
    )


def test_the_variable_must_be_a_string() -> None:
    assert rules({"Variable": 1, "IsNull": True, "Next": "Y"}) == [
        schema("Expected value of type [STRING]", f"{AT}/Variable")
    ]


@pytest.mark.parametrize(
    ("operator", "operand", "kind"),
    [
        ("StringEquals", 1, "STRING"),
        ("StringMatches", None, "STRING"),
        ("StringLessThanPath", 1, "STRING"),
        ("NumericEquals", "1", "NUMBER"),
        ("NumericEquals", True, "NUMBER"),
        ("NumericLessThanPath", 1, "STRING"),
        ("BooleanEquals", "true", "BOOLEAN"),
        ("BooleanEqualsPath", True, "STRING"),
        ("TimestampEquals", 1, "STRING"),
        ("IsPresent", "yes", "BOOLEAN"),
        ("IsTimestamp", 1, "BOOLEAN"),
    ],
)
def test_operand_types(operator: str, operand: Any, kind: str) -> None:
    assert rules({"Variable": "$.a", operator: operand, "Next": "Y"}) == [
        schema(f"Expected value of type [{kind}]", f"{AT}/{operator}")
    ]


def test_timestamp_operands_must_be_rfc3339() -> None:
    assert rules({"Variable": "$.a", "TimestampGreaterThan": "2016-03-14", "Next": "Y"}) == [
        schema("String does not match RFC3339 timestamp", f"{AT}/TimestampGreaterThan")
    ]
    # A Path variant holds a path, not a timestamp.
    assert rules({"Variable": "$.a", "TimestampGreaterThanPath": "$.b", "Next": "Y"}) == []


def test_composite_operands() -> None:
    assert rules({"And": {}, "Next": "Y"}) == [schema("Expected value of type [ARRAY]", f"{AT}/And")]
    assert rules({"Or": [], "Next": "Y"}) == [schema("Value cannot be empty", f"{AT}/Or")]
    assert rules({"Or": [3], "Next": "Y"}) == [schema("Expected value of type [OBJECT]", f"{AT}/Or[0]")]
    assert rules({"Not": [], "Next": "Y"}) == [schema("Expected value of type [OBJECT]", f"{AT}/Not")]
    assert rules({"Not": {"Variable": "$.a", "IsNull": True}, "IsNull": True, "Next": "Y"}) == [
        schema("Field 'IsNull' is not supported", AT)
    ]


def test_nested_rules_are_checked_with_their_pointers() -> None:
    rule = {
        "And": [{"Variable": "$.a", "IsNull": True}, {"Or": [{"Variable": "$.b", "NumericEquals": "x"}]}],
        "Next": "Y",
    }
    assert rules(rule) == [schema("Expected value of type [NUMBER]", f"{AT}/And[1]/Or[0]/NumericEquals")]


def test_jsonata_fields_in_a_jsonpath_rule() -> None:
    assert rules({"Condition": "{% true %}", "Next": "Y"}) == [
        schema(language_mismatch(JSONPATH, "Condition"), AT)
    ]
    assert rules({"Variable": "$.a", "IsNull": True, "Output": {}, "Next": "Y"}) == [
        schema(language_mismatch(JSONPATH, "Output"), AT)
    ]


def test_good_jsonata_rules_pass() -> None:
    assert (
        rules(
            {"Condition": "{% $x > 1 %}", "Next": "Y", "Output": {}, "Assign": {}, "Comment": "c"},
            QueryLanguage="JSONata",
        )
        == []
    )
    assert rules({"Condition": True, "Next": "Y"}, QueryLanguage="JSONata") == []


def test_jsonata_rules() -> None:
    assert rules({"Next": "Y"}, QueryLanguage="JSONata") == [
        schema("These fields are required: [Condition]", AT)
    ]
    assert rules({"Condition": "$x", "Next": "Y"}, QueryLanguage="JSONata") == [
        schema("Expected value of type [BOOLEAN]", f"{AT}/Condition")
    ]
    assert rules({"Condition": True, "Next": "Y", "Extra": 1}, QueryLanguage="JSONata") == [
        schema("Field 'Extra' is not supported", AT)
    ]
    # JSONPath fields are reported once each as a language mismatch, and Condition is then not required.
    assert rules({"Variable": "$.a", "IsNull": True, "Next": "Y"}, QueryLanguage="JSONata") == [
        schema(language_mismatch(JSONATA, "Variable"), AT),
        schema(language_mismatch(JSONATA, "IsNull"), AT),
    ]
