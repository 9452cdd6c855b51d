"""Creates what the stock-trading sample needs: the approvals queue, the trades topic (on the SQS and
SNS endpoints), and the state machine "stock_trading" on stepwell. Safe to run again.

    SQS_ENDPOINT=http://127.0.0.1:5000 SNS_ENDPOINT=http://127.0.0.1:5000 \
        python examples/stock-trading/setup.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3

HERE = Path(__file__).parent
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ROLE = "arn:aws:iam::123456789012:role/stock-trading"


def setup(sfn: Any | None = None) -> str:
    """Create the queue, the topic and the state machine; returns the state machine's ARN."""
    boto3.client("sqs", region_name=REGION, endpoint_url=os.environ.get("SQS_ENDPOINT")).create_queue(
        QueueName="stock-approvals"
    )
    boto3.client("sns", region_name=REGION, endpoint_url=os.environ.get("SNS_ENDPOINT")).create_topic(
        Name="stock-trades"
    )
    sfn = sfn or boto3.client(
        "stepfunctions", region_name=REGION, endpoint_url=os.environ.get("STEPWELL_ENDPOINT", "http://127.0.0.1:8083")
    )
    definition = (HERE / "stock_trading.asl.json").read_text()
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"] == "stock_trading":
            sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=definition)
            return str(machine["stateMachineArn"])
    return str(sfn.create_state_machine(name="stock_trading", definition=definition, roleArn=ROLE)["stateMachineArn"])


if __name__ == "__main__":
    print(setup())
