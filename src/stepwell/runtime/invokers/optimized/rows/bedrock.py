"""Bedrock (§2.11)."""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.rows.make import job
from stepwell.runtime.invokers.optimized.spec import (
    Integration,
    SyncJob,
)

BEDROCK = JavaV1Names("Bedrock", "AmazonBedrock", "AmazonBedrockException")

BEDROCK_CUSTOMIZATION = SyncJob(
    describe="GetModelCustomizationJob",
    handle=lambda request, response: {"jobIdentifier": request.get("jobName")},
    job_at=(),
    status_at=("Status",),
    succeeded=frozenset({"Completed"}),
    failed=frozenset({"Failed", "Stopped"}),
    cancel="StopModelCustomizationJob",
)


BEDROCK_ROWS: dict[tuple[str, str], Integration] = {
    ("bedrock", "createModelCustomizationJob"): job(
        "bedrock", "CreateModelCustomizationJob", BEDROCK, BEDROCK_CUSTOMIZATION
    ),
}
