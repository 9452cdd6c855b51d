"""What the AWS sample projects' setup scripts share (examples/batch-job, container-task, glue-job,
sagemaker-training, dynamodb-to-sqs's distributed version).

AWS is a moto server at ``AWS_ENDPOINT_URL`` (``make moto``: http://127.0.0.1:5000); stepwell is at
``STEPWELL_ENDPOINT`` (default http://127.0.0.1:8083). Every name is fixed, so a setup can run again.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import boto3

REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ACCOUNT = "123456789012"  # moto's account
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stepwell-samples"
CREDENTIALS = {
    "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
    "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
}


def aws_url(given: str | None = None) -> str:
    return given or os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")


def client(service: str, aws: str | None = None) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=aws_url(aws), **CREDENTIALS)


def stepfunctions() -> Any:
    endpoint = os.environ.get("STEPWELL_ENDPOINT", "http://127.0.0.1:8083")
    return boto3.client("stepfunctions", region_name=REGION, endpoint_url=endpoint, **CREDENTIALS)


def moto_api(path: str, body: dict[str, Any], aws: str | None = None) -> None:
    """moto's own control API (``/moto-api/...``): how it runs Batch jobs, how ECS tasks move on."""
    request = urllib.request.Request(
        f"{aws_url(aws)}/moto-api/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def notifications(topic: str, aws: str | None = None) -> str:
    """The SNS topic ``topic`` and a queue of the same name subscribed to it (raw delivery), to read
    what the workflow published; returns the queue's URL."""
    sqs, sns = client("sqs", aws), client("sns", aws)
    queue_url = str(sqs.create_queue(QueueName=topic)["QueueUrl"])
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    subscribed = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    if not any(s["Endpoint"] == queue_arn for s in subscribed):
        sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
    return queue_url


def state_machine(name: str, definition_file: Path, sfn: Any | None = None) -> str:
    """Creates the state machine ``name`` on stepwell, or updates it to the file's definition."""
    sfn = sfn or stepfunctions()
    definition = definition_file.read_text()
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"] == name:
            sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=definition)
            return str(machine["stateMachineArn"])
    made = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)
    return str(made["stateMachineArn"])
