"""Step Functions ARNs, built and parsed in this one module, and AWS's rules for resource names.

ARN forms (reference §1.2)::

    arn:<partition>:states:<region>:<account>:stateMachine:<name>
    arn:<partition>:states:<region>:<account>:stateMachine:<name>:<version number | alias name>
    arn:<partition>:states:<region>:<account>:stateMachine:<name>/<map label>   (Distributed Map)
    arn:<partition>:states:<region>:<account>:execution:<machine>:<execution>
    arn:<partition>:states:<region>:<account>:execution:<machine>/<label>:<uuid>  (Map Run child)
    arn:<partition>:states:<region>:<account>:express:<machine>:<execution>:<uuid>
    arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<uuid>
    arn:<partition>:states:<region>:<account>:activity:<name>
    arn:<partition>:iam::<account>:role/<name>   (a state machine's roleArn: built, never parsed)

Names may contain neither ':' nor '/', so splitting on them is unambiguous.

Error texts, as AWS returns them (recorded against AWS in LocalStack's snapshot tests
tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json, unless said otherwise):

    InvalidArn  Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'
                (DescribeStateMachine, DescribeExecution, GetExecutionHistory, ListExecutions)
    InvalidArn  Invalid Arn: 'Resource type not valid in this context: express'
                (DescribeExecution, StopExecution, GetExecutionHistory on an Express execution);
                the same sentence ends in 'stateMachine' for DescribeExecution given a state
                machine ARN (AWS error quoted in cirrus-geo/cirrus-geo#316) and in 'execution'
                for StartExecution given an execution ARN (AWS error quoted in a public test):
                the resource type is echoed as written in the ARN.
    InvalidName Invalid Name: 'TestActivity InvalidName$'   (CreateActivity)

Not recorded anywhere we could find: the text for an ARN with a valid prefix but a broken
structure (missing or empty parts). We answer ``Invalid Arn: 'Unable to parse arn: <arn>'``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

STATE_MACHINE = "stateMachine"
EXECUTION = "execution"
EXPRESS = "express"
MAP_RUN = "mapRun"
ACTIVITY = "activity"
RESOURCE_TYPES = frozenset({STATE_MACHINE, EXECUTION, EXPRESS, MAP_RUN, ACTIVITY})

# What stepwell answers for when it is not told otherwise (`serve --region/--account`, `run`).
DEFAULT_PARTITION = "aws"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ROLE_NAME = "stepwell"

# "arn:aws:states:", "arn:aws-cn:states:", "arn:aws-us-gov:states:", ...
_PREFIX = re.compile(r"arn:aws(?:-[a-z]+)*:states:")
_REGION = re.compile(r"[a-z0-9-]+")  # also "local", as Step Functions Local uses
_ACCOUNT = re.compile(r"[0-9]{12}")

# What a name may not contain (botocore's doc of every Name member: CreateActivity,
# CreateStateMachine, StartExecution): "white space; brackets < > { } [ ]; wildcard
# characters ? *; special characters " # % \ ^ | ~ ` $ & , ; : /; control characters
# (U+0000-001F, U+007F-009F, U+FFFE-FFFF); surrogates (U+D800-DFFF); invalid characters
# (U+10FFFF)". White space is Unicode white space (str.isspace), checked separately.
_FORBIDDEN_IN_NAME = re.compile(
    r"[<>{}\[\]?*\"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff\U0010ffff]"
)
NAME_MAX_LENGTH = 80


class ArnError(Exception):
    """A malformed ARN or name, with AWS's error code and message (e.g. InvalidArn)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedArn:
    """One Step Functions ARN taken apart.

    ``names`` holds the names in the order they appear: ``(machine,)``, ``(machine, execution)``,
    ``(machine, execution, uuid)`` for Express, ``(machine, uuid)`` for a Map Run and its
    children, ``(activity,)``. ``label`` is the Distributed Map label of the ``<machine>/<label>``
    forms; ``qualifier`` the version number or alias name of ``stateMachine:<name>:<qualifier>``.
    """

    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    names: tuple[str, ...]
    qualifier: str | None = None
    label: str | None = None

    @property
    def is_version(self) -> bool:
        return self.qualifier is not None and self.qualifier.isdigit()

    @property
    def is_alias(self) -> bool:
        return self.qualifier is not None and not self.qualifier.isdigit()

    @property
    def unqualified(self) -> str:
        """The ARN without its version number or alias name: the state machine's own."""
        return replace(self, qualifier=None).to_arn()

    def to_arn(self) -> str:
        """The ARN text again (parse_arn(a).to_arn() == a for every ARN parse_arn accepts)."""
        first = self.names[0] if self.label is None else f"{self.names[0]}/{self.label}"
        parts = [first, *self.names[1:]]
        if self.qualifier is not None:
            parts.append(self.qualifier)
        head = f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource_type}"
        return head + ":" + ":".join(parts)


# ---- building -------------------------------------------------------------------------------
# Every ARN stepwell writes is built here; callers bound to one region and account (the runtime,
# the console) pass theirs. Names are not checked: the use case checks them (check_name) first.


def _head(partition: str, region: str, account: str, resource_type: str) -> str:
    return f"arn:{partition}:states:{region}:{account}:{resource_type}"


def state_machine_arn(region: str, account: str, name: str, *, partition: str = DEFAULT_PARTITION) -> str:
    return f"{_head(partition, region, account, STATE_MACHINE)}:{name}"


def state_machine_version_arn(machine_arn: str, number: int) -> str:
    """A version's ARN: ``stateMachine:<name>:<number>``."""
    return f"{machine_arn}:{number}"


def state_machine_alias_arn(machine_arn: str, name: str) -> str:
    """An alias's ARN: ``stateMachine:<name>:<alias>``."""
    return f"{machine_arn}:{name}"


def unlabelled(machine_arn: str) -> str:
    """The state machine a labelled ARN (``stateMachine:<name>/<label>``, a Map Run's children) belongs
    to; any other state machine ARN as it is (a name holds no '/')."""
    return machine_arn.partition("/")[0]


def execution_arn(
    region: str, account: str, machine_name: str, execution_name: str, *, partition: str = DEFAULT_PARTITION
) -> str:
    return f"{_head(partition, region, account, EXECUTION)}:{machine_name}:{execution_name}"


def express_execution_arn(
    region: str,
    account: str,
    machine_name: str,
    execution_name: str,
    uuid: str,
    *,
    partition: str = DEFAULT_PARTITION,
) -> str:
    """Express execution names may repeat, so AWS appends a uuid to make the ARN unique."""
    return f"{_head(partition, region, account, EXPRESS)}:{machine_name}:{execution_name}:{uuid}"


def map_run_arn(
    region: str, account: str, machine_name: str, label: str, uuid: str, *, partition: str = DEFAULT_PARTITION
) -> str:
    return f"{_head(partition, region, account, MAP_RUN)}:{machine_name}/{label}:{uuid}"


def map_run_arn_of(state_machine: str, label: str, uuid: str) -> str:
    """The Map Run ARN of a Distributed Map labelled ``label`` in the state machine whose ARN is
    ``state_machine`` (what an execution knows): same partition, region, account and name.
    A version or alias qualifier is dropped: the mapRun form above has none (what AWS writes for
    an execution of a version is not recorded; stepwell has no versions yet).
    Raises ArnError when ``state_machine`` is not a state machine ARN."""
    parsed = parse_arn(state_machine, STATE_MACHINE)
    return map_run_arn(
        parsed.region, parsed.account, parsed.names[0], label, uuid, partition=parsed.partition
    )


def activity_arn(region: str, account: str, name: str, *, partition: str = DEFAULT_PARTITION) -> str:
    return f"{_head(partition, region, account, ACTIVITY)}:{name}"


def role_arn(account: str, name: str = DEFAULT_ROLE_NAME, *, partition: str = DEFAULT_PARTITION) -> str:
    """An IAM role's ARN (IAM is global: no region), the roleArn a state machine runs with; stepwell
    assumes no role, so the default is a placeholder that only has to look right."""
    return f"arn:{partition}:iam::{account}:role/{name}"


def parse_arn(arn: str, expected: str | Collection[str] | None = None) -> ParsedArn:
    """Take a Step Functions ARN apart, or raise ArnError("InvalidArn", AWS's message).

    ``expected`` names the resource type(s) the operation accepts (e.g. ``"execution"`` for
    DescribeExecution, ``{"execution", "express"}`` where Map Run children are allowed); any
    other type is refused with AWS's "Resource type not valid in this context: <type>".
    Qualifiers and labels are returned, not judged: whether an operation takes a version,
    alias or label-qualified ARN is the operation's decision.
    """
    prefix = _PREFIX.match(arn)
    if prefix is None:
        raise _invalid_arn(f"Invalid ARN prefix: {arn}")
    parts = arn.split(":")
    if len(parts) < 7:
        raise _unparsable(arn)
    partition, service, region, account, resource_type = parts[1:6]
    if not _REGION.fullmatch(region) or not _ACCOUNT.fullmatch(account):
        raise _unparsable(arn)
    if resource_type not in RESOURCE_TYPES or not _expects(expected, resource_type):
        raise _invalid_arn(f"Resource type not valid in this context: {resource_type}")
    resource = parts[6:]
    if not all(resource):
        raise _unparsable(arn)
    names, qualifier, label = _split_resource(arn, resource_type, resource)
    return ParsedArn(partition, service, region, account, resource_type, names, qualifier, label)


def check_name(name: str, what: str = "name") -> None:
    """Raise ArnError unless ``name`` is a valid state machine / execution / activity name.

    The length bounds (1-80) are model constraints, which AWS's request validation checks
    before the service runs, so they fail as ValidationException naming the member ``what``
    (the recorded alias-name case: "1 validation error detected: Value '<81 A's>' at 'name'
    failed to satisfy constraint: Member must have length less than or equal to 80"). The
    character rules are the service's own: InvalidName "Invalid Name: '<name>'".
    """
    if len(name) < 1:
        raise ArnError("ValidationException", _length_message(name, what, "greater than or equal to 1"))
    if len(name) > NAME_MAX_LENGTH:
        bound = f"less than or equal to {NAME_MAX_LENGTH}"
        raise ArnError("ValidationException", _length_message(name, what, bound))
    if _FORBIDDEN_IN_NAME.search(name) is not None or any(c.isspace() for c in name):
        raise ArnError("InvalidName", f"Invalid Name: '{name}'")


def _split_resource(
    arn: str, resource_type: str, resource: list[str]
) -> tuple[tuple[str, ...], str | None, str | None]:
    """(names, qualifier, label) of the part after the resource type, per resource type."""
    first, label = _machine_and_label(arn, resource[0])
    count = len(resource)
    if resource_type == ACTIVITY:
        if count != 1 or label is not None:
            raise _unparsable(arn)
        return (first,), None, None
    if resource_type == STATE_MACHINE:
        # "<name>", "<name>:<version or alias>" or "<name>/<label>" (no qualifier with a label).
        if count == 1:
            return (first,), None, label
        if count == 2 and label is None:
            return (first,), resource[1], None
        raise _unparsable(arn)
    if resource_type == EXECUTION and count == 2:
        return (first, resource[1]), None, label
    if resource_type == EXPRESS and count == 3:
        return (first, resource[1], resource[2]), None, label
    if resource_type == MAP_RUN and count == 2 and label is not None:
        return (first, resource[1]), None, label
    raise _unparsable(arn)


def _machine_and_label(arn: str, text: str) -> tuple[str, str | None]:
    """Split "<machine>/<label>" (Distributed Map forms); a plain name has no label."""
    machine, slash, label = text.partition("/")
    if not slash:
        return machine, None
    if not machine or not label or "/" in label:
        raise _unparsable(arn)
    return machine, label


def _expects(expected: str | Collection[str] | None, resource_type: str) -> bool:
    if expected is None:
        return True
    if isinstance(expected, str):
        return resource_type == expected
    return resource_type in expected


def _invalid_arn(detail: str) -> ArnError:
    return ArnError("InvalidArn", f"Invalid Arn: '{detail}'")


def _unparsable(arn: str) -> ArnError:
    return _invalid_arn(f"Unable to parse arn: {arn}")


def _length_message(value: str, member: str, bound: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must have length {bound}"
    )
