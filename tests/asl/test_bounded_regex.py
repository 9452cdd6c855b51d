"""Regexes that cannot stall the executor: which engine compiles a pattern, the ``re``-like methods
the JSONata library calls, replacement templates, and the timeout and output bounds."""

from __future__ import annotations

import re

import pytest

from stepwell.asl.bounded_regex import (
    ENGINE_BACKTRACKING,
    ENGINE_RE2,
    BoundedPattern,
    compile_bounded,
)


class TimedOut(Exception):
    pass


class TooBig(Exception):
    pass


def bounded(pattern: str, max_output: int = 10_000, **flags: bool) -> BoundedPattern:
    return compile_bounded(pattern, on_timeout=TimedOut, on_oversize=TooBig, max_output=max_output, **flags)


def test_plain_patterns_compile_on_re2() -> None:
    pattern = bounded("(a+)+$")
    assert pattern.engine == ENGINE_RE2
    assert pattern.pattern == "(a+)+$"
    assert repr(pattern) == "BoundedPattern('(a+)+$', engine='re2')"
    # The pattern of issue 9 answers at once on RE2.
    assert pattern.search("a" * 28 + "!") is None


@pytest.mark.parametrize("pattern", ["foo(?=bar)", "(?<=x)y", "(?!a)b", "(a)\\1"])
def test_lookaround_and_backreferences_take_the_timed_engine(pattern: str) -> None:
    assert bounded(pattern).engine == ENGINE_BACKTRACKING


def test_verbose_always_takes_the_timed_engine() -> None:
    pattern = bounded("a b", verbose=True)
    assert pattern.engine == ENGINE_BACKTRACKING
    assert pattern.fullmatch("ab") is not None


def test_a_pattern_neither_engine_compiles_is_re_error() -> None:
    with pytest.raises(re.error):
        bounded("(")
    with pytest.raises(re.error):
        bounded("(?<=a")  # RE2 refuses lookbehind; the timed engine an unclosed group


@pytest.mark.parametrize("engine_pattern", ["a.c", "(?=a)a.c"])
def test_flags_on_either_engine(engine_pattern: str) -> None:
    assert bounded(engine_pattern, ignore_case=True).fullmatch("AbC") is not None
    assert bounded(engine_pattern).fullmatch("AbC") is None
    assert bounded(engine_pattern, dot_all=True).fullmatch("a\nc") is not None
    assert bounded(engine_pattern).fullmatch("a\nc") is None


def test_multiline_anchors() -> None:
    assert bounded("^b$", multiline=True).search("a\nb\nc") is not None
    assert bounded("^b$").search("a\nb\nc") is None


def test_groups_and_match_objects() -> None:
    pattern = bounded("(\\d+)-(?P<word>[a-z]+)")
    assert pattern.groups == 2
    match = pattern.search("x 12-ab y")
    assert match.group(0) == "12-ab"
    assert match.groups() == ("12", "ab")
    assert match.groupdict() == {"word": "ab"}
    assert (match.start(), match.end()) == (2, 7)
    assert [m.group(0) for m in pattern.finditer("1-a 2-b")] == ["1-a", "2-b"]


@pytest.mark.parametrize("pattern", [",", "(?=,),"])
def test_split_like_re_split(pattern: str) -> None:
    assert bounded(pattern).split("a,b,,c") == ["a", "b", "", "c"]
    assert bounded(pattern).split("a,b,c", maxsplit=1) == ["a", "b,c"]


def test_split_keeps_the_groups() -> None:
    assert bounded("(-)").split("a-b") == ["a", "-", "b"]
    assert bounded("(-)|(_)").split("a-b_c") == ["a", "-", None, "b", None, "_", "c"]


def test_sub_with_a_template() -> None:
    pattern = bounded("(\\w+)@(\\w+)")
    assert pattern.sub("\\2 at \\1", "me@home") == "home at me"
    assert pattern.sub("\\g<2>!", "me@home") == "home!"
    assert pattern.sub("\\\\", "me@home") == "\\"
    assert pattern.sub("\\d", "me@home") == "\\d"  # other backslashes stay as written
    assert bounded("a").sub("b", "aaa", count=2) == "bba"


def test_sub_with_named_groups_and_a_function() -> None:
    assert bounded("(?P<n>\\d)").sub("<\\g<n>>", "a1b2") == "a<1>b<2>"
    assert bounded("\\d").sub(lambda m: str(int(m.group(0)) * 2), "a1b4") == "a2b8"


def test_a_template_naming_a_missing_group_is_re_error_with_re_words() -> None:
    with pytest.raises(re.error, match=r"^invalid group reference 3 at position 1$"):
        bounded("(a)(b)").sub("\\3", "ab")


def test_an_unmatched_optional_group_inserts_nothing() -> None:
    assert bounded("(a)|(b)").sub("[\\2]", "ab") == "[][b]"


def test_sub_stops_before_its_output_outgrows_the_bound() -> None:
    pattern = bounded("a", max_output=10)
    assert pattern.sub("bb", "aaaaa") == "bbbbbbbbbb"  # exactly 10
    with pytest.raises(TooBig):
        pattern.sub("bb", "aaaaaa")
    with pytest.raises(TooBig):
        bounded("x", max_output=3).sub("y", "abcd")  # the unmatched tail counts too
    with pytest.raises(TooBig):
        bounded("a", max_output=1000).sub("b" * 2000, "a")


def test_a_runaway_match_on_the_timed_engine_raises_the_callers_error() -> None:
    runaway = bounded("^(a|a)+(?=b)")
    assert runaway.engine == ENGINE_BACKTRACKING
    with pytest.raises(TimedOut):
        runaway.search("a" * 40)
    with pytest.raises(TimedOut):
        list(runaway.finditer("a" * 40))
