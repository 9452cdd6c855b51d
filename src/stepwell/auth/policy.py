"""IAM identity-based policies: parsed once, evaluated for each request. Pure: no I/O, no clock.

    {"Version": "2012-10-17",
     "Statement": [{"Sid": "...", "Effect": "Allow" | "Deny",
                    "Action" | "NotAction": "states:StartExecution" | [...],
                    "Resource" | "NotResource": "arn:..." | "*" | [...],
                    "Condition": {...}}]}

Evaluation (IAM User Guide, reference_policies_evaluation-logic.md; reference §2.1): a statement
applies when its Action (or NotAction) matches the action, its Resource (or NotResource) the
resource, and all its conditions hold. An applicable Deny in any policy decides (explicit deny);
else an applicable Allow is needed; else the request is denied (implicit deny). Step Functions has
identity-based policies only: no resource policies, boundaries or session policies to intersect.

``Statement``, ``Action``, ``Resource`` and their Not- forms take a single value or a list, as IAM
allows. Actions compare case-insensitively (``states:describe*``), resources case-sensitively.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stepwell.auth.conditions import Condition, Context, PolicyError, parse_conditions
from stepwell.auth.wildcards import Matcher, arn_matcher, glob_matcher, is_arn_pattern

VERSIONS = ("2012-10-17", "2008-10-17")
_DOCUMENT_FIELDS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_FIELDS = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class Decision(enum.Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit deny"  # no statement allows
    EXPLICIT_DENY = "explicit deny"  # a statement denies


@dataclass(frozen=True, slots=True)
class _Patterns:
    """Action or Resource patterns (or their Not- forms): any match counts, ``negated`` inverts."""

    written: tuple[str, ...]
    matchers: tuple[Matcher, ...]
    negated: bool

    def match(self, text: str) -> bool:
        for matcher in self.matchers:
            if matcher(text):
                return not self.negated
        return self.negated


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Effect
    actions: _Patterns
    resources: _Patterns
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None

    def applies(self, action: str, resource: str, context: Context) -> bool:
        """``action`` lower-cased (``states:startexecution``)."""
        if not (self.actions.match(action) and self.resources.match(resource)):
            return False
        return all(condition.holds(context) for condition in self.conditions) if self.conditions else True


@dataclass(frozen=True, slots=True)
class Policy:
    statements: tuple[Statement, ...]


def evaluate(policies: tuple[Policy, ...], action: str, resource: str, context: Context) -> Decision:
    """What ``policies`` decide for ``action`` (``states:StartExecution``) on ``resource`` (an ARN,
    or ``*`` for actions on no resource)."""
    action = action.lower()
    allowed = False
    for policy in policies:
        for statement in policy.statements:
            if statement.effect is Effect.ALLOW and allowed:
                continue  # already allowed: only a Deny can change the answer
            if statement.applies(action, resource, context):
                if statement.effect is Effect.DENY:
                    return Decision.EXPLICIT_DENY
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


# ---- parsing ----------------------------------------------------------------------------------


def parse_policy(document: Any, where: str = "policy") -> Policy:
    """A policy document as IAM reads one, or PolicyError naming the field at fault."""
    if not isinstance(document, dict):
        raise PolicyError(where, "must be a policy document (an object with a Statement)")
    _no_unknown_fields(document, _DOCUMENT_FIELDS, where)
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicyError(f"{where}.Version", f'must be "{VERSIONS[0]}" or "{VERSIONS[1]}"')
    if "Statement" not in document:
        raise PolicyError(f"{where}.Statement", "is required")
    raw = document["Statement"]
    if isinstance(raw, list):
        items = [(f"{where}.Statement[{index}]", item) for index, item in enumerate(raw)]
    else:
        items = [(f"{where}.Statement", raw)]
    return Policy(tuple(_statement(item, place) for place, item in items))


def _statement(raw: Any, where: str) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError(where, "must be an object")
    if "Principal" in raw or "NotPrincipal" in raw:
        field = "Principal" if "Principal" in raw else "NotPrincipal"
        raise PolicyError(f"{where}.{field}", "is not allowed in an identity-based policy")
    _no_unknown_fields(raw, _STATEMENT_FIELDS, where)
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}.Effect", 'must be "Allow" or "Deny"')
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}.Sid", "must be a string")
    actions = _patterns(raw, "Action", where, _action_matcher, _check_action)
    resources = _patterns(raw, "Resource", where, arn_matcher, _check_resource)
    conditions = parse_conditions(raw["Condition"], f"{where}.Condition") if "Condition" in raw else ()
    return Statement(Effect(effect), actions, resources, conditions, sid)


def _patterns(
    raw: dict[str, Any],
    field: str,
    where: str,
    matcher: Callable[[str], Matcher],
    check: Callable[[str], str | None],
) -> _Patterns:
    negative = f"Not{field}"
    if (field in raw) == (negative in raw):
        raise PolicyError(where, f"needs exactly one of {field} and {negative}")
    name = field if field in raw else negative
    value = raw[name]
    values = value if isinstance(value, list) else [value]
    if not values:
        raise PolicyError(f"{where}.{name}", "must name at least one value")
    for index, item in enumerate(values):
        place = f"{where}.{name}" if not isinstance(value, list) else f"{where}.{name}[{index}]"
        if not isinstance(item, str):
            raise PolicyError(place, "must be a string")
        problem = check(item)
        if problem is not None:
            raise PolicyError(place, problem)
    return _Patterns(tuple(values), tuple(matcher(v) for v in values), negated=name == negative)


def _action_matcher(pattern: str) -> Matcher:
    return glob_matcher(pattern.lower())  # evaluate() lower-cases the action


def _check_action(pattern: str) -> str | None:
    if pattern == "*":
        return None
    service, colon, name = pattern.partition(":")
    if not colon or not service or not name or ":" in name or any(c.isspace() for c in pattern):
        return f'"{pattern}" is not "*" or <service>:<action> (e.g. states:StartExecution)'
    return None


def _check_resource(pattern: str) -> str | None:
    if "${" in pattern:
        return "policy variables such as ${aws:username} are not supported"
    if not is_arn_pattern(pattern):
        return f'"{pattern}" is not "*" or an ARN (arn:partition:service:region:account:resource)'
    return None


def _no_unknown_fields(raw: dict[str, Any], known: frozenset[str], where: str) -> None:
    for field in raw:
        if field not in known:
            raise PolicyError(f"{where}.{field}", "is not a field of an IAM policy")
