"""How an ``aws-sdk:<service>:<apiAction>`` resource names a botocore service, operation and errors.

Step Functions names services as the AWS SDK for Java 2.x does: the service's ``serviceId`` in
PascalCase words, without a trailing "Service" (``CloudWatch Logs`` -> ``CloudWatchLogs``, ``SFN`` ->
``Sfn``, ``DynamoDB`` -> ``DynamoDb``, ``Elastic Load Balancing v2`` -> ``ElasticLoadBalancingV2``).
The resource uses that name in lower case (``cloudwatchlogs``, ``sfn``, ``elasticloadbalancingv2``)
and errors use it as their prefix (developer guide, "AWS SDK service integrations": "the resulting
Error field will be composed of the service name and the error name, separated by a period
character: ServiceName.ErrorName. Both the service name and error name are in Pascal case"; its
table lists e.g. ``acmpca`` / ``AcmPca``, ``cloudwatchlogs`` / ``CloudWatchLogs``, ``sfn`` / ``Sfn``,
``eventbridge`` / ``EventBridge``, ``dynamodb`` / ``DynamoDb``, ``s3`` / ``S3``).

"The API action will always be camel case, and parameter names will be Pascal case" (same page):
``getObject`` is botocore's ``GetObject``.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

import botocore.session

# aws-sdk names whose botocore service is not the name with its dashes removed, worked out with
# java_service_name() from botocore 1.44.5's serviceIds (a test keeps this table honest). Any other
# name is found by trying the dash-less botocore names, then by reading every service model once.
SDK_NAME_ALIASES = {
    "applicationdiscovery": "discovery",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "costandusagereport": "cur",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "directory": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "eventbridge": "events",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuilding": "lex-models",
    "lexmodelsv2": "lexv2-models",
    "lexruntimev2": "lexv2-runtime",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "serverlessapplicationrepository": "serverlessrepo",
    "sfn": "stepfunctions",
    "simpledb": "sdb",
}

_botocore = botocore.session.get_session()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class SdkService:
    """An aws-sdk service: its resource name, botocore name, error prefix and model."""

    sdk_name: str  # as in the resource: "sfn"
    botocore_name: str  # "stepfunctions"
    prefix: str  # errors and causes: "Sfn"
    model: Any  # botocore.model.ServiceModel


def java_service_name(service_id: str) -> str:
    """The AWS SDK for Java 2.x service name of a botocore ``serviceId`` (see module docstring)."""
    words = "".join(word.lower().capitalize() for word in _split_words(service_id))
    for prefix in ("Amazon", "Aws"):
        if words.startswith(prefix) and len(words) > len(prefix):
            words = words[len(prefix) :]
    if words.endswith("Service") and len(words) > len("Service"):
        words = words[: -len("Service")]
    return words


def _split_words(text: str) -> list[str]:
    """Word boundaries of a serviceId: spaces, a version ``v2``/``V2``, camel case, acronyms, digits."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    text = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", text)  # "SESv2" -> "SES v2"
    text = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", text)  # "GreengrassV2" -> "Greengrass V2"
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-zA-Z0-9])", " ", text)  # "CloudWatch" -> "Cloud Watch"
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)  # "UIBuilder" -> "UI Builder"
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)  # "A2I" -> "A2 I"
    return text.split()


@functools.cache
def available_services() -> frozenset[str]:
    with _lock:
        return frozenset(_botocore.get_available_services())


@functools.cache
def _service_model(botocore_name: str) -> Any:
    with _lock:
        return _botocore.get_service_model(botocore_name)


@functools.cache
def _all_sdk_names() -> dict[str, str]:
    """Every aws-sdk name -> botocore name (reads every service model: a few seconds, once)."""
    names: dict[str, str] = {}
    for name in sorted(available_services()):
        sdk_name = java_service_name(_service_model(name).metadata.get("serviceId", name)).lower()
        names.setdefault(sdk_name, name)
    return names


@functools.cache
def sdk_service(sdk_name: str) -> SdkService | None:
    """The service an aws-sdk resource names (``sfn``, ``s3``, ``cloudwatchlogs``), or None."""
    candidates = [SDK_NAME_ALIASES.get(sdk_name)]
    candidates += [name for name in sorted(available_services()) if name.replace("-", "") == sdk_name]
    for botocore_name in candidates:
        if botocore_name is None:
            continue
        model = _service_model(botocore_name)
        prefix = java_service_name(model.metadata.get("serviceId", botocore_name))
        if prefix.lower() == sdk_name:
            return SdkService(sdk_name, botocore_name, prefix, model)
    botocore_name = _all_sdk_names().get(sdk_name)
    if botocore_name is None:
        return None
    model = _service_model(botocore_name)
    return SdkService(sdk_name, botocore_name, java_service_name(model.metadata["serviceId"]), model)


def operation_name(service: SdkService, action: str) -> str | None:
    """The botocore operation for a camelCase action (``getObject`` -> ``GetObject``), or None."""
    if not action:
        return None
    name = action[0].upper() + action[1:]
    return name if name in service.model.operation_names else None


def error_name(prefix: str, shape_name: str) -> str:
    """``S3`` + ``NoSuchKey`` -> ``S3.NoSuchKeyException``. The developer guide (AWS SDK service
    integrations) says to include the Exception suffix in these error names even where the service's
    own error name lacks it, and gives ``S3.BucketAlreadyExistsException`` for S3's
    ``BucketAlreadyExists``; AWS records ``S3.NoSuchBucketException`` for ``NoSuchBucket``."""
    suffix = "" if shape_name.endswith("Exception") else "Exception"
    return f"{prefix}.{shape_name}{suffix}"
