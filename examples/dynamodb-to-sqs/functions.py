"""The DynamoDB-to-SQS sample's function (``--functions examples/dynamodb-to-sqs/functions.py``).

``seed_table`` writes ``{"count": N}`` messages (default 10) to the table and returns their ids for
the state machine to loop over. It reaches DynamoDB at DYNAMODB_ENDPOINT when that is set (a local
stand-in), else wherever boto3's usual configuration points.
"""

import os
import uuid

import boto3

TABLE = "stepwell-messages"


def seed_table(event, context):
    dynamodb = boto3.client(
        "dynamodb",
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        endpoint_url=os.environ.get("DYNAMODB_ENDPOINT"),
    )
    ids = []
    for number in range(int(event.get("count", 10))):
        message_id = str(uuid.uuid4())
        dynamodb.put_item(
            TableName=TABLE,
            Item={"MessageId": {"S": message_id}, "Message": {"S": f"Hello from message {number + 1}"}},
        )
        ids.append(message_id)
    return {"List": ids}
