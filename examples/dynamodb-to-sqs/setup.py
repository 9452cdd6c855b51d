"""Creates what the DynamoDB-to-SQS sample needs: the table and the queue (on the DYNAMODB_ENDPOINT and
SQS_ENDPOINT endpoints) and the state machine "dynamodb_to_sqs" on stepwell. Safe to run again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3

HERE = Path(__file__).parent
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ROLE = "arn:aws:iam::123456789012:role/dynamodb-to-sqs"


def setup(sfn: Any | None = None) -> str:
    dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=os.environ.get("DYNAMODB_ENDPOINT"))
    if "stepwell-messages" not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName="stepwell-messages",
            KeySchema=[{"AttributeName": "MessageId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "MessageId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    boto3.client("sqs", region_name=REGION, endpoint_url=os.environ.get("SQS_ENDPOINT")).create_queue(
        QueueName="stepwell-messages"
    )
    sfn = sfn or boto3.client(
        "stepfunctions", region_name=REGION, endpoint_url=os.environ.get("STEPWELL_ENDPOINT", "http://127.0.0.1:8083")
    )
    definition = (HERE / "dynamodb_to_sqs.asl.json").read_text()
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"] == "dynamodb_to_sqs":
            sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=definition)
            return str(machine["stateMachineArn"])
    return str(sfn.create_state_machine(name="dynamodb_to_sqs", definition=definition, roleArn=ROLE)["stateMachineArn"])


if __name__ == "__main__":
    print(setup())
