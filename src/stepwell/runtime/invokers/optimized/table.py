"""The optimized integrations stepwell carries out: ``(service, action) -> Integration``.

Each row is integrations.md §2's line for the resource: the botocore call, the patterns, and for
``.sync`` the Describe call polled, the job's status and its terminal values, and the cancel call
(§1.7: "a best-effort call of the service's cancel API"). Where the reference marks a fact
unconfirmed, the row says so.

Not here: ``lambda:invoke`` (invokers/lambdas.py), ``http:invoke`` (invokers/http.py) and
``states:startExecution`` (a nested execution, runtime/tasks.py). S3 has no Task resource of this
form (``s3:getObject`` / ``listObjectsV2`` / ``putObject`` are a Distributed Map's ItemReader and
ResultWriter) and EventBridge Scheduler none at all: a Task reaches them as ``aws-sdk:s3:*`` and
``aws-sdk:scheduler:*``.
"""

from __future__ import annotations

from stepwell.runtime.invokers.optimized.rows.apigateway import API_GATEWAY_ROWS
from stepwell.runtime.invokers.optimized.rows.bedrock import BEDROCK_ROWS
from stepwell.runtime.invokers.optimized.rows.data_and_media import DATA_AND_MEDIA_ROWS
from stepwell.runtime.invokers.optimized.rows.eks import EKS_ROWS
from stepwell.runtime.invokers.optimized.rows.emr_clusters import EMR_CLUSTERS
from stepwell.runtime.invokers.optimized.rows.emr_on_eks import EMR_ON_EKS_ROWS
from stepwell.runtime.invokers.optimized.rows.emr_serverless import EMR_SERVERLESS_ROWS
from stepwell.runtime.invokers.optimized.rows.jobs import JOBS
from stepwell.runtime.invokers.optimized.rows.messaging import MESSAGING
from stepwell.runtime.invokers.optimized.spec import Integration

INTEGRATIONS: dict[tuple[str, str], Integration] = {
    **MESSAGING,
    **JOBS,
    **EMR_SERVERLESS_ROWS,
    **EMR_CLUSTERS,
    **BEDROCK_ROWS,
    **API_GATEWAY_ROWS,
    **EKS_ROWS,
    **EMR_ON_EKS_ROWS,
    **DATA_AND_MEDIA_ROWS,
}


def integration(service: str, action: str, pattern: str = "") -> Integration | None:
    """The optimized integration a resource names, if stepwell carries it out with this pattern."""
    found = INTEGRATIONS.get((service, action))
    return found if found is not None and pattern in found.patterns else None
