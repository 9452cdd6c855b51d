"""``eks:call``: one request to a cluster's Kubernetes API server (integrations.md §2.9).

Parameters: ``ClusterName``, ``CertificateAuthority`` (the cluster's CA, base64 as DescribeCluster
gives it: the only one trusted), ``Endpoint`` (the API server's URL), ``Method`` (GET, POST, PUT,
DELETE, HEAD, PATCH), ``Path``, ``QueryParameters`` (name -> list of strings), ``RequestBody``
(JSON or a string). The request carries the bearer token EKS's IAM authenticator reads: a presigned
STS GetCallerIdentity URL naming the cluster in ``x-k8s-aws-id`` (``k8s-aws-v1.`` + base64url),
made with stepwell's AWS credentials. The Endpoint goes through http:invoke's allow-list (a local
API server needs ``--http-allow``).

Output ``{ResponseBody, StatusCode, StatusText, Headers}`` (the full list of fields is
unconfirmed); a status outside 2xx fails with ``EKS.<status>`` and the cause
``{ResponseBody, StatusCode, StatusText}`` as JSON ([DG23:connect-eks]).
"""

from __future__ import annotations

import base64
import binascii
import json

import httpx

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.http_shapes import (
    body_bytes,
    pairs,
    response_output,
    runtime_error,
)
from stepwell.runtime.invokers.optimized.spec import Calls, Json

METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH")
STS_GET_CALLER_IDENTITY = "https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
TOKEN_SECONDS = 60  # aws-iam-authenticator accepts tokens presigned for up to 15 minutes


def kubernetes_call(params: Json, calls: Calls) -> Json:
    method = params.get("Method")
    if method not in METHODS:
        raise runtime_error(f"The field 'Method' must be one of {', '.join(METHODS)}, not {method!r}.")
    cluster = params.get("ClusterName")
    endpoint = params.get("Endpoint")
    if not isinstance(cluster, str) or not isinstance(endpoint, str) or not endpoint:
        raise runtime_error(
            "eks:call needs 'ClusterName' and 'Endpoint' (DescribeCluster's Cluster.Endpoint)."
        )
    path = params.get("Path") or "/"
    url = httpx.URL(
        endpoint.rstrip("/") + "/" + str(path).lstrip("/"), params=pairs(params, "QueryParameters")
    )
    content, content_type = body_bytes(params.get("RequestBody"))
    headers = {"Authorization": f"Bearer {_token(calls, cluster)}", "Accept": "application/json"}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        response = calls.http(
            method,
            str(url),
            ca_pem=_ca_pem(params.get("CertificateAuthority")),
            headers=headers,
            content=content,
        )
    except httpx.HTTPError as failed:
        raise TaskError(
            "EKS.SdkClientException", f"Unable to execute HTTP request: {type(failed).__name__}: {failed}"
        ) from None
    output = response_output(response)
    if not response.is_success:
        cause = {key: output[key] for key in ("ResponseBody", "StatusCode", "StatusText")}
        raise TaskError(f"EKS.{response.status_code}", json.dumps(cause, separators=(",", ":")))
    return output


def _token(calls: Calls, cluster: str) -> str:
    sts = STS_GET_CALLER_IDENTITY.format(region=calls.region)
    url = calls.presigned_url("sts", sts, {"x-k8s-aws-id": cluster}, TOKEN_SECONDS)
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def _ca_pem(certificate_authority: object) -> str | None:
    """The PEM text of DescribeCluster's ``CertificateAuthority.Data`` (given as is, or as
    ``{Data}``); None when there is none (then the system's CA bundle is trusted)."""
    if isinstance(certificate_authority, dict):
        certificate_authority = certificate_authority.get("Data")
    if not certificate_authority:
        return None
    if not isinstance(certificate_authority, str):
        raise runtime_error("The field 'CertificateAuthority' must be the cluster's base64 certificate data.")
    try:
        return base64.b64decode(certificate_authority, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise runtime_error("The field 'CertificateAuthority' is not base64 PEM data.") from None
