"""An ItemReader's read of an S3 object as bytes, ``arn:aws:states:::s3:getObject`` as the engine
asks for it (engine/item_reader/): GetObject, answered ``{"Body": <the bytes, base64>}`` (and its
``ContentRange`` when a ``Range`` was asked for: a large object read a range at a time). A
compressed object is read so, and so is every range of a streamed one (a range may end inside a
UTF-8 character).

The aws-sdk action ``s3:getObject`` answers the Body as text, which would spoil gzip'd bytes; the
ItemReader's own resource is not a Task resource (reference integrations §1.2: S3's getObject
exists only as an ItemReader/ResultWriter resource), so this answer is stepwell's, for its engine.
Parameters and errors are the aws-sdk action's (``S3.NoSuchKeyException``, ...).
"""

from __future__ import annotations

import base64
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.aws_errors import sdk_error
from stepwell.runtime.invokers.aws_sdk import sdk_operation
from stepwell.runtime.invokers.aws_shapes import ParameterError, to_request
from stepwell.runtime.invokers.base import TaskCall, TaskError


def is_object_bytes_read(service: str, action: str, pattern: str) -> bool:
    return (service, action, pattern) == ("s3", "getObject", "")


def object_bytes(clients: AwsClients, call: TaskCall) -> dict[str, Any]:
    operation = sdk_operation("s3", "getObject")
    assert operation is not None
    try:
        params = to_request(operation.model.input_shape, call.payload)
    except ParameterError as error:
        raise TaskError(
            "S3.S3Exception", f"{error} (Service: S3, Status Code: 400, Request ID: null)"
        ) from None
    try:
        answer = clients.client("s3").get_object(**params)
        body = answer["Body"].read()
    except (ClientError, BotoCoreError) as error:
        raise sdk_error("S3", error) from None
    read: dict[str, Any] = {"Body": base64.b64encode(body).decode("ascii")}
    if answer.get("ContentRange"):  # a Range was asked for: "bytes 0-4194303/31000000"
        read["ContentRange"] = answer["ContentRange"]
    return read
