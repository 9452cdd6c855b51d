"""IAM's * and ? against a plain reference matcher, and the ARN flavour's component rule."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.auth.wildcards import arn_matcher, glob_matcher


def reference(pattern: str, text: str) -> bool:
    """The definition, character by character: * any run (none too), ? one, the rest itself."""

    @cache
    def match(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(text)
        if pattern[p] == "*":
            return match(p + 1, t) or (t < len(text) and match(p, t + 1))
        if t == len(text):
            return False
        return (pattern[p] == "?" or pattern[p] == text[t]) and match(p + 1, t + 1)

    return match(0, 0)


ALPHABET = "ab:/.*?\\[]()+^$|\n"
patterns = st.text(ALPHABET, max_size=10)
texts = st.text(ALPHABET.replace("*", "").replace("?", "") + "*?", max_size=12)


@settings(max_examples=400)
@given(pattern=patterns, text=texts)
def test_the_glob_matches_as_the_definition_says(pattern: str, text: str) -> None:
    assert glob_matcher(pattern)(text) == reference(pattern, text)


@settings(max_examples=200)
@given(pattern=st.text("aAbB*?", max_size=8), text=st.text("aAbB", max_size=8))
def test_action_matching_ignores_case(pattern: str, text: str) -> None:
    assert glob_matcher(pattern, ignore_case=True)(text) == reference(pattern.lower(), text.lower())


def test_actions() -> None:
    describe = glob_matcher("states:describe*", ignore_case=True)
    assert describe("states:DescribeExecution") and describe("STATES:DESCRIBESTATEMACHINE")
    assert not describe("states:ListExecutions")
    assert glob_matcher("states:?tartExecution", ignore_case=True)("states:StartExecution")
    assert glob_matcher("*")("anything at all")


HEAD = "arn:aws:states:us-east-1:123456789012"


def test_arns_match_case_sensitively_and_by_component() -> None:
    assert arn_matcher(f"{HEAD}:stateMachine:orders")(f"{HEAD}:stateMachine:orders")
    assert not arn_matcher(f"{HEAD}:stateMachine:orders")(f"{HEAD}:stateMachine:Orders")
    executions = arn_matcher(f"{HEAD}:execution:orders:*")
    assert executions(f"{HEAD}:execution:orders:run-1")
    assert not executions(f"{HEAD}:execution:orders2:run-1")
    # In the resource part * spans ":" and "/" (versions, aliases, Map Run children).
    assert arn_matcher(f"{HEAD}:stateMachine:*")(f"{HEAD}:stateMachine:orders:PROD")
    assert arn_matcher(f"{HEAD}:execution:*")(f"{HEAD}:execution:orders/Each:4c8e2a8e")
    # Elsewhere it stays inside its component.
    anywhere = arn_matcher("arn:aws:states:*:123456789012:stateMachine:orders")
    assert anywhere("arn:aws:states:eu-west-1:123456789012:stateMachine:orders")
    assert not anywhere("arn:aws:states:eu-west-1:x:123456789012:stateMachine:orders")
    assert arn_matcher("*")("not even an ARN")
    assert not arn_matcher("orders")(f"{HEAD}:stateMachine:orders")
