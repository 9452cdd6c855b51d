"""boto3 clients for the AWS service integrations: one per service, created once, shared by threads.

Credentials come from boto3's usual chain (environment, shared files, instance roles...) unless
given explicitly. Endpoints can be overridden per service, so one definition talks to AWS, or to a
local stand-in (LocalStack, moto, DynamoDB Local) in tests.

Endpoint variables read by ``AwsClients.from_environment`` (first match wins):

1. Step Functions Local's own names (reference §10.1): ``LAMBDA_ENDPOINT``, ``BATCH_ENDPOINT``,
   ``DYNAMODB_ENDPOINT``, ``ECS_ENDPOINT``, ``GLUE_ENDPOINT``, ``SAGE_MAKER_ENDPOINT``,
   ``SQS_ENDPOINT``, ``SNS_ENDPOINT``, ``STEP_FUNCTIONS_ENDPOINT``;
2. ``<SERVICE>_ENDPOINT`` for any other service, ``<SERVICE>`` being the botocore service name
   upper-cased with ``-`` as ``_`` (``S3_ENDPOINT``, ``EVENTS_ENDPOINT``, ``SECRETSMANAGER_ENDPOINT``,
   ``ACM_PCA_ENDPOINT``) or the aws-sdk integration's name (``EVENTBRIDGE_ENDPOINT``, ``SFN_ENDPOINT``);
3. boto3's own ``AWS_ENDPOINT_URL_<SERVICE>`` and ``AWS_ENDPOINT_URL`` (boto3 reads them from
   ``os.environ`` by itself; they are read here too so that a given ``environ`` mapping is honoured).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

from stepwell.runtime.invokers.aws_sdk_names import available_services, sdk_service

# Step Functions Local's variables, by the botocore service they point at.
STEP_FUNCTIONS_LOCAL_VARIABLES = {
    "LAMBDA_ENDPOINT": "lambda",
    "BATCH_ENDPOINT": "batch",
    "DYNAMODB_ENDPOINT": "dynamodb",
    "ECS_ENDPOINT": "ecs",
    "GLUE_ENDPOINT": "glue",
    "SAGE_MAKER_ENDPOINT": "sagemaker",
    "SQS_ENDPOINT": "sqs",
    "SNS_ENDPOINT": "sns",
    "STEP_FUNCTIONS_ENDPOINT": "stepfunctions",
}
DEFAULT_ENDPOINT_KEY = "*"


class AwsClients:
    """Lazily created, reused boto3 clients keyed by botocore service name (``s3``, ``stepfunctions``).

    ``endpoints`` maps a botocore service name (or an aws-sdk name such as ``sfn``) to an endpoint
    URL; the key ``"*"`` is the endpoint for every other service. boto3 clients are thread-safe
    once created; creating them is not, hence the lock."""

    def __init__(
        self,
        region: str,
        endpoints: Mapping[str, str] | None = None,
        *,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        config: Config | None = None,
    ):
        self.region = region
        self.endpoints = {_botocore_name(key): url for key, url in (endpoints or {}).items()}
        self._session = boto3.session.Session(
            region_name=region,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
        )
        # Step Functions makes one attempt per task attempt; retrying is the state's Retry's job.
        # botocore's ``max_attempts`` counts retries (1 would send a failed call twice);
        # ``total_max_attempts`` counts the first attempt too, so 1 is a single send.
        self._config = config or Config(retries={"total_max_attempts": 1, "mode": "standard"})
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_environment(
        cls, region: str, environ: Mapping[str, str] | None = None, **kwargs: Any
    ) -> AwsClients:
        """Clients whose endpoints come from the variables in ``environ`` (default ``os.environ``)."""
        return cls(region, endpoints_from_environment(os.environ if environ is None else environ), **kwargs)

    def endpoint_url(self, service: str) -> str | None:
        """The overridden endpoint for a botocore service, or None for boto3's default."""
        return self.endpoints.get(service) or self.endpoints.get(DEFAULT_ENDPOINT_KEY)

    def credentials(self) -> Any:
        """botocore's credentials from the chain (or as given), for signing a request by hand;
        None when there are none."""
        return self._session.get_credentials()

    def client(self, service: str) -> Any:
        """The client for a botocore service name, created on first use."""
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._session.client(
                    service, endpoint_url=self.endpoint_url(service), config=self._config
                )
                self._clients[service] = client
        return client


def endpoints_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The endpoint overrides named in ``environ``, keyed by botocore service name (module docstring)."""
    endpoints: dict[str, str] = {}
    default = environ.get("AWS_ENDPOINT_URL")
    if default:
        endpoints[DEFAULT_ENDPOINT_KEY] = default
    # Lowest precedence first: later assignments win.
    for key, url in environ.items():
        if url and key.startswith("AWS_ENDPOINT_URL_"):
            service = _service_from_variable(key.removeprefix("AWS_ENDPOINT_URL_"))
            if service:
                endpoints[service] = url
    for key, url in environ.items():
        if url and key.endswith("_ENDPOINT") and key not in STEP_FUNCTIONS_LOCAL_VARIABLES:
            service = _service_from_variable(key.removesuffix("_ENDPOINT"))
            if service:
                endpoints[service] = url
    for key, service in STEP_FUNCTIONS_LOCAL_VARIABLES.items():
        if environ.get(key):
            endpoints[service] = environ[key]
    return endpoints


def _service_from_variable(name: str) -> str | None:
    """The botocore service a variable's service part names (``ACM_PCA`` -> ``acm-pca``,
    ``EVENTBRIDGE`` -> ``events``, ``SFN`` -> ``stepfunctions``), or None."""
    dashed = name.lower().replace("_", "-")
    if dashed in available_services():
        return dashed
    service = sdk_service(name.lower().replace("_", ""))
    return service.botocore_name if service else None


def _botocore_name(key: str) -> str:
    if key == DEFAULT_ENDPOINT_KEY or key in available_services():
        return key
    service = sdk_service(key)
    return service.botocore_name if service else key
