"""What every validation pass shares: AWS's pointers, query-language resolution, the value tests,
and the walk over every program and state."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.walk import (
    JSONATA,
    JSONPATH,
    child,
    error,
    field_or_absent,
    is_integer,
    is_jsonata_string,
    is_number,
    is_rfc3339,
    item,
    machine_query_language,
    programs,
    resolve_query_language,
    root_or,
    schema_error,
    sites,
)
from stepwell.errors import Diagnostic
from tests.asl.validate.support import PASS_END


def test_pointers_as_aws_writes_them() -> None:
    assert child("", "States") == "/States"
    assert child("/States", "a/b") == "/States/a/b"  # names are not escaped
    assert item("/States/P/Branches", 0) == "/States/P/Branches[0]"
    assert root_or("") == "/"
    assert root_or("/States/X") == "/States/X"


def test_diagnostics() -> None:
    assert error("CODE", "words", None) == Diagnostic(
        severity="ERROR", code="CODE", message="words", location=None
    )
    assert schema_error("w", "/X") == Diagnostic(
        severity="ERROR", code="SCHEMA_VALIDATION_FAILED", message="w", location="/X"
    )


@pytest.mark.parametrize(
    ("definition", "language"),
    [
        ({}, JSONPATH),
        ({"QueryLanguage": "JSONPath"}, JSONPATH),
        ({"QueryLanguage": "JSONata"}, JSONATA),
        # Only the exact string JSONPath means JSONPath (floci-io/floci#2968).
        ({"QueryLanguage": "jsonpath"}, JSONATA),
        ({"QueryLanguage": 3}, JSONATA),
        ({"QueryLanguage": None}, JSONATA),
    ],
)
def test_the_machine_query_language(definition: dict[str, Any], language: str) -> None:
    assert machine_query_language(definition) == language


def test_an_absent_query_language_is_inherited() -> None:
    assert resolve_query_language(field_or_absent({}, "QueryLanguage"), JSONATA) == JSONATA
    assert (
        resolve_query_language(field_or_absent({"QueryLanguage": None}, "QueryLanguage"), JSONPATH) == JSONATA
    )
    assert resolve_query_language("JSONPath", JSONATA) == JSONPATH


@pytest.mark.parametrize(
    ("value", "expected"),
    [("{% 1 %}", True), ("{%%}", True), ("{% 1", False), (" {% 1 %}", False), ("{%}", False), (1, False)],
)
def test_is_jsonata_string(value: Any, expected: bool) -> None:
    assert is_jsonata_string(value) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-03-14T01:59:00Z", True),
        ("2016-03-14T01:59:00.123Z", True),
        ("2016-03-14T01:59:00+05:30", True),
        ("2016-12-31T23:59:60Z", True),  # a leap second
        ("2016-03-14T01:59:00", False),
        ("2016-03-14 01:59:00Z", False),
        ("2016-03-14t01:59:00z", False),  # ASL wants uppercase T and Z
        ("2016-13-14T01:59:00Z", False),
        ("2016-03-32T01:59:00Z", False),
        ("2016-03-14T24:00:00Z", False),
        ("2016-03-14T01:59:00+0530", False),
    ],
)
def test_is_rfc3339(text: str, expected: bool) -> None:
    assert is_rfc3339(text) is expected


def test_numbers_and_integers() -> None:
    assert is_integer(5) and is_integer(5.0) and is_integer(-3)
    assert not is_integer(5.5) and not is_integer(True) and not is_integer("5")
    assert is_number(5.5) and is_number(0)
    assert not is_number(False) and not is_number(None)


NESTED: dict[str, Any] = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "QueryLanguage": "JSONata",
            "Branches": [
                {"StartAt": "A", "States": {"A": PASS_END}},
                {
                    "StartAt": "M",
                    "States": {
                        "M": {
                            "Type": "Map",
                            "ItemProcessor": {"StartAt": "B", "States": {"B": PASS_END}},
                            "End": True,
                        }
                    },
                },
                "not a branch",
            ],
            "End": True,
        },
        "Old": {"Type": "Map", "Iterator": {"StartAt": "C", "States": {"C": PASS_END}}, "End": True},
        "Junk": 5,
    },
}


def test_programs_outermost_first_with_their_pointers() -> None:
    found = [(p.pointer, p.top_level) for p in programs(NESTED)]
    assert found == [
        ("", True),
        ("/States/P/Branches[0]", False),
        ("/States/P/Branches[1]", False),
        ("/States/P/Branches[1]/States/M/ItemProcessor", False),
        ("/States/Old/Iterator", False),
    ]


def test_sites_with_their_pointers_and_languages() -> None:
    found = [(s.name, s.pointer, s.query_language, s.type) for s in sites(NESTED)]
    assert found == [
        ("P", "/States/P", JSONATA, "Parallel"),
        ("Old", "/States/Old", JSONPATH, "Map"),
        # A Parallel's own QueryLanguage does not reach the states inside it (floci-io/floci#2968).
        ("A", "/States/P/Branches[0]/States/A", JSONPATH, "Pass"),
        ("M", "/States/P/Branches[1]/States/M", JSONPATH, "Map"),
        ("B", "/States/P/Branches[1]/States/M/ItemProcessor/States/B", JSONPATH, "Pass"),
        ("C", "/States/Old/Iterator/States/C", JSONPATH, "Pass"),
    ]
    first = next(sites(NESTED))
    assert first.is_jsonata and first.machine_query_language == JSONPATH
    assert first.program.pointer == ""


def test_a_program_without_a_states_object_has_no_states() -> None:
    [program] = programs({"StartAt": "X", "States": [1]})
    assert program.states == {}
    assert list(sites({"StartAt": "X"})) == []
