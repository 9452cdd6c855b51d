"""The human in the loop: reads trades waiting in the approvals queue and answers Step Functions.

    python examples/stock-trading/approver.py [--reject] [--once]

Each message is what "Request Human Approval" sent: the execution's data and its task token.
Approving calls SendTaskSuccess with the token (the execution goes on to buy or sell); rejecting
calls SendTaskFailure (the execution fails with the error "TradeRejected"). Endpoints come from
the environment as for the server: SQS_ENDPOINT for the queue, STEPWELL_ENDPOINT for Step Functions
(default http://127.0.0.1:8083).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import boto3

QUEUE_NAME = "stock-approvals"
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


def clients() -> tuple[Any, Any]:
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=os.environ.get("SQS_ENDPOINT"))
    sfn = boto3.client(
        "stepfunctions",
        region_name=REGION,
        endpoint_url=os.environ.get("STEPWELL_ENDPOINT", "http://127.0.0.1:8083"),
    )
    return sqs, sfn


def answer_waiting_trades(sqs: Any, sfn: Any, *, approve: bool = True, wait_seconds: int = 5) -> int:
    """Answer every trade in the queue (waiting up to ``wait_seconds`` for the first); returns how many."""
    queue_url = sqs.get_queue_url(QueueName=QUEUE_NAME)["QueueUrl"]
    answered = 0
    while True:
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds)
        messages = received.get("Messages", [])
        if not messages:
            return answered
        for message in messages:
            body = json.loads(message["Body"])
            trade = body["Input"]
            print(f"trade: {trade['recommended_type']} at {trade['stock_price']} -> {'approved' if approve else 'rejected'}")
            if approve:
                sfn.send_task_success(taskToken=body["TaskToken"], output=json.dumps({"approved": True}))
            else:
                sfn.send_task_failure(taskToken=body["TaskToken"], error="TradeRejected", cause="a human said no")
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            answered += 1
        wait_seconds = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reject", action="store_true", help="reject the trades instead of approving them")
    parser.add_argument("--once", action="store_true", help="answer what is waiting, then stop")
    args = parser.parse_args()
    sqs, sfn = clients()
    while True:
        answer_waiting_trades(sqs, sfn, approve=not args.reject, wait_seconds=20)
        if args.once:
            return


if __name__ == "__main__":
    main()
