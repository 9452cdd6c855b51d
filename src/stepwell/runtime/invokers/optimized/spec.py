"""What one row of the optimized-integrations table says (table.py holds the rows).

An ``Integration`` is ``arn:aws:states:::<service>:<action>``: the botocore call it makes, the
patterns it runs, how the task's parameters become the request and the response the task's output.
A ``SyncJob`` is what ``.sync`` adds: the Describe call that is polled, where the job's status is
in its answer, which statuses end the job and which of those are failures, and the call that
cancels the job when the task is abandoned (the execution stopped, the task timed out, a sibling
branch failed). Reference: integrations.md §1.3, §1.7 and §2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError

REQUEST_RESPONSE = frozenset({""})
WITH_CALLBACK = frozenset({"", "waitForTaskToken"})
WITH_SYNC = frozenset({"", "sync"})
EVERY_PATTERN = frozenset({"", "sync", "waitForTaskToken"})

Json = dict[str, Any]
# (the task's parameters, the execution's ARN, the pattern) -> the parameters to send
Prepare = Callable[[Json, str, str], Json]
# (the request sent, the response's task output) -> the Describe call's parameters, in the API's
# own member names (kept in the task's row: polling needs nothing else, after a restart too)
JobHandle = Callable[[Json, Json], Json]
# (the request sent, the response) -> the task's output
Respond = Callable[[Json, Json], Json]


class Calls(Protocol):
    """What a row's own ``call`` may use: the row's service's API, and HTTP for the resources
    that are no AWS API call (apigateway:invoke, eks:call)."""

    def aws(self, operation: str, params: Json, service: str | None = None) -> Json:
        """A botocore operation of the row's service (or of ``service``: bedrock's S3 reads);
        params in the API's member names (shaped as the row says), the answer as task output
        with botocore's ResponseMetadata; errors named as the row's service's."""
        ...

    def endpoint_url(self, service: str) -> str | None:
        """The endpoint override configured for exactly this botocore service
        (``APIGATEWAY_ENDPOINT``), not the ``"*"`` default: None when there is none."""
        ...

    def signed(
        self, service: str, region: str, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        """``headers`` with AWS Signature Version 4 added, with stepwell's AWS credentials."""
        ...

    @property
    def region(self) -> str:
        """stepwell's AWS region (the execution's, as ``:::`` resources take it)."""
        ...

    def presigned_url(self, service: str, url: str, headers: dict[str, str], expires: int) -> str:
        """A GET of ``url`` presigned (Signature Version 4 in the query) in stepwell's region."""
        ...

    def http(
        self, method: str, url: str, configured: bool = False, ca_pem: str | None = None, **options: Any
    ) -> Any:
        """An httpx request through stepwell's HTTP transport (httpx.Client.request's options):
        ``configured``, a URL made of an endpoint override (no allow-list); ``ca_pem``, the only
        certificate authority trusted."""
        ...


# (the prepared parameters, the calls it may make) -> the task output: a resource that is
# several API calls (EMR's modifyInstanceGroupByName) or none botocore has (apigateway:invoke).
CustomCall = Callable[[Json, Calls], Json]


def unchanged(params: Json, execution_arn: str, pattern: str) -> Json:
    return params


@dataclass(frozen=True, slots=True)
class SyncJob:
    """How ``.sync`` follows the job an Integration's call started."""

    describe: str  # botocore operation polled: "DescribeJobs"
    handle: JobHandle
    # The job in the Describe answer (PascalCase task output): ("Jobs", 0) is answer["Jobs"][0].
    job_at: tuple[str | int, ...]
    status_at: tuple[str, ...]  # the status inside the job: ("Status",) or ("Status", "State")
    succeeded: frozenset[str]
    failed: frozenset[str]
    cancel: str | None = None  # botocore operation that stops the job, if AWS calls one
    # the job handle -> the cancel call's parameters (default: the handle itself)
    cancel_params: Callable[[Json], Json] | None = None
    # A job object that says it failed although its status is terminal-success (ECS: a task that
    # stopped because it failed to start): returns True when the task must fail.
    failed_when: Callable[[Json], bool] | None = None
    # What the task's output is made of, given the job (default: the job itself).
    output: Callable[[Json, Json], Json] | None = None  # (job, handle) -> output
    # A job that deletes what it describes (EKS's deleteCluster): a Describe refused with the
    # service's ResourceNotFoundException means it is done; the output is gone(handle).
    gone: Callable[[Json], Json] | None = None
    # Asked instead of ``describe`` for a job no AWS API describes (eks:runJob's Kubernetes Job):
    # (the handle, the calls it may make) -> the answer, read as a Describe's.
    poll: Callable[[Json, Calls], Json] | None = None

    @property
    def terminal(self) -> frozenset[str]:
        return self.succeeded | self.failed


@dataclass(frozen=True, slots=True)
class Integration:
    botocore_service: str
    operation: str  # botocore's name: "SubmitJob"; "" when ``call`` makes no single API call
    names: JavaV1Names
    patterns: frozenset[str]
    prepare: Prepare = unchanged
    # Parameters are matched to the API's members by name, PascalCase or as modelled
    # (aws_shapes.to_request); False: sent as given (APIs whose members are PascalCase already).
    shaped: bool = True
    with_http_metadata: bool = True
    sync: SyncJob | None = None
    # The task's output from the request and the response (default: the response as is).
    respond: Respond | None = None
    # Made instead of ``operation`` (after ``prepare``): the task's output comes from it.
    call: CustomCall | None = None
    # A successful answer that fails the task all the same (EventBridge's failed entries):
    # (the answer as task output, the pattern) -> the failure, or None.
    refuse: Callable[[Json, str], TaskError | None] | None = None


def dig(value: Any, path: tuple[str | int, ...]) -> Any:
    """``value[path[0]][path[1]]...``, or None where the answer has no such member."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value
