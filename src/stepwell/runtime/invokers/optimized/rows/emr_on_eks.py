"""Amazon EMR on EKS (``emr-containers``, integrations.md §2.15): job runs and virtual clusters.

``startJobRun.sync`` polls DescribeJobRun until the run is COMPLETED (FAILED and CANCELLED fail
the task: unconfirmed, as for the other job services); an abandoned run is cancelled with
CancelJobRun [DG23:emr-eks-iam]. ``deleteVirtualCluster.sync`` polls DescribeVirtualCluster until
TERMINATED (ARRESTED, a cluster EMR cannot use, fails it: our reading of botocore's enum).
"""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.rows.make import job, rr
from stepwell.runtime.invokers.optimized.spec import Integration, SyncJob

# The prefix and class names follow the SDK for Java's (AWSEMRContainers); no recorded error.
EMR_CONTAINERS = JavaV1Names("EMRContainers", "AWSEMRContainers", "AWSEMRContainersException")

JOB_RUN = SyncJob(
    describe="DescribeJobRun",
    handle=lambda request, response: {
        "id": response.get("Id"),
        "virtualClusterId": request.get("virtualClusterId"),
    },
    job_at=("JobRun",),
    status_at=("State",),
    succeeded=frozenset({"COMPLETED"}),
    failed=frozenset({"FAILED", "CANCELLED"}),
    cancel="CancelJobRun",
)

DELETED_VIRTUAL_CLUSTER = SyncJob(
    describe="DescribeVirtualCluster",
    handle=lambda request, response: {"id": request.get("id")},
    job_at=("VirtualCluster",),
    status_at=("State",),
    succeeded=frozenset({"TERMINATED"}),
    failed=frozenset({"ARRESTED"}),
)

EMR_ON_EKS_ROWS: dict[tuple[str, str], Integration] = {
    ("emr-containers", "startJobRun"): job("emr-containers", "StartJobRun", EMR_CONTAINERS, JOB_RUN),
    ("emr-containers", "deleteVirtualCluster"): job(
        "emr-containers", "DeleteVirtualCluster", EMR_CONTAINERS, DELETED_VIRTUAL_CLUSTER
    ),
    ("emr-containers", "createVirtualCluster"): rr("emr-containers", "CreateVirtualCluster", EMR_CONTAINERS),
}
