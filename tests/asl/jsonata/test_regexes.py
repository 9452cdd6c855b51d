"""JSONata regex literals on bounded_regex: RE2 (linear time) for what it can compile, the timed
``regex`` engine for lookaround and backreferences, JavaScript's flags and the library's use of
match objects ($match, $contains, $replace with a string or a function, $split)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonata.regex_engine import RegexFlags

from stepwell.asl import bounded_regex
from stepwell.asl.jsonata import UNDEFINED, compile_jsonata, compile_jsonata_template
from stepwell.asl.jsonata.regexes import jsonata_regex_engine
from stepwell.asl.scope import Scope
from stepwell.errors import QUERY_EVALUATION_ERROR, EvaluationError

HOSTILE_INPUT = "a" * 28 + "!"


def ev(text: str, input: Any = None) -> Any:
    return compile_jsonata(text).evaluate(Scope(input))


def engine_of(pattern: str) -> str:
    return jsonata_regex_engine(pattern, RegexFlags()).engine


def test_the_catastrophic_pattern_of_issue_9_runs_on_re2_and_answers() -> None:
    assert engine_of("(a+)+$") == bounded_regex.ENGINE_RE2
    assert ev("{% $match($states.input, /(a+)+$/) %}", HOSTILE_INPUT) is UNDEFINED
    assert ev("{% $contains($states.input, /(a+)+$/) %}", HOSTILE_INPUT) is False
    assert ev("{% $contains($states.input, /(a+)+!$/) %}", HOSTILE_INPUT) is True


def test_lookaround_and_backreferences_fall_back_to_the_timed_engine() -> None:
    for pattern in (r"foo(?=bar)", r"(?<=: )\d+", r"(abc)\1", r"a(?!b)"):
        assert engine_of(pattern) == bounded_regex.ENGINE_BACKTRACKING, pattern
    assert ev('{% $contains("foobar", /foo(?=bar)/) %}') is True
    assert ev('{% $contains("foobaz", /foo(?=bar)/) %}') is False
    assert ev('{% $replace("price: 100", /(?<=: )\\d+/, "X") %}') == "price: X"
    assert ev('{% $match("abcabc", /(abc)\\1/).match %}') == "abcabc"


def test_a_catastrophic_fallback_pattern_is_the_evaluation_timeout() -> None:
    text = "{% $match($states.input, /^(a|a)+(?=b)/) %}"
    with pytest.raises(EvaluationError) as raised:
        compile_jsonata_template(text, "Output").evaluate(Scope("a" * 40))
    assert raised.value.error == QUERY_EVALUATION_ERROR
    assert raised.value.cause == (
        "The JSONata expression '$match($states.input, /^(a|a)+(?=b)/)' specified for the field "
        "'Output' threw an error during evaluation: Expression evaluation timeout: Check for infinite loop"
    )


def test_javascript_flags() -> None:
    assert ev('{% $contains("ABC", /b/i) %}') is True
    assert ev('{% $contains("ABC", /b/) %}') is False
    assert ev('{% $count($match("a\\nb", /^b/m)) %}') == 1
    assert ev('{% $match("a\\nb", /^b/) %}') is UNDEFINED
    # Without m, $ is the end of the text only, as in JavaScript (Python's re also matches before
    # a final newline).
    assert ev('{% $contains("a\\n", /a$/) %}') is False
    assert engine_of("(?i)x") == bounded_regex.ENGINE_RE2


def test_match_objects_as_the_library_reads_them() -> None:
    assert ev('{% $match("a1b22", /([a-z])(\\d+)/) %}') == [
        {"match": "a1", "index": 0, "groups": ["a", "1"]},
        {"match": "b22", "index": 2, "groups": ["b", "22"]},
    ]
    assert ev('{% $match("héllo wörld", /w(ö)r/).index %}') == 6  # character, not byte, offsets
    assert ev('{% $replace("a1b22", /(\\d+)/, "<$1>") %}') == "a<1>b<22>"
    assert ev('{% $replace("a1b22", /\\d/, "#", 2) %}') == "a#b#2"
    assert ev('{% $replace("abc", /b/, function($m){ $uppercase($m.match) }) %}') == "aBc"
    assert ev('{% $split("a1b22c", /\\d+/) %}') == ["a", "b", "c"]
    assert ev('{% /[0-9]+/("ab12cd345").match %}') == "12"


def test_a_pattern_no_engine_compiles_is_invalid_at_definition_time() -> None:
    from stepwell.asl.jsonata import InvalidJsonata

    with pytest.raises(InvalidJsonata):
        compile_jsonata('{% $match("x", /(/) %}')


def test_a_regex_value_is_written_as_an_empty_object() -> None:
    assert ev("{% /a/ %}") == {}
