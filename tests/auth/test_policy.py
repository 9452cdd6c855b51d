"""IAM policy evaluation (reference §2.1, §2.2): statements, wildcards, conditions, and the errors
a policy that cannot be used gets."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.auth.conditions import PolicyError, Value
from stepwell.auth.policy import Decision, evaluate, parse_policy

HEAD = "arn:aws:states:us-east-1:123456789012"
ORDERS = f"{HEAD}:stateMachine:orders"
START = "states:StartExecution"


def context(**values: Value) -> Any:
    """A request context of lower-case keys (``aws_sourceip`` -> ``aws:sourceip``)."""
    keys = {name.replace("_", ":", 1).replace("__", "/"): value for name, value in values.items()}
    return lambda key: keys.get(key)


def decide(statements: list[dict[str, Any]] | dict[str, Any], action: str = START, resource: str = ORDERS,
           ctx: Any = None) -> Decision:  # fmt: skip
    policy = parse_policy({"Version": "2012-10-17", "Statement": statements})
    return evaluate((policy,), action, resource, ctx or context())


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": START, "Resource": "*", **fields}


def deny(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": START, "Resource": "*", **fields}


def test_nothing_allows_by_default() -> None:
    assert decide([]) is Decision.IMPLICIT_DENY
    assert decide(allow(Action="states:StopExecution")) is Decision.IMPLICIT_DENY


def test_an_allow_allows_and_an_explicit_deny_wins() -> None:
    assert decide(allow()) is Decision.ALLOW  # a single statement, not a list
    assert decide([allow(), deny()]) is Decision.EXPLICIT_DENY
    assert decide([deny(), allow()]) is Decision.EXPLICIT_DENY


def test_a_deny_in_another_policy_wins_too() -> None:
    allowing = parse_policy({"Statement": [allow()]})
    denying = parse_policy({"Statement": [deny()]})
    assert evaluate((allowing, denying), START, ORDERS, context()) is Decision.EXPLICIT_DENY


def test_actions_match_case_insensitively_with_wildcards() -> None:
    assert decide(allow(Action="STATES:startexecution")) is Decision.ALLOW
    assert decide(allow(Action="states:*")) is Decision.ALLOW
    assert decide(allow(Action=["states:Describe*", "states:Start*"])) is Decision.ALLOW
    assert decide(allow(Action="states:Describe*")) is Decision.IMPLICIT_DENY
    assert decide(allow(Action="*")) is Decision.ALLOW


def test_not_action_matches_every_other_action() -> None:
    everything_but_deletes = {"Effect": "Allow", "NotAction": "states:Delete*", "Resource": "*"}
    assert decide(everything_but_deletes) is Decision.ALLOW
    assert decide(everything_but_deletes, action="states:DeleteStateMachine") is Decision.IMPLICIT_DENY
    deny_all_but_reads = {
        "Effect": "Deny",
        "NotAction": ["states:Describe*", "states:List*"],
        "Resource": "*",
    }
    assert decide([allow(), deny_all_but_reads]) is Decision.EXPLICIT_DENY
    both = [{"Effect": "Allow", "Action": "*", "Resource": "*"}, deny_all_but_reads]
    assert decide(both, action="states:ListExecutions") is Decision.ALLOW


def test_resources_and_not_resources() -> None:
    assert decide(allow(Resource=ORDERS)) is Decision.ALLOW
    assert decide(allow(Resource=f"{HEAD}:stateMachine:billing")) is Decision.IMPLICIT_DENY
    assert decide(allow(Resource=[f"{HEAD}:stateMachine:billing", f"{HEAD}:stateMachine:ord*"])) is (
        Decision.ALLOW
    )
    assert decide(allow(Resource=f"{HEAD}:stateMachine:Orders")) is Decision.IMPLICIT_DENY  # case matters
    not_billing = {"Effect": "Allow", "Action": START, "NotResource": f"{HEAD}:stateMachine:billing"}
    assert decide(not_billing) is Decision.ALLOW
    assert decide(not_billing, resource=f"{HEAD}:stateMachine:billing") is Decision.IMPLICIT_DENY


# ---- conditions -------------------------------------------------------------------------------


def holds(condition: dict[str, Any], **values: Value) -> bool:
    return decide(allow(Condition=condition), ctx=context(**values)) is Decision.ALLOW


def test_string_operators() -> None:
    tag = {"aws_resourcetag__team": "blue"}
    assert holds({"StringEquals": {"aws:ResourceTag/team": "blue"}}, **tag)
    assert not holds({"StringEquals": {"aws:ResourceTag/team": "Blue"}}, **tag)
    assert holds({"StringEquals": {"aws:ResourceTag/team": ["red", "blue"]}}, **tag)  # values: OR
    assert holds({"StringEqualsIgnoreCase": {"aws:ResourceTag/team": "BLUE"}}, **tag)
    assert not holds({"StringNotEquals": {"aws:ResourceTag/team": ["red", "blue"]}}, **tag)  # none
    assert holds({"StringNotEquals": {"aws:ResourceTag/team": "red"}}, **tag)
    assert holds({"StringNotEqualsIgnoreCase": {"aws:ResourceTag/team": "RED"}}, **tag)
    assert holds({"StringLike": {"aws:ResourceTag/team": "b?u*"}}, **tag)
    assert not holds({"StringNotLike": {"aws:ResourceTag/team": "bl*"}}, **tag)
    assert holds({"stringequals": {"AWS:RESOURCETAG/TEAM": "blue"}}, **tag)  # names: any case


def test_several_keys_and_several_operators_must_all_hold() -> None:
    both = {"aws_resourcetag__team": "blue", "aws_username": "alice"}
    condition = {"StringEquals": {"aws:ResourceTag/team": "blue", "aws:username": "alice"}}
    assert holds(condition, **both)
    assert not holds(condition, aws_resourcetag__team="blue", aws_username="bob")
    two_operators = {"StringEquals": {"aws:username": "alice"}, "StringLike": {"aws:ResourceTag/team": "r*"}}
    assert not holds(two_operators, **both)


def test_an_absent_key_fails_a_condition_but_passes_a_negated_one_and_if_exists() -> None:
    assert not holds({"StringEquals": {"aws:ResourceTag/team": "blue"}})
    assert holds({"StringNotEquals": {"aws:ResourceTag/team": "blue"}})
    assert holds({"StringEqualsIfExists": {"aws:ResourceTag/team": "blue"}})
    assert not holds({"StringEqualsIfExists": {"aws:ResourceTag/team": "blue"}}, aws_resourcetag__team="red")
    assert not holds({"IpAddress": {"aws:SourceIp": "127.0.0.1"}})
    assert holds({"NotIpAddress": {"aws:SourceIp": "127.0.0.1"}})


def test_null() -> None:
    assert holds({"Null": {"aws:ResourceTag/team": "true"}})
    assert not holds({"Null": {"aws:ResourceTag/team": "true"}}, aws_resourcetag__team="blue")
    assert holds({"Null": {"aws:ResourceTag/team": False}}, aws_resourcetag__team="blue")
    assert not holds({"Null": {"aws:TagKeys": "false"}}, aws_tagkeys=())


def test_numeric_operators() -> None:
    assert holds({"NumericEquals": {"aws:EpochTime": 100}}, aws_epochtime="100")
    assert holds({"NumericNotEquals": {"aws:EpochTime": "99"}}, aws_epochtime="100")
    assert holds({"NumericLessThan": {"aws:EpochTime": "100.5"}}, aws_epochtime="100")
    assert not holds({"NumericLessThan": {"aws:EpochTime": "100"}}, aws_epochtime="100")
    assert holds({"NumericLessThanEquals": {"aws:EpochTime": "100"}}, aws_epochtime="100")
    assert holds({"NumericGreaterThan": {"aws:EpochTime": "99"}}, aws_epochtime="100")
    assert holds({"NumericGreaterThanEquals": {"aws:EpochTime": "1e2"}}, aws_epochtime="100")
    assert not holds({"NumericEquals": {"aws:EpochTime": "100"}}, aws_epochtime="a hundred")


def test_date_operators() -> None:
    now = {"aws_currenttime": "2026-12-03T07:14:16Z"}
    assert holds({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, **now)
    assert not holds({"DateGreaterThan": {"aws:CurrentTime": "2027-01-01"}}, **now)
    assert holds({"DateGreaterThanEquals": {"aws:CurrentTime": "2026-12-03T08:14:16+01:00"}}, **now)
    assert holds({"DateLessThanEquals": {"aws:CurrentTime": "2026-12-03T07:14:16Z"}}, **now)
    assert holds({"DateEquals": {"aws:CurrentTime": 1796282056}}, **now)  # epoch seconds
    assert holds({"DateNotEquals": {"aws:CurrentTime": "2026-12-03"}}, **now)


def test_bool() -> None:
    assert holds({"Bool": {"aws:SecureTransport": "false"}}, aws_securetransport="false")
    assert not holds({"Bool": {"aws:SecureTransport": True}}, aws_securetransport="false")


def test_ip_addresses() -> None:
    assert holds({"IpAddress": {"aws:SourceIp": "127.0.0.1"}}, aws_sourceip="127.0.0.1")
    assert holds({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}, aws_sourceip="127.0.0.2")
    assert not holds({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, aws_sourceip="127.0.0.1")
    assert holds({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, aws_sourceip="127.0.0.1")
    assert holds({"IpAddress": {"aws:SourceIp": "::1/128"}}, aws_sourceip="::1")
    assert not holds({"IpAddress": {"aws:SourceIp": "::/0"}}, aws_sourceip="127.0.0.1")


def test_arn_operators() -> None:
    me = {"aws_principalarn": "arn:aws:iam::123456789012:user/alice"}
    assert holds({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}}, **me)
    assert holds({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/a*"}}, **me)
    assert not holds({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/b*"}}, **me)
    assert holds({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/b*"}}, **me)
    assert not holds({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}}, **me)


def test_set_operators_on_multivalued_keys() -> None:
    keys = {"aws_tagkeys": ("team", "cost")}
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost", "owner"]}}, **keys)
    assert not holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, **keys)
    assert holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, **keys)
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}, **keys)
    assert holds({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}, **keys)  # "cost" passes
    assert not holds({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}, **keys)
    assert holds({"ForAllValues:StringLike": {"aws:TagKeys": ["t*", "c*"]}}, **keys)
    # Absent or empty: ForAllValues holds ("also true when the key is absent"), ForAnyValue does not.
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, aws_tagkeys=())
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    assert holds({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["team"]}})
    # Without a set operator a multivalued key passes when one of its values matches.
    assert holds({"StringEquals": {"aws:TagKeys": "cost"}}, **keys)
    assert not holds({"StringNotEquals": {"aws:TagKeys": "cost"}}, **keys)


def test_the_qualifier_example_of_the_versions_and_aliases_page() -> None:
    policy = [
        {"Effect": "Allow", "Action": "states:DescribeStateMachine", "Resource": ORDERS},
        {
            "Effect": "Deny",
            "Action": "states:DescribeStateMachine",
            "Resource": ORDERS,
            "Condition": {"ForAnyValue:StringEquals": {"states:StateMachineQualifier": ["PROD", "1"]}},
        },
    ]
    describe = "states:DescribeStateMachine"
    for qualifiers, decision in [
        (None, Decision.ALLOW),
        (("2",), Decision.ALLOW),
        (("PROD",), Decision.EXPLICIT_DENY),
    ]:
        ctx = context(states_statemachinequalifier=qualifiers)
        assert decide(policy, action=describe, ctx=ctx) is decision


# ---- policies that cannot be used -------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "policy: must be a policy document (an object with a Statement)"),
        ({"Version": "2012-10-17"}, "policy.Statement: is required"),
        ({"Version": "2020-01-01", "Statement": []}, 'policy.Version: must be "2012-10-17" or "2008-10-17"'),
        ({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]},
         'policy.Statement[0].Effect: must be "Allow" or "Deny"'),
        ({"Statement": {"Effect": "Allow", "Resource": "*"}},
         "policy.Statement: needs exactly one of Action and NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}]},
         "policy.Statement[0]: needs exactly one of Action and NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]},
         "policy.Statement[0]: needs exactly one of Resource and NotResource"),
        ({"Statement": [{"Effect": "Allow", "Action": ["states:List*", 3], "Resource": "*"}]},
         "policy.Statement[0].Action[1]: must be a string"),
        ({"Statement": [{"Effect": "Allow", "Action": "StartExecution", "Resource": "*"}]},
         'policy.Statement[0].Action: "StartExecution" is not "*" or <service>:<action> '
         "(e.g. states:StartExecution)"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "orders"}]},
         'policy.Statement[0].Resource: "orders" is not "*" or an ARN '
         "(arn:partition:service:region:account:resource)"),
        ({"Statement": [allow(Resource=f"{HEAD}:stateMachine:${{aws:username}}")]},
         "policy.Statement[0].Resource: policy variables such as ${aws:username} are not supported"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]},
         "policy.Statement[0].Principal: is not allowed in an identity-based policy"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Resources": "*"}]},
         "policy.Statement[0].Resources: is not a field of an IAM policy"),
        ({"Statement": [allow(Condition={"StringEqualz": {"aws:username": "a"}})]},
         'policy.Statement[0].Condition: unknown condition operator "StringEqualz"'),
        ({"Statement": [allow(Condition={"ForSomeValues:StringEquals": {"aws:username": "a"}})]},
         'policy.Statement[0].Condition: unknown condition operator "ForSomeValues:StringEquals"'),
        ({"Statement": [allow(Condition={"NullIfExists": {"aws:username": "true"}})]},
         'policy.Statement[0].Condition: "NullIfExists": Null takes neither IfExists nor a set operator'),
        ({"Statement": [allow(Condition={"NumericLessThan": {"aws:EpochTime": "soon"}})]},
         "policy.Statement[0].Condition.NumericLessThan.aws:EpochTime: 'soon' is not a number"),
        ({"Statement": [allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.300"}})]},
         "policy.Statement[0].Condition.IpAddress.aws:SourceIp: '10.0.0.300' is not an IP address "
         "or CIDR block"),
        ({"Statement": [allow(Condition={"DateLessThan": {"aws:CurrentTime": "tomorrow"}})]},
         "policy.Statement[0].Condition.DateLessThan.aws:CurrentTime: 'tomorrow' is not an ISO 8601 date "
         "or epoch seconds"),
        ({"Statement": [allow(Condition={"StringEquals": {"aws:username": "${aws:username}"}})]},
         "policy.Statement[0].Condition.StringEquals.aws:username: policy variables such as "
         "${aws:username} are not supported"),
        ({"Statement": [allow(Condition={"StringEquals": {"aws:username": []}})]},
         "policy.Statement[0].Condition.StringEquals.aws:username: must name at least one value"),
        ({"Statement": [allow(Condition={"StringEquals": {"aws:username": {"a": 1}}})]},
         "policy.Statement[0].Condition.StringEquals.aws:username: values must be strings, numbers "
         "or booleans"),
        ({"Statement": [allow(Condition={"StringEquals": "alice"})]},
         "policy.Statement[0].Condition.StringEquals: must be an object of condition keys and their values"),
    ],
)  # fmt: skip
def test_a_policy_that_cannot_be_used_names_the_field(document: Any, message: str) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy(document)
    assert str(refused.value) == message
