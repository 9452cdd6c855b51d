"""Creates what the "Manage a batch job" sample needs in moto (at AWS_ENDPOINT_URL): a Batch compute
environment, the job queue "stepwell-sample-queue", the job definition "stepwell-sample-job", the
SNS topic "stepwell-batch-job" with a queue of the same name subscribed; and the state machine
"batch_job" on stepwell (STEPWELL_ENDPOINT). Prints the state machine's ARN. Safe to run again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aws_samples  # noqa: E402

QUEUE = "stepwell-sample-queue"


def setup(sfn: Any | None = None, aws: str | None = None) -> str:
    # moto runs a Batch job in Docker unless told not to; then the job goes RUNNABLE, STARTING,
    # RUNNING, SUCCEEDED, a status further at each DescribeJobs.
    aws_samples.moto_api("config", {"batch": {"use_docker": False}}, aws)
    iam, batch = aws_samples.client("iam", aws), aws_samples.client("batch", aws)
    try:
        role = iam.get_role(RoleName="stepwell-batch")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="stepwell-batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    if not batch.describe_job_queues(jobQueues=[QUEUE])["jobQueues"]:
        environment = batch.create_compute_environment(
            computeEnvironmentName="stepwell-sample", type="UNMANAGED", state="ENABLED", serviceRole=role
        )["computeEnvironmentArn"]
        batch.create_job_queue(
            jobQueueName=QUEUE,
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
        )
        batch.register_job_definition(
            jobDefinitionName="stepwell-sample-job",
            type="container",
            containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": ["echo", "hello"]},
        )
    aws_samples.notifications("stepwell-batch-job", aws)
    return aws_samples.state_machine("batch_job", HERE / "batch_job.asl.json", sfn)


if __name__ == "__main__":
    print(setup())
