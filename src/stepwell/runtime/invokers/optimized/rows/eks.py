"""Amazon EKS (``eks``, integrations.md §2.9): the control-plane resources, and ``call``.

createCluster, createNodegroup and createFargateProfile ``.sync`` poll their Describe call until
the resource is ACTIVE (a FAILED cluster, a CREATE_FAILED nodegroup or profile fail the task); the
delete ones until the Describe answers ResourceNotFoundException (DELETE_FAILED fails the task).
Which statuses fail is our reading of botocore's enums (§2.9). The output of ``.sync`` is the
Describe's answer (``{Cluster: {Endpoint, CertificateAuthority: {Data}, ...}}``, as AWS's sample
reads ``$.eks.Cluster.Endpoint``); after a delete, the resource's names.

The createCluster and createNodegroup IAM templates allow DeleteCluster and DeleteNodegroup, which
suggests a cleanup when the task is abandoned; that is unconfirmed (§2.9), and deleting what a user
asked for on a guess is worse than leaving it: stepwell cancels nothing.

``call`` is eks_call.py's; ``runJob`` (a Kubernetes Job through the cluster's API server) is
eks_jobs.py's.
"""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.rows.eks_call import kubernetes_call
from stepwell.runtime.invokers.optimized.rows.eks_jobs import RUN_JOB, run_job
from stepwell.runtime.invokers.optimized.rows.make import job
from stepwell.runtime.invokers.optimized.spec import (
    REQUEST_RESPONSE,
    WITH_SYNC,
    Integration,
    SyncJob,
)

EKS = JavaV1Names("EKS", "AmazonEKS", "AmazonEKSException")


def _describe(kind: str, names: dict[str, str], ends_in: str, fails: set[str], deleting: bool) -> SyncJob:
    """Describe<kind> with ``names`` (Describe member -> the request member it comes from)."""
    return SyncJob(
        describe=f"Describe{kind}",
        handle=lambda request, response: {member: request.get(given) for member, given in names.items()},
        job_at=(kind,),
        status_at=("Status",),
        # a delete ends when the resource is gone (``gone``): no status of its own ends it well
        succeeded=frozenset() if deleting else frozenset({ends_in}),
        failed=frozenset(fails),
        output=lambda described, handle: {kind: described},
        gone=(lambda handle: dict(handle)) if deleting else None,
    )


CLUSTER = {"name": "name"}
NODEGROUP = {"clusterName": "clusterName", "nodegroupName": "nodegroupName"}
FARGATE_PROFILE = {"clusterName": "clusterName", "fargateProfileName": "fargateProfileName"}


EKS_ROWS: dict[tuple[str, str], Integration] = {
    ("eks", "createCluster"): job(
        "eks", "CreateCluster", EKS, _describe("Cluster", CLUSTER, "ACTIVE", {"FAILED"}, False)
    ),
    ("eks", "deleteCluster"): job(
        "eks", "DeleteCluster", EKS, _describe("Cluster", CLUSTER, "", {"FAILED"}, True)
    ),
    ("eks", "createNodegroup"): job(
        "eks",
        "CreateNodegroup",
        EKS,
        _describe("Nodegroup", NODEGROUP, "ACTIVE", {"CREATE_FAILED", "DELETE_FAILED"}, False),
    ),
    ("eks", "deleteNodegroup"): job(
        "eks", "DeleteNodegroup", EKS, _describe("Nodegroup", NODEGROUP, "", {"DELETE_FAILED"}, True)
    ),
    ("eks", "createFargateProfile"): job(
        "eks",
        "CreateFargateProfile",
        EKS,
        _describe("FargateProfile", FARGATE_PROFILE, "ACTIVE", {"CREATE_FAILED", "DELETE_FAILED"}, False),
    ),
    ("eks", "deleteFargateProfile"): job(
        "eks",
        "DeleteFargateProfile",
        EKS,
        _describe("FargateProfile", FARGATE_PROFILE, "", {"DELETE_FAILED"}, True),
    ),
    ("eks", "call"): Integration(
        "eks", "", EKS, REQUEST_RESPONSE, call=kubernetes_call, with_http_metadata=False
    ),
    ("eks", "runJob"): Integration(
        "eks", "", EKS, WITH_SYNC, call=run_job, sync=RUN_JOB, with_http_metadata=False
    ),
}
