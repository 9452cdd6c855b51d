"""The schema pass: AWS's SCHEMA_VALIDATION_FAILED words, the field-kind table, ranges, and the
checks every object and state gets."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.schema import (
    STATE_FIELD_KINDS,
    Diagnostics,
    check_enum,
    check_kinds,
    check_range,
    check_schema,
    check_state_common,
    check_unknown_fields,
    exactly_one,
    expected_type,
    language_mismatch,
    not_supported,
    one_of,
    only_one,
    other_language_fields,
    required,
)
from stepwell.asl.validate.walk import JSONATA, JSONPATH, Site
from tests.asl.validate.support import PASS_END, Triple, one_state, schema, site_of, triples


def test_the_message_builders_use_aws_words() -> None:
    assert expected_type("STRING") == "Expected value of type [STRING]"
    assert one_of(("JSONPath", "JSONata")) == "Value should be one of the following: [JSONPath, JSONata]"
    assert not_supported("Foo") == "Field 'Foo' is not supported"
    # AWS's order for an empty definition (recorded): [States, StartAt]
    assert required(("States", "StartAt")) == "These fields are required: [States, StartAt]"
    assert only_one(("Next", "End")) == "There should only be one of the following fields: [Next, End]"
    assert (
        exactly_one(("Next", "End"))
        == "This object should have only one of the following fields: [Next, End]"
    )
    assert language_mismatch(JSONATA, "InputPath") == (
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported"
        " for the 'JSONPath' QueryLanguage"
    )
    assert language_mismatch(JSONPATH, "Output") == (
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported"
        " for the 'JSONata' QueryLanguage"
    )


def test_unknown_fields_are_reported_at_the_object_and_the_root_as_slash() -> None:
    out: Diagnostics = []
    check_unknown_fields({"A": 1, "B": 2, "Ok": 3}, frozenset({"Ok"}), "", out)
    check_unknown_fields({"C": 1}, frozenset(), "/States/X", out)
    assert triples(out) == [
        schema("Field 'A' is not supported", "/"),
        schema("Field 'B' is not supported", "/"),
        schema("Field 'C' is not supported", "/States/X"),
    ]


def test_enums() -> None:
    out: Diagnostics = []
    check_enum({"Mode": "inline"}, "Mode", ("INLINE", "DISTRIBUTED"), "/P", out)
    check_enum({"Mode": 1}, "Mode", ("INLINE",), "/P", out)
    check_enum({"Mode": "INLINE"}, "Mode", ("INLINE",), "/P", out)
    check_enum({}, "Mode", ("INLINE",), "/P", out)
    assert triples(out) == [
        schema("Value should be one of the following: [INLINE, DISTRIBUTED]", "/P/Mode"),
        schema("Expected value of type [STRING]", "/P/Mode"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "jsonata", "kind"),
    [
        ("Comment", 1, False, "STRING"),
        ("End", "true", False, "BOOLEAN"),
        ("Parameters", [], False, "OBJECT"),
        ("Arguments", "{% $x %}", False, "OBJECT"),  # an expression only in a JSONata state
        ("Retry", {}, False, "ARRAY"),
        ("TimeoutSeconds", 1.5, False, "INTEGER"),
        ("TimeoutSeconds", "{% 3 %}", False, "INTEGER"),
        ("ToleratedFailurePercentage", "5", True, "NUMBER"),
        ("Items", 3, True, "ARRAY"),
        ("SecondsPath", None, False, "STRING"),
        ("Label", 7, False, "STRING"),
    ],
)
def test_fields_of_the_wrong_json_kind(field: str, value: Any, jsonata: bool, kind: str) -> None:
    out: Diagnostics = []
    wrong = check_kinds({field: value}, STATE_FIELD_KINDS, "/States/X", jsonata, out)
    assert wrong == {field}
    assert triples(out) == [schema(f"Expected value of type [{kind}]", f"/States/X/{field}")]


@pytest.mark.parametrize(
    ("field", "value", "jsonata"),
    [
        ("InputPath", None, False),  # null discards the input (ASL)
        ("OutputPath", None, False),
        ("ResultPath", None, False),
        ("Arguments", "{% $x %}", True),
        ("ItemSelector", "{% $x %}", True),
        ("TimeoutSeconds", 5.0, False),
        ("TimeoutSeconds", "{% 3 %}", True),
        ("ToleratedFailurePercentage", 2.5, False),
        ("Items", "{% [1] %}", False),
        ("Items", {"a": 1}, False),
        ("Unknown", 1, False),  # not in the table: left to the unknown-field check
    ],
)
def test_fields_of_an_acceptable_kind(field: str, value: Any, jsonata: bool) -> None:
    out: Diagnostics = []
    assert check_kinds({field: value}, STATE_FIELD_KINDS, "/S", jsonata, out) == set()
    assert out == []


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (0, 1, 99, "Minimum value is 1"),
        (100, 1, 99, "Maximum value is 99"),
        (-0.5, 0.0, 100.0, "Minimum value is 0.0"),  # a number field prints N.0
        (100.5, 0.0, 100.0, "Maximum value is 100.0"),
        (0.5, 1.0, None, "Minimum value is 1.0"),
    ],
)
def test_ranges(value: Any, low: Any, high: Any, message: str) -> None:
    out: Diagnostics = []
    check_range({"F": value}, "F", low, high, "/S", out)
    assert triples(out) == [schema(message, "/S/F")]


@pytest.mark.parametrize("obj", [{}, {"F": "{% 1000 %}"}, {"F": True}, {"F": 50}, {"F": 1}, {"F": 99}])
def test_what_ranges_leave_alone(obj: dict[str, Any]) -> None:
    out: Diagnostics = []
    check_range(obj, "F", 1, 99, "/S", out)
    assert out == []


def test_other_language_fields_in_table_order() -> None:
    body = {"Output": 1, "ResultPath": "$", "InputPath": "$", "Arguments": {}}
    assert other_language_fields(body, JSONATA) == ["InputPath", "ResultPath"]
    assert other_language_fields(body, JSONPATH) == ["Output", "Arguments"]
    assert other_language_fields(body, JSONPATH, frozenset({"Arguments"})) == ["Arguments"]


def common(state: dict[str, Any], **top: Any) -> tuple[bool, list[Triple]]:
    out: Diagnostics = []
    site: Site = site_of(one_state(state, **top))
    known = check_state_common(site, out)
    return known, triples(out)


def test_a_state_without_a_type() -> None:
    assert common({"End": True}) == (False, [schema("These fields are required: [Type]", "/States/X")])


def test_a_state_with_an_unknown_type() -> None:
    known, found = common({"Type": "Sleep"})
    assert not known
    assert found == [
        schema(
            "The field 'Type' should have one of these values:"
            " [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            "/States/X/Type",
        )
    ]
    assert common({"Type": 3}) == (False, [schema("Expected value of type [STRING]", "/States/X/Type")])


def test_next_and_end() -> None:
    assert common({"Type": "Pass"})[1] == [
        schema("This object should have only one of the following fields: [Next, End]", "/States/X")
    ]
    assert common({"Type": "Pass", "Next": "Y", "End": True})[1] == [
        schema("There should only be one of the following fields: [Next, End]", "/States/X")
    ]
    assert common({"Type": "Pass", "End": False, "Next": "Y"}) == (True, [])
    assert common({"Type": "Succeed"}) == (True, [])


def test_required_fields_of_a_type() -> None:
    assert common({"Type": "Task", "End": True})[1] == [
        schema("These fields are required: [Resource]", "/States/X")
    ]
    assert common({"Type": "Choice"})[1] == [schema("These fields are required: [Choices]", "/States/X")]


def test_a_literal_and_its_path_variant_exclude_each_other() -> None:
    found = common({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})[1]
    assert found == [
        schema("There should only be one of the following fields: [Error, ErrorPath]", "/States/X/Error")
    ]


def test_a_field_of_another_state_type_is_not_supported() -> None:
    found = common({"Type": "Succeed", "Next": "Y"})[1]
    assert found == [schema("Field 'Next' is not supported", "/States/X")]


def test_query_language_rules() -> None:
    found = common({"Type": "Pass", "End": True, "Output": 1, "QueryLanguage": "JSONPath"})[1]
    assert found == [schema(language_mismatch(JSONPATH, "Output"), "/States/X")]
    # Recorded against AWS (INVALID_DOWNGRADE_QUERY_LANGUAGE).
    found = common(
        {"Type": "Pass", "End": True, "QueryLanguage": "JSONPath", "InputPath": "$"}, QueryLanguage="JSONata"
    )[1]
    assert found == [
        schema(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", "/States/X"
        )
    ]
    found = common({"Type": "Pass", "End": True, "QueryLanguage": "jsonata", "InputPath": "$"})[1]
    assert found == [
        schema("Value should be one of the following: [JSONPath, JSONata]", "/States/X/QueryLanguage"),
        schema(language_mismatch(JSONATA, "InputPath"), "/States/X"),
    ]


def test_check_schema_on_an_empty_definition() -> None:
    # Recorded against AWS for `{}`.
    assert triples(check_schema({}, {})) == [schema("These fields are required: [States, StartAt]", "/")]


def test_check_schema_top_level_fields() -> None:
    definition = {
        "StartAt": 1,
        "States": [],
        "Comment": 2,
        "TimeoutSeconds": -1,
        "Version": "2.0",
        "Extra": 0,
    }
    assert triples(check_schema(definition, {})) == [
        schema("Field 'Extra' is not supported", "/"),
        schema("Value should be one of the following: [1.0]", "/Version"),
        schema("Expected value of type [STRING]", "/Comment"),
        schema("Minimum value is 0", "/TimeoutSeconds"),
        schema("Expected value of type [STRING]", "/StartAt"),
        schema("Expected value of type [OBJECT]", "/States"),
    ]
    assert triples(check_schema({"StartAt": "X", "States": {}, "TimeoutSeconds": "9"}, {})) == [
        schema("Expected value of type [INTEGER]", "/TimeoutSeconds")
    ]


def test_check_schema_nested_programs_and_state_bodies() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [{"States": {"A": PASS_END}, "Extra": 1}], "End": True},
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "B", "States": {"B": "no"}, "ProcessorConfig": {}},
                "End": True,
            },
            "N": {
                "Type": "Map",
                "Iterator": {"StartAt": "C", "States": {"C": PASS_END}, "ProcessorConfig": {}},
                "End": True,
            },
        },
    }
    seen: list[str] = []
    found = triples(
        check_schema(
            definition,
            {
                "Parallel": lambda s, o: seen.append(s.name),
                "Map": lambda s, o: seen.append(s.name),
                "Pass": lambda s, o: seen.append(s.name),
            },
        )
    )
    assert found == [
        schema("Field 'Extra' is not supported", "/States/P/Branches[0]"),
        schema("These fields are required: [StartAt]", "/States/P/Branches[0]"),
        schema("Expected value of type [OBJECT]", "/States/M/ItemProcessor/States/B"),
    ]
    # The type checks run for every state whose common checks know its type.
    assert seen == ["P", "M", "N", "A", "C"]
