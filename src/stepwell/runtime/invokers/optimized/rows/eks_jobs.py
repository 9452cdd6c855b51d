"""``eks:runJob``: a Kubernetes Job created through the cluster's API server and, with ``.sync``,
followed to its end (integrations.md §2.9).

Parameters: ``ClusterName``, ``CertificateAuthority``, ``Endpoint`` (as eks:call's), ``Namespace``
(default ``default``), ``Job`` (the ``batch/v1`` Job, JSON or its text), ``LogOptions``
``{RetrieveLogs (default false), RawLogs (default false: each log is parsed as JSON),
LogParameters (name -> list, e.g. tailLines)}``.

The Job is POSTed to ``/apis/batch/v1/namespaces/<namespace>/jobs``; the output is the Job as the
API server answers it (lower-case Kubernetes fields). ``.sync`` GETs the Job until a ``Complete``
or ``Failed`` condition is ``"True"``; its output is the Job as last read, plus ``logs`` when
``RetrieveLogs`` is set: ``logs.pods.<pod>.containers.<container>.log`` for each pod the Job
made (``job-name=<name>``), with ``error`` and ``cause`` in place of ``log`` when a log could not
be read (§2.9). A Failed Job fails the task with States.TaskFailed and that output as its cause.
AWS polls about once a minute, then once every five (§2.9); here the runtime's cadence applies.
What AWS does to the Job when the task is abandoned is unconfirmed: nothing is deleted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.eks_call import kubernetes_call
from stepwell.runtime.invokers.optimized.rows.http_shapes import runtime_error
from stepwell.runtime.invokers.optimized.spec import Calls, Json, SyncJob

CLUSTER_FIELDS = ("ClusterName", "CertificateAuthority", "Endpoint")
RUNNING, COMPLETE, FAILED = "Running", "Complete", "Failed"


def run_job(params: Json, calls: Calls) -> Json:
    namespace = _namespace(params)
    job = params.get("Job")
    if isinstance(job, str):
        try:
            job = json.loads(job)
        except ValueError:
            raise runtime_error("The field 'Job' must be a Kubernetes Job, as JSON or its text.") from None
    if not isinstance(job, dict):
        raise runtime_error("The field 'Job' must be a Kubernetes Job, as JSON or its text.")
    created = _request(params, calls, "POST", f"/apis/batch/v1/namespaces/{namespace}/jobs", body=job)
    return created if isinstance(created, dict) else {"Job": created}


def _namespace(params: Json) -> str:
    namespace = params.get("Namespace") or "default"
    if not isinstance(namespace, str):
        raise runtime_error("The field 'Namespace' must be a string.")
    return quote(namespace, safe="")


def _request(
    cluster: Json, calls: Calls, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None
) -> Any:
    """The ResponseBody of one Kubernetes API request (a status outside 2xx raises EKS.<status>)."""
    params: Json = {key: cluster.get(key) for key in CLUSTER_FIELDS}
    params |= {"Method": method, "Path": path}
    if body is not None:
        params["RequestBody"] = body
    if query:
        params["QueryParameters"] = query
    return kubernetes_call(params, calls)["ResponseBody"]


def _handle(request: Json, created: Json) -> Json:
    name = (created.get("metadata") or {}).get("name") if isinstance(created, dict) else None
    return {
        **{key: request.get(key) for key in CLUSTER_FIELDS},
        "Namespace": _namespace(request),
        "Name": name,
        "LogOptions": request.get("LogOptions") or {},
    }


def poll_job(handle: Json, calls: Calls) -> Json:
    """``{"State": Running | Complete | Failed, "Job": <the Job, with logs once it has ended>}``."""
    namespace, name = handle["Namespace"], quote(str(handle["Name"]), safe="")
    job = _request(handle, calls, "GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}")
    if not isinstance(job, dict):
        raise TaskError("States.TaskFailed", f"The Kubernetes API server did not describe the Job {name}.")
    state = _state(job)
    options = handle.get("LogOptions") or {}
    if state != RUNNING and options.get("RetrieveLogs"):
        job = {**job, "logs": _logs(handle, calls, options)}
    return {"State": state, "Job": job}


def _state(job: Json) -> str:
    for condition in (job.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("status") == "True":
            if condition.get("type") == COMPLETE:
                return COMPLETE
            if condition.get("type") == FAILED:
                return FAILED
    return RUNNING


def _logs(handle: Json, calls: Calls, options: Json) -> Json:
    namespace, name = handle["Namespace"], str(handle["Name"])
    listed = _request(
        handle,
        calls,
        "GET",
        f"/api/v1/namespaces/{namespace}/pods",
        query={"labelSelector": [f"job-name={name}"]},
    )
    pods: Json = {}
    for pod in (listed or {}).get("items") or []:
        pod_name = str((pod.get("metadata") or {}).get("name"))
        containers: Json = {}
        for container in (pod.get("spec") or {}).get("containers") or []:
            container_name = str(container.get("name"))
            containers[container_name] = _log(handle, calls, options, pod_name, container_name)
        pods[pod_name] = {"containers": containers}
    return {"pods": pods}


def _log(handle: Json, calls: Calls, options: Json, pod: str, container: str) -> Json:
    path = f"/api/v1/namespaces/{handle['Namespace']}/pods/{quote(pod, safe='')}/log"
    query = {"container": [container], **(options.get("LogParameters") or {})}
    try:
        text = _request(handle, calls, "GET", path, query=query)
    except TaskError as failed:
        return {"error": failed.error, "cause": failed.cause}
    if options.get("RawLogs"):  # a log that is JSON text was parsed on the way: text again
        return {"log": text if isinstance(text, str) else json.dumps(text, separators=(",", ":"))}
    if not isinstance(text, str):  # JSON: parsed already
        return {"log": text}
    try:
        return {"log": json.loads(text)}
    except ValueError:
        return {
            "error": "States.Runtime",
            "cause": "The log is not JSON (set LogOptions.RawLogs to keep it as text).",
        }


RUN_JOB = SyncJob(
    describe="",
    handle=_handle,
    job_at=(),
    status_at=("State",),
    succeeded=frozenset({COMPLETE}),
    failed=frozenset({FAILED}),
    output=lambda answer, handle: answer["Job"],
    poll=poll_job,
)
