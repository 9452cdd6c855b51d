"""Creates what the "Manage a container task" sample needs in moto (at AWS_ENDPOINT_URL): the ECS
cluster "stepwell-sample" with one container instance (an EC2 instance), the task definition
"stepwell-sample-task" (one container, "app"), the SNS topic "stepwell-container-task" with a queue
of the same name subscribed; and the state machine "container_task" on stepwell
(STEPWELL_ENDPOINT). Prints the state machine's ARN. Safe to run again.

moto is told to hold ECS tasks RUNNING until someone calls StopTask, as a real task runs until its
container exits: `aws ecs stop-task` plays the container's end. (AWS's sample runs a Fargate task;
moto 5.2 answers a Fargate RunTask with an error of its awsvpc networking, so this one uses EC2.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aws_samples  # noqa: E402

CLUSTER = "stepwell-sample"


def setup(sfn: Any | None = None, aws: str | None = None) -> str:
    transition = {"progression": "manual", "times": 10**9}
    aws_samples.moto_api(
        "state-manager/set-transition", {"model_name": "ecs::task", "transition": transition}, aws
    )
    ecs, ec2 = aws_samples.client("ecs", aws), aws_samples.client("ec2", aws)
    ecs.create_cluster(clusterName=CLUSTER)
    if not ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]:
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        identity = {"instanceId": instance["InstanceId"], "region": aws_samples.REGION}
        identity["accountId"] = aws_samples.ACCOUNT
        ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=json.dumps(identity))
    ecs.register_task_definition(
        family="stepwell-sample-task",
        containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}],
    )
    aws_samples.notifications("stepwell-container-task", aws)
    return aws_samples.state_machine("container_task", HERE / "container_task.asl.json", sfn)


if __name__ == "__main__":
    print(setup())
