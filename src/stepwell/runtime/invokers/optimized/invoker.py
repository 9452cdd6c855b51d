"""Carries out the optimized integrations of table.py through boto3: the call, and for ``.sync``
the polling and the cancelling of the job it started.

Unlike aws-sdk, these are shaped by Step Functions (integrations.md §0, from runs recorded against
AWS): parameters in PascalCase matched to the API's members (aws_shapes.to_request), results in
PascalCase with timestamps as epoch milliseconds, and ``SdkHttpMetadata`` / ``SdkResponseMetadata``
added to a request-response result and to the TaskSubmitted output of ``.sync`` and
``.waitForTaskToken`` calls ("Not present in events:putEvents ... nor in the final output of
``.sync`` tasks"). Errors are worded as the AWS SDK for Java 1.x words them
(aws_errors.optimized_error); a ``.sync`` job that ends in a failure fails the task with
``States.TaskFailed`` and the job's final Describe, as JSON text, for its cause.

A row with its own ``call`` (EMR's ...ByName resources, apigateway:invoke, eks:call) is given
``RowCalls``: the row's API, and HTTP through the transport of ``http:invoke`` (http_transport.py)
with the same allow-list, except for a URL built from an endpoint the operator configured for the
service (``APIGATEWAY_ENDPOINT``), which is called as configured.

With ``.waitForTaskToken`` the call is made the same way; waiting for the token is the runtime's,
and so is the timing of ``.sync``'s polls (runtime/sync_jobs.py).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import ssl
import threading
from typing import Any

import httpx
from botocore import xform_name
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError, ClientError

from stepwell.asl.resources import SYNC, TaskResource
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.aws_errors import optimized_error
from stepwell.runtime.invokers.aws_shapes import ParameterError, epoch_millis, from_response, to_request
from stepwell.runtime.invokers.base import JobEnded, JobRunning, JobStarted, JobState, TaskCall, TaskError
from stepwell.runtime.invokers.http_allow import AllowList
from stepwell.runtime.invokers.http_transport import EndpointRefused, PolicyTransport
from stepwell.runtime.invokers.optimized.http_metadata import LastHttpResponse
from stepwell.runtime.invokers.optimized.spec import Integration, Json, dig
from stepwell.runtime.invokers.optimized.table import integration

log = logging.getLogger("stepwell.tasks")


class AwsOptimizedInvoker:
    """The optimized integrations, through ``clients``."""

    def __init__(self, clients: AwsClients, http_allow: AllowList | None = None, timeout: float = 60.0):
        self.clients = clients
        self._responses = LastHttpResponse()
        self._http_allow = http_allow or AllowList()
        self._timeout = timeout
        self._http_clients: dict[tuple[bool, str | None], httpx.Client] = {}
        self._http_lock = threading.Lock()

    def close(self) -> None:
        for client in self._http_clients.values():
            client.close()

    def invoke(self, call: TaskCall) -> Any:
        spec = self._spec(call.resource)
        _, output = self._call(spec, call)
        return self._with_metadata(spec, output)

    # ---- .sync --------------------------------------------------------------------------------
    def runs_job(self, resource: TaskResource) -> bool:
        found = integration(resource.service, resource.action, resource.pattern)
        return found is not None and found.sync is not None and resource.pattern == SYNC

    def start_job(self, call: TaskCall) -> JobStarted:
        spec = self._spec(call.resource)
        assert spec.sync is not None
        request, output = self._call(spec, call)
        handle = spec.sync.handle(request, output)
        return JobStarted(self._with_metadata(spec, output), handle)

    def poll_job(self, resource: TaskResource, handle: dict[str, Any]) -> JobState:
        spec = self._spec(resource)
        job_spec = spec.sync
        assert job_spec is not None
        try:
            if job_spec.poll is not None:
                answer = job_spec.poll(handle, RowCalls(self, spec, None))
            else:
                answer = self._botocore(spec, job_spec.describe, handle)
        except TaskError as refused:
            if (
                job_spec.gone is not None
                and refused.error == f"{spec.names.prefix}.ResourceNotFoundException"
            ):
                return JobEnded(output=job_spec.gone(handle))
            raise
        job = dig(answer, job_spec.job_at) if job_spec.job_at else answer
        if not isinstance(job, dict):  # the service no longer knows the job
            raise TaskError(
                "States.TaskFailed",
                f"{job_spec.describe} did not describe the job {json.dumps(handle)}: {json.dumps(answer)}",
            )
        status = dig(job, job_spec.status_at)
        if status not in job_spec.terminal:
            return JobRunning()
        output = job_spec.output(job, handle) if job_spec.output else job
        failed = status in job_spec.failed or (job_spec.failed_when is not None and job_spec.failed_when(job))
        if failed:
            return JobEnded(error="States.TaskFailed", cause=json.dumps(output, separators=(",", ":")))
        return JobEnded(output=output)

    def cancel_job(self, resource: TaskResource, handle: dict[str, Any]) -> None:
        spec = self._spec(resource)
        job_spec = spec.sync
        if job_spec is None or job_spec.cancel is None:
            return  # EMR clusters, say: "not terminated on stop" (§2.7)
        params = job_spec.cancel_params(handle) if job_spec.cancel_params else handle
        try:
            self._botocore(spec, job_spec.cancel, params)
        except TaskError as refused:  # "may fail silently" (§1.7)
            log.warning("could not cancel %s %s: %s", resource.arn, handle, refused.cause)

    # ---- the calls ------------------------------------------------------------------------------
    def _spec(self, resource: TaskResource) -> Integration:
        spec = integration(resource.service, resource.action, resource.pattern)
        if spec is None:
            raise TaskError("States.Runtime", f"stepwell does not support the resource '{resource.arn}'.")
        return spec

    def _call(self, spec: Integration, call: TaskCall) -> tuple[Json, Json]:
        """The request sent (the API's member names) and the task output of its response."""
        payload = call.payload if isinstance(call.payload, dict) else {}
        prepared = spec.prepare(payload, call.execution_arn, call.resource.pattern)
        if spec.call is not None:
            return prepared, spec.call(prepared, RowCalls(self, spec, call.timeout_seconds))
        request = self.shaped(spec, spec.operation, prepared)
        output = self._botocore(spec, spec.operation, request, keep_metadata=True)
        if spec.refuse is not None:
            answer = {key: value for key, value in output.items() if key != "ResponseMetadata"}
            failure = spec.refuse(answer, call.resource.pattern)
            if failure is not None:
                raise failure
        if spec.respond is not None:
            meta = output.pop("ResponseMetadata", None)
            output = spec.respond(request, output)
            if meta is not None:
                output["ResponseMetadata"] = meta
        return request, output

    def shaped(self, spec: Integration, operation_name: str, prepared: Json) -> Json:
        """The request of ``operation_name`` for the task's ``prepared`` parameters."""
        if not spec.shaped:
            return {key: value for key, value in prepared.items() if value is not None}
        client = self.clients.client(spec.botocore_service)
        operation = client.meta.service_model.operation_model(operation_name)
        try:
            return to_request(operation.input_shape, prepared)
        except ParameterError as bad:
            raise TaskError(
                f"{spec.names.prefix}.{spec.names.base_exception}",
                f"{bad} (Service: {spec.names.service}; Status Code: 400; "
                "Error Code: ValidationException; Request ID: null; Proxy: null)",
            ) from None

    def http_client(self, configured: bool, ca_pem: str | None = None) -> httpx.Client:
        """The httpx client for a URL the allow-list judges, or (``configured``) one built from
        an endpoint override, which the operator named and so is called wherever it is;
        ``ca_pem``: the only certificate authority to trust (an EKS cluster's)."""
        key = (configured, ca_pem)
        with self._http_lock:
            client = self._http_clients.get(key)
            if client is None:
                allow = AllowList(["*"]) if configured else self._http_allow
                tls = ssl.create_default_context(cadata=ca_pem) if ca_pem else None
                # As for http:invoke: redirects are not followed, a 3xx is an answer.
                client = httpx.Client(
                    transport=PolicyTransport(allow, tls=tls), timeout=self._timeout, follow_redirects=False
                )
                self._http_clients[key] = client
            return client

    def _with_metadata(self, spec: Integration, output: Json) -> Json:
        meta = output.pop("ResponseMetadata", None) or {}
        if spec.with_http_metadata:
            output.update(self._responses.metadata(meta))
        return output

    def _botocore(
        self, spec: Integration, operation_name: str, params: Json, keep_metadata: bool = False
    ) -> Json:
        """The API's answer as task output (PascalCase, epoch-millisecond timestamps); with
        ``keep_metadata``, botocore's ResponseMetadata stays under that key for the caller."""
        client = self.clients.client(spec.botocore_service)
        self._responses.watch(client)
        operation = client.meta.service_model.operation_model(operation_name)
        try:
            result = getattr(client, xform_name(operation_name))(**params)
        except (ClientError, BotoCoreError) as error:
            raise optimized_error(spec.names, error) from None
        output = from_response(operation.output_shape, result, epoch_millis)
        if keep_metadata:
            output["ResponseMetadata"] = result.get("ResponseMetadata") or {}
        return output


class RowCalls:
    """The ``Calls`` a row's own ``call`` gets (spec.Calls)."""

    def __init__(self, invoker: AwsOptimizedInvoker, spec: Integration, timeout_seconds: float | None):
        self._invoker = invoker
        self._spec = spec
        self._timeout = timeout_seconds

    def aws(self, operation: str, params: Json, service: str | None = None) -> Json:
        spec = self._spec if service is None else dataclasses.replace(self._spec, botocore_service=service)
        request = self._invoker.shaped(spec, operation, params)
        return self._invoker._botocore(spec, operation, request, keep_metadata=True)

    def endpoint_url(self, service: str) -> str | None:
        return self._invoker.clients.endpoints.get(service)

    def signed(
        self, service: str, region: str, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        credentials = self._invoker.clients.credentials()
        if credentials is None:
            raise TaskError("States.Runtime", f"No AWS credentials to sign the {service} request with.")
        request = AWSRequest(method=method, url=url, headers=headers, data=body or b"")
        SigV4Auth(credentials.get_frozen_credentials(), service, region).add_auth(request)
        return dict(request.headers.items())

    @property
    def region(self) -> str:
        return self._invoker.clients.region

    def presigned_url(self, service: str, url: str, headers: dict[str, str], expires: int) -> str:
        credentials = self._invoker.clients.credentials()
        if credentials is None:
            raise TaskError("States.Runtime", f"No AWS credentials to sign the {service} request with.")
        request = AWSRequest(method="GET", url=url, headers=headers)
        region = self._invoker.clients.region
        SigV4QueryAuth(credentials.get_frozen_credentials(), service, region, expires=expires).add_auth(
            request
        )
        return str(request.url)

    def http(
        self, method: str, url: str, configured: bool = False, ca_pem: str | None = None, **options: Any
    ) -> Any:
        client = self._invoker.http_client(configured, ca_pem)
        timeout = min(client.timeout.read or 60.0, self._timeout or 60.0)
        try:
            return client.request(method, url, timeout=timeout, **options)
        except EndpointRefused as refused:
            failure = TaskError("States.Permissions", refused.cause)
        raise failure
