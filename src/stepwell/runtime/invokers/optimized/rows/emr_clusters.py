"""Amazon EMR (``elasticmapreduce``): Step Functions' own wrappers of the EMR API (§2.7).

The resources name a cluster ``ClusterId`` where the API takes ``JobFlowId`` or ``JobFlowIds``, a
single ``Step`` where it takes ``Steps``, an instance fleet or group by its name where it takes an
id (so those two are a List call and then the Modify call). EMR's members are PascalCase already.

Which terminal states fail a ``.sync`` task is unconfirmed (§2.7): here a cluster that ends
TERMINATED or TERMINATED_WITH_ERRORS while it was being created, a step that ends FAILED,
CANCELLED or INTERRUPTED, and a cluster being terminated that ends TERMINATED_WITH_ERRORS.
"Step Functions does not terminate an Amazon EMR cluster automatically if execution is stopped"
[DG:connect-emr]: createCluster.sync has no cancel call; an abandoned addStep.sync cancels its step.
"""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.make import job, rr
from stepwell.runtime.invokers.optimized.spec import (
    Calls,
    CustomCall,
    Integration,
    JobHandle,
    Json,
    Respond,
    SyncJob,
)

# The error prefix is unconfirmed (no recorded EMR error); the class names are the SDK's.
EMR = JavaV1Names("EMR", "AmazonElasticMapReduce", "AmazonElasticMapReduceException")
SERVICE = "emr"  # botocore's name for elasticmapreduce


def _first(values: object) -> object:
    return values[0] if isinstance(values, list) and values else None


# ---- requests and responses in the resources' words ------------------------------------------
def _one_job_flow(params: Json, execution_arn: str, pattern: str) -> Json:
    """``{ClusterId, ...}`` -> ``{JobFlowIds: [ClusterId], ...}``."""
    rest = {key: value for key, value in params.items() if key != "ClusterId"}
    return {"JobFlowIds": [params.get("ClusterId")], **rest}


def _one_step(params: Json, execution_arn: str, pattern: str) -> Json:
    """``{ClusterId, Step, ExecutionRoleArn?}`` -> ``{JobFlowId, Steps: [Step], ...}``."""
    rest = {key: value for key, value in params.items() if key not in ("ClusterId", "Step")}
    return {"JobFlowId": params.get("ClusterId"), "Steps": [params.get("Step")], **rest}


def _step_to_cancel(params: Json, execution_arn: str, pattern: str) -> Json:
    """``{ClusterId, StepId, ...}`` -> ``{ClusterId, StepIds: [StepId], ...}``."""
    rest = {key: value for key, value in params.items() if key != "StepId"}
    return {**rest, "StepIds": [params.get("StepId")]}


def _renamed(api_name: str, task_name: str, first: bool = False) -> Respond:
    """The response with its member ``api_name`` called ``task_name`` (its first item: ``first``)."""

    def respond(request: Json, response: Json) -> Json:
        out = {key: value for key, value in response.items() if key != api_name}
        if api_name in response:
            out[task_name] = _first(response[api_name]) if first else response[api_name]
        return out

    return respond


def _by_name(kind: str) -> CustomCall:
    """``modifyInstance{Fleet,Group}ByName``: the fleet or group named ``Instance<kind>Name`` in
    ListInstance<kind>s, then its Modify call with its id in place of the name."""

    def call(params: Json, calls: Calls) -> Json:
        cluster = params.get("ClusterId")
        name = params.get(f"Instance{kind}Name")
        listed = calls.aws(f"ListInstance{kind}s", {"ClusterId": cluster})
        # ListInstance*s pages with Marker; a cluster has at most a few dozen groups (one page).
        ids = [item.get("Id") for item in listed.get(f"Instance{kind}s") or [] if item.get("Name") == name]
        if len(ids) != 1:
            found = "no" if not ids else f"{len(ids)}"
            raise TaskError(
                f"{EMR.prefix}.{EMR.base_exception}",
                f"The cluster {cluster} has {found} instance {kind.lower()}s named '{name}'. "
                f"(Service: {EMR.service}; Status Code: 400; Error Code: InvalidRequestException; "
                "Request ID: null; Proxy: null)",
            )
        changes = dict(params.get(f"Instance{kind}") or {})
        changes[f"Instance{kind}Id"] = ids[0]
        if kind == "Fleet":
            return calls.aws("ModifyInstanceFleet", {"ClusterId": cluster, "InstanceFleet": changes})
        return calls.aws("ModifyInstanceGroups", {"ClusterId": cluster, "InstanceGroups": [changes]})

    return call


# ---- what .sync follows --------------------------------------------------------------------------
def _cluster(succeeded: set[str], failed: set[str], cluster_id: JobHandle) -> SyncJob:
    """DescribeCluster until the cluster's ``Status.State`` ends; the output is ``{ClusterId,
    Cluster}`` (unconfirmed: AWS's samples read ``$.ClusterId`` of createCluster's result)."""
    return SyncJob(
        describe="DescribeCluster",
        handle=cluster_id,
        job_at=("Cluster",),
        status_at=("Status", "State"),
        succeeded=frozenset(succeeded),
        failed=frozenset(failed),
        output=lambda cluster, handle: {"ClusterId": handle["ClusterId"], "Cluster": cluster},
    )


CREATED_CLUSTER = _cluster(
    {"WAITING"},
    {"TERMINATED", "TERMINATED_WITH_ERRORS"},
    lambda request, response: {"ClusterId": response.get("ClusterId")},
)
TERMINATED_CLUSTER = _cluster(
    {"TERMINATED"},
    {"TERMINATED_WITH_ERRORS"},
    lambda request, response: {"ClusterId": _first(request.get("JobFlowIds"))},
)
STEP = SyncJob(
    describe="DescribeStep",
    handle=lambda request, response: {
        "ClusterId": request.get("JobFlowId"),
        "StepId": response.get("StepId"),
    },
    job_at=("Step",),
    status_at=("Status", "State"),
    succeeded=frozenset({"COMPLETED"}),
    failed=frozenset({"FAILED", "CANCELLED", "INTERRUPTED"}),
    cancel="CancelSteps",
    cancel_params=lambda handle: {"ClusterId": handle["ClusterId"], "StepIds": [handle["StepId"]]},
)

EMR_CLUSTERS: dict[tuple[str, str], Integration] = {
    ("elasticmapreduce", "createCluster"): job(
        # "Instances.KeepJobFlowAliveWhenNoSteps must be true; Steps forbidden" (§2.7): the
        # service itself refuses what it refuses; stepwell checks neither.
        SERVICE,
        "RunJobFlow",
        EMR,
        CREATED_CLUSTER,
        respond=_renamed("JobFlowId", "ClusterId"),
    ),
    ("elasticmapreduce", "terminateCluster"): job(
        SERVICE, "TerminateJobFlows", EMR, TERMINATED_CLUSTER, prepare=_one_job_flow
    ),
    ("elasticmapreduce", "setClusterTerminationProtection"): rr(
        SERVICE, "SetTerminationProtection", EMR, prepare=_one_job_flow
    ),
    ("elasticmapreduce", "addStep"): job(
        SERVICE,
        "AddJobFlowSteps",
        EMR,
        STEP,
        prepare=_one_step,
        respond=_renamed("StepIds", "StepId", first=True),
    ),
    ("elasticmapreduce", "cancelStep"): rr(
        SERVICE,
        "CancelSteps",
        EMR,
        prepare=_step_to_cancel,
        respond=_renamed("CancelStepsInfoList", "CancelStepsInfo"),
    ),
    ("elasticmapreduce", "modifyInstanceFleetByName"): rr(
        SERVICE, "ModifyInstanceFleet", EMR, call=_by_name("Fleet")
    ),
    ("elasticmapreduce", "modifyInstanceGroupByName"): rr(
        SERVICE, "ModifyInstanceGroups", EMR, call=_by_name("Group")
    ),
}
