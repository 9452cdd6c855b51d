"""$pad, $join and $replace refuse a result past the string ceiling from their arguments, before
they build it; under it they answer as the library does."""

from __future__ import annotations

import pytest

from stepwell.asl.jsonata import sized
from stepwell.asl.jsonata.errors import MEMORY_LIMIT_MESSAGE, EvaluationBound
from stepwell.asl.jsonata.limits import MAX_STRING_LENGTH


def test_pad_answers_as_the_library() -> None:
    assert sized.pad(["ab", 5]) == "ab   "
    assert sized.pad(["ab", -5, "*"]) == "***ab"
    assert sized.pad(["abcdef", 3]) == "abcdef"


@pytest.mark.parametrize("width", [MAX_STRING_LENGTH + 1, -(MAX_STRING_LENGTH + 1), 1e15])
def test_pad_past_the_ceiling_is_refused(width: float) -> None:
    with pytest.raises(EvaluationBound) as raised:
        sized.pad(["x", width])
    assert raised.value.bound_message == MEMORY_LIMIT_MESSAGE


def test_join_answers_as_the_library() -> None:
    assert sized.join([["a", "b", "c"], "-"]) == "a-b-c"
    assert sized.join([["a", "b"]]) == "ab"
    assert sized.join([[]]) == ""


def test_join_counts_the_parts_and_the_separators() -> None:
    part = "x" * (MAX_STRING_LENGTH // 4)
    assert len(sized.join([[part] * 4])) == 4 * len(part)
    with pytest.raises(EvaluationBound):
        sized.join([[part] * 4, "-"])  # three separators more than the ceiling
    with pytest.raises(EvaluationBound):
        sized.join([["a", "b"], "s" * MAX_STRING_LENGTH])


def test_replace_answers_as_the_library() -> None:
    assert sized.replace(["banana", "a", "o"]) == "bonono"
    assert sized.replace(["banana", "a", "o", 2]) == "bonona"
    assert sized.replace(["banana", "an", "[$0]"]) == "b[an][an]a"


def test_replace_sizes_a_string_pattern_result_from_the_occurrences() -> None:
    text = "a" * 1000
    with pytest.raises(EvaluationBound):
        sized.replace([text, "a", "b" * (MAX_STRING_LENGTH // 999)])
    # A limit caps the count, so the same replacement fits once.
    assert (
        len(sized.replace([text, "a", "b" * (MAX_STRING_LENGTH // 999), 1])) == 999 + MAX_STRING_LENGTH // 999
    )
    # $0 inserts the pattern: each "$" counts its length.
    with pytest.raises(EvaluationBound):
        sized.replace([text, "a" * 10, "$0" * (MAX_STRING_LENGTH // 90)])
