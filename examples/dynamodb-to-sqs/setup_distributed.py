"""Creates what the distributed DynamoDB-to-SQS sample needs in moto (AWS_ENDPOINT_URL): the table
"stepwell-distributed" seeded with ``--count`` messages (default 10; they are added to those already
there), the queue "stepwell-distributed"; and the state machine "dynamodb_to_sqs_distributed" on
stepwell (STEPWELL_ENDPOINT). Prints the state machine's ARN.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aws_samples  # noqa: E402

TABLE = "stepwell-distributed"


def setup(sfn: Any | None = None, aws: str | None = None, count: int = 10) -> str:
    dynamodb = aws_samples.client("dynamodb", aws)
    if TABLE not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "MessageId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "MessageId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    for number in range(count):
        item = {"MessageId": {"S": str(uuid.uuid4())}, "Message": {"S": f"Hello from message {number + 1}"}}
        dynamodb.put_item(TableName=TABLE, Item=item)
    aws_samples.client("sqs", aws).create_queue(QueueName=TABLE)
    return aws_samples.state_machine(
        "dynamodb_to_sqs_distributed", HERE / "dynamodb_to_sqs_distributed.asl.json", sfn
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10, help="messages to add to the table")
    print(setup(count=parser.parse_args().count))
