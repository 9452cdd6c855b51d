"""Amazon Bedrock (integrations.md §2.11): ``invokeModel`` (bedrock-runtime InvokeModel) and
``createModelCustomizationJob`` (``.sync`` on GetModelCustomizationJob, StopModelCustomizationJob
when abandoned).

invokeModel's parameters: ``ModelId``, ``Body`` (JSON, sent as JSON text; a string as is),
``ContentType`` and ``Accept`` (default ``application/json``), and Step Functions' own
``Input {S3Uri}`` (the body read from S3 instead; exclusive with ``Body``) and ``Output {S3Uri}``
(the response body written there). The output is ``{Body, ContentType}``, ``Body`` parsed when it is
JSON; with ``Output`` it is ``{Body: {S3Uri}}`` in place of the response. All of these output
field names and shapes are unconfirmed (§2.11). WFTT is listed for Bedrock without an action
(unconfirmed): invokeModel is request-response only here.
"""

from __future__ import annotations

import json
from typing import Any

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.make import job, rr
from stepwell.runtime.invokers.optimized.spec import Calls, Integration, Json, SyncJob

BEDROCK = JavaV1Names("Bedrock", "AmazonBedrock", "AmazonBedrockException")
# invokeModel's errors: the runtime API's exceptions under the same "Bedrock" prefix (unconfirmed).
BEDROCK_RUNTIME = JavaV1Names("Bedrock", "AmazonBedrockRuntime", "AmazonBedrockRuntimeException")
JSON_TYPE = "application/json"

BEDROCK_CUSTOMIZATION = SyncJob(
    describe="GetModelCustomizationJob",
    handle=lambda request, response: {"jobIdentifier": request.get("jobName")},
    job_at=(),
    status_at=("Status",),
    succeeded=frozenset({"Completed"}),
    failed=frozenset({"Failed", "Stopped"}),
    cancel="StopModelCustomizationJob",
)


def _s3_location(uri: object, field: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:]:
        raise TaskError("States.Runtime", f"The field '{field}.S3Uri' must be an s3://bucket/key URI.")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def invoke_model(params: Json, calls: Calls) -> Json:
    given = params.get("Input")
    body: Any = params.get("Body")
    if isinstance(given, dict):
        if body is not None:
            raise TaskError("States.Runtime", "invokeModel takes 'Body' or 'Input', not both.")
        bucket, key = _s3_location(given.get("S3Uri"), "Input")
        body = calls.aws("GetObject", {"Bucket": bucket, "Key": key}, service="s3")["Body"]
    request = {
        "ModelId": params.get("ModelId"),
        "Body": body,
        "ContentType": params.get("ContentType") or JSON_TYPE,
        "Accept": params.get("Accept") or JSON_TYPE,
    }
    answer = calls.aws("InvokeModel", {k: v for k, v in request.items() if v is not None})
    text = answer.get("Body")
    written = params.get("Output")
    if isinstance(written, dict):
        bucket, key = _s3_location(written.get("S3Uri"), "Output")
        calls.aws("PutObject", {"Bucket": bucket, "Key": key, "Body": text or ""}, service="s3")
        output: Json = {"Body": {"S3Uri": written["S3Uri"]}, "ContentType": answer.get("ContentType")}
    else:
        output = {"Body": _parsed(text, answer.get("ContentType")), "ContentType": answer.get("ContentType")}
    return output


def _parsed(text: object, content_type: object) -> object:
    if isinstance(text, str) and isinstance(content_type, str) and "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


BEDROCK_ROWS: dict[tuple[str, str], Integration] = {
    ("bedrock", "createModelCustomizationJob"): job(
        "bedrock", "CreateModelCustomizationJob", BEDROCK, BEDROCK_CUSTOMIZATION
    ),
    # {Body, ContentType} only: whether AWS adds SdkHttpMetadata here is not recorded (§0).
    ("bedrock", "invokeModel"): rr(
        "bedrock-runtime", "InvokeModel", BEDROCK_RUNTIME, call=invoke_model, with_http_metadata=False
    ),
}
