"""Lone surrogates in a request's labels and identifiers become their JSON escape; JSON documents
are left for the use case to parse."""

from __future__ import annotations

from stepwell.api.labels import JSON_DOCUMENT_SHAPES, escape_labels, may_hold_surrogates


def test_the_documents_left_alone() -> None:
    documents = frozenset({"SensitiveData", "SensitiveDataJobInput", "Definition"})
    assert documents == JSON_DOCUMENT_SHAPES


def test_a_lone_surrogate_in_a_name_becomes_its_escape() -> None:
    request = {"stateMachineArn": "arn:x", "name": "run\ud800", "input": '{"a":"\ud800"}'}
    escaped = escape_labels("StartExecutionInput", request)
    assert escaped == {"stateMachineArn": "arn:x", "name": "run\\ud800", "input": '{"a":"\ud800"}'}
    assert request["name"] == "run\ud800"  # the request is not changed


def test_tags_keys_and_values_and_nested_lists() -> None:
    request = {"resourceArn": "arn", "tags": [{"key": "k\udfff", "value": "v\ud83d"}, None]}
    assert escape_labels("TagResourceInput", request) == {
        "resourceArn": "arn",
        "tags": [{"key": "k\\udfff", "value": "v\\ud83d"}, None],
    }


def test_paired_surrogates_and_plain_text_are_kept() -> None:
    request = {"stateMachineArn": "arn", "name": "smile 😀 é"}
    assert escape_labels("StartExecutionInput", request) == request


def test_a_definition_is_a_document() -> None:
    request = {"name": "m\ud800", "definition": '{"Comment": "\ud800"}', "roleArn": "r"}
    escaped = escape_labels("CreateStateMachineInput", request)
    assert escaped["name"] == "m\\ud800"
    assert escaped["definition"] == '{"Comment": "\ud800"}'


def test_undeclared_members_pass_through() -> None:
    assert escape_labels("StartExecutionInput", {"other": "x\ud800"}) == {"other": "x\ud800"}


def test_which_bodies_may_hold_a_surrogate() -> None:
    assert may_hold_surrogates(b'{"name": "\\ud800"}')
    assert may_hold_surrogates(b'{"name": "\\uDFFF"}')
    assert may_hold_surrogates('{"name": "x"}'.encode("utf-16-le").join([b"\xff\xfe", b""]))
    assert may_hold_surrogates(b'{"name": "\xed\xa0\x80"}')  # CESU-8
    assert not may_hold_surrogates(b'{"name": "\\u00e9"}')
    assert not may_hold_surrogates('{"name": "😀"}'.encode())
