"""Retry and Catch arrays: fields, ranges and the ``States.ALL`` rule."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.errors import check_catchers, check_retriers
from stepwell.asl.validate.schema import Diagnostics, language_mismatch
from stepwell.asl.validate.walk import JSONATA, JSONPATH
from tests.asl.validate.support import Triple, one_state, schema, site_of, triples

TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
ALL_ALONE = "States.ALL must appear alone and at end of list"


def retry(*retriers: Any) -> list[Triple]:
    out: Diagnostics = []
    check_retriers(site_of(one_state({**TASK, "Retry": list(retriers)})), out)
    return triples(out)


def catch(*catchers: Any, **top: Any) -> list[Triple]:
    out: Diagnostics = []
    check_catchers(site_of(one_state({**TASK, "Catch": list(catchers)}, **top)), out)
    return triples(out)


def test_a_good_retrier_passes() -> None:
    good = {
        "ErrorEquals": ["States.Timeout", "Custom"],
        "IntervalSeconds": 0,  # AWS accepts 0 (measured)
        "MaxAttempts": 0,
        "BackoffRate": 1.0,
        "MaxDelaySeconds": 31_622_400,
        "JitterStrategy": "FULL",
        "Comment": "c",
    }
    assert retry(good, {"ErrorEquals": ["States.ALL"]}) == []


def test_retrier_shapes() -> None:
    assert retry("no") == [schema("Expected value of type [OBJECT]", "/States/X/Retry[0]")]
    assert retry({"Extra": 1}) == [
        schema("Field 'Extra' is not supported", "/States/X/Retry[0]"),
        schema("These fields are required: [ErrorEquals]", "/States/X/Retry[0]"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("IntervalSeconds", 1.5, "Expected value of type [INTEGER]"),
        ("MaxAttempts", "3", "Expected value of type [INTEGER]"),
        ("MaxDelaySeconds", True, "Expected value of type [INTEGER]"),
        ("BackoffRate", "2", "Expected value of type [NUMBER]"),
        ("IntervalSeconds", -1, "Minimum value is 0"),
        ("IntervalSeconds", 100_000_000, "Maximum value is 99999999"),
        ("MaxAttempts", -1, "Minimum value is 0"),
        ("MaxAttempts", 100_000_000, "Maximum value is 99999999"),
        ("MaxDelaySeconds", 0, "Minimum value is 1"),
        ("MaxDelaySeconds", 31_622_401, "Maximum value is 31622400"),
        ("BackoffRate", 0.5, "Minimum value is 1.0"),
        ("JitterStrategy", "PARTIAL", "Value should be one of the following: [NONE, FULL]"),
    ],
)
def test_retrier_fields(field: str, value: Any, message: str) -> None:
    assert retry({"ErrorEquals": ["E"], field: value}) == [schema(message, f"/States/X/Retry[0]/{field}")]


@pytest.mark.parametrize(
    ("names", "message", "where"),
    [
        ("E", "Expected value of type [ARRAY]", "/States/X/Retry[0]/ErrorEquals"),
        ([], "Value cannot be empty", "/States/X/Retry[0]/ErrorEquals"),
        (["E", 3], "Expected value of type [STRING]", "/States/X/Retry[0]/ErrorEquals[1]"),
        (["States.ALL", "E"], ALL_ALONE, "/States/X/Retry[0]/ErrorEquals"),
    ],
)
def test_error_equals(names: Any, message: str, where: str) -> None:
    assert retry({"ErrorEquals": names}) == [schema(message, where)]


def test_states_all_must_be_in_the_last_retrier_and_catcher() -> None:
    assert retry({"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}) == [
        schema(ALL_ALONE, "/States/X/Retry[0]/ErrorEquals")
    ]
    assert catch({"ErrorEquals": ["States.ALL"], "Next": "Y"}, {"ErrorEquals": ["E"], "Next": "Y"}) == [
        schema(ALL_ALONE, "/States/X/Catch[0]/ErrorEquals")
    ]


def test_a_good_catcher_passes() -> None:
    assert (
        catch({"ErrorEquals": ["States.ALL"], "Next": "Y", "ResultPath": None, "Assign": {}, "Comment": "c"})
        == []
    )


def test_catcher_fields() -> None:
    assert catch({}) == [schema("These fields are required: [ErrorEquals, Next]", "/States/X/Catch[0]")]
    assert catch({"ErrorEquals": ["E"], "Next": 3, "ResultPath": 4, "Assign": [], "Other": 1}) == [
        schema("Field 'Other' is not supported", "/States/X/Catch[0]"),
        schema("Expected value of type [STRING]", "/States/X/Catch[0]/Next"),
        schema("Expected value of type [STRING]", "/States/X/Catch[0]/ResultPath"),
        schema("Expected value of type [OBJECT]", "/States/X/Catch[0]/Assign"),
    ]
    assert catch(7) == [schema("Expected value of type [OBJECT]", "/States/X/Catch[0]")]


def test_catcher_fields_of_the_other_query_language() -> None:
    assert catch({"ErrorEquals": ["E"], "Next": "Y", "Output": {}}) == [
        schema(language_mismatch(JSONPATH, "Output"), "/States/X/Catch[0]")
    ]
    assert catch({"ErrorEquals": ["E"], "Next": "Y", "ResultPath": "$.e"}, QueryLanguage="JSONata") == [
        schema(language_mismatch(JSONATA, "ResultPath"), "/States/X/Catch[0]")
    ]


def test_a_retry_that_is_not_an_array_is_left_to_the_kind_check() -> None:
    out: Diagnostics = []
    check_retriers(site_of(one_state({**TASK, "Retry": {}})), out)
    assert out == []
