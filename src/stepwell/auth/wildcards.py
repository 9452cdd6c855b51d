"""IAM's wildcards: ``*`` matches any run of characters (none too), ``?`` exactly one; every other
character stands for itself. Three users, three flavours:

- actions (``states:Describe*``): case-insensitive, over the whole name;
- ``StringLike`` / ``StringNotLike`` values: case-sensitive, over the whole value;
- ARNs (``Resource``, ``NotResource``, ``ArnLike``): case-sensitive and "match the 6 colon
  components separately" (IAM's ArnLike): a wildcard in partition, service, region or account
  stays inside its component, one in the resource part spans ``:`` and ``/`` (AWS's own examples
  write ``execution:<machine>:*`` for every execution of a machine).

Patterns are compiled once, when a policy is loaded; matching is one regular expression call.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Matcher = Callable[[str], bool]

ARN_COMPONENTS = 6  # arn:partition:service:region:account:resource


def has_wildcards(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def _regex(pattern: str, any_run: str, any_one: str) -> str:
    out = []
    for char in pattern:
        if char == "*":
            out.append(any_run)
        elif char == "?":
            out.append(any_one)
        else:
            out.append(re.escape(char))
    return "".join(out)


def glob_matcher(pattern: str, *, ignore_case: bool = False) -> Matcher:
    """A test of whole strings against ``pattern``."""
    if pattern == "*":
        return _anything
    if not has_wildcards(pattern):
        if ignore_case:
            folded = pattern.lower()
            return lambda text: text.lower() == folded
        return pattern.__eq__
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    compiled = re.compile(_regex(pattern, ".*", "."), flags)
    return lambda text: compiled.fullmatch(text) is not None


def is_arn_pattern(pattern: str) -> bool:
    """``*``, or text of the six ARN components (``arn:`` first)."""
    return pattern == "*" or (pattern.startswith("arn:") and pattern.count(":") >= ARN_COMPONENTS - 1)


def arn_matcher(pattern: str) -> Matcher:
    """A test of ARNs against ``pattern`` (see the module's docstring); a pattern that is not an
    ARN matches nothing but itself, as ArnLike compares nothing it cannot split."""
    if pattern == "*":
        return _anything
    if not is_arn_pattern(pattern):
        return pattern.__eq__
    if not has_wildcards(pattern):
        return pattern.__eq__
    *heads, resource = pattern.split(":", ARN_COMPONENTS - 1)
    parts = [_regex(head, "[^:]*", "[^:]") for head in heads]
    compiled = re.compile(":".join([*parts, _regex(resource, ".*", ".")]), re.DOTALL)
    return lambda arn: compiled.fullmatch(arn) is not None


def _anything(text: str) -> bool:
    return True
