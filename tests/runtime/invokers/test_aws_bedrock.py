"""``bedrock:invokeModel`` (integrations.md §2.11). moto's bedrock-runtime answers every model
with an empty body, so the model is the stand-in (it records the request and answers the JSON
a test gives); the S3 objects of ``Input`` and ``Output`` are moto's."""

from __future__ import annotations

import json
import uuid

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import TaskError
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.job_calls import call
from tests.runtime.invokers.job_standin import StandIn
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def bedrock_invoker(stand_in: StandIn, moto_url: str) -> AwsInvoker:
    return AwsInvoker(
        AwsClients(REGION, {"bedrock-runtime": stand_in.url, "*": moto_url}, **FAKE_CREDENTIALS)
    )


def test_the_body_goes_as_json_and_the_answer_comes_back_parsed(
    stand_in: StandIn, bedrock_invoker: AwsInvoker
) -> None:
    stand_in.asked.clear()
    stand_in.answer = {"content": [{"text": "hello"}], "stop_reason": "end_turn"}
    output = call(bedrock_invoker, "bedrock:invokeModel", {"ModelId": MODEL, "Body": {"prompt": "hi"}})
    assert output["Body"] == stand_in.answer and "json" in output["ContentType"]
    assert "SdkHttpMetadata" not in output
    asked = stand_in.asked[-1]
    assert asked.target == f"/model/{MODEL.replace(':', '%3A')}/invoke" and asked.body == {"prompt": "hi"}


def test_input_and_output_in_s3(stand_in: StandIn, bedrock_invoker: AwsInvoker, moto_url: str) -> None:
    s3 = setup.client(moto_url, "s3")
    bucket = f"prompts-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in.json", Body=b'{"prompt": "from s3"}')
    stand_in.asked.clear()
    stand_in.answer = {"completion": "done"}
    output = call(
        bedrock_invoker,
        "bedrock:invokeModel",
        {
            "ModelId": MODEL,
            "Input": {"S3Uri": f"s3://{bucket}/in.json"},
            "Output": {"S3Uri": f"s3://{bucket}/out.json"},
        },
    )
    assert stand_in.asked[-1].body == {"prompt": "from s3"}
    assert output["Body"] == {"S3Uri": f"s3://{bucket}/out.json"}
    assert json.loads(s3.get_object(Bucket=bucket, Key="out.json")["Body"].read()) == {"completion": "done"}


def test_body_and_input_together_are_refused(bedrock_invoker: AwsInvoker) -> None:
    with pytest.raises(TaskError) as refused:
        call(
            bedrock_invoker,
            "bedrock:invokeModel",
            {"ModelId": MODEL, "Body": {}, "Input": {"S3Uri": "s3://b/k"}},
        )
    assert refused.value.error == "States.Runtime"


def test_a_refused_call_is_the_services_error(invoker: AwsInvoker) -> None:
    """moto checks nothing of a model; a missing ModelId is refused before anything is sent."""
    with pytest.raises(TaskError) as refused:
        call(invoker, "bedrock:invokeModel", {"Body": {"prompt": "hi"}})
    assert refused.value.error.startswith("Bedrock.")
