"""The door of the API: who signed a request (SigV4), and whether their policies allow what it asks.

The API face calls ``verify`` on every ``POST /`` before the body is read as a call, then
``authorize`` once the operation and its parameters are known (the resource comes from them). The
console calls ``authorize`` or ``allows`` for what its pages do on a signed-in principal's behalf::

    guard.authorize(principal, "StopExecution", {"executionArn": arn}, source_ip="10.0.0.7")
    if guard.allows(principal, "StartExecution", {"stateMachineArn": arn}, source_ip=ip): ...

The request context (IAM User Guide, reference_policies_condition-keys.md; reference §2.2):
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:username``, ``aws:SourceIp`` (the TCP peer:
a proxy in front must be the one allowed, X-Forwarded-For is not trusted), ``aws:CurrentTime``,
``aws:EpochTime``, ``aws:SecureTransport`` (always false: the server speaks plain HTTP),
``aws:RequestedRegion``, and the operation's keys (``operations.py``). Values are computed when a
condition asks for them; the resource's tags are read from the store at most once per request, and
only when a statement that applies so far reads an ``aws:ResourceTag/<key>``: the common path reads
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from stepwell.auth.conditions import Value
from stepwell.auth.errors import ACCESS_DENIED, AuthError
from stepwell.auth.identities import Identities, Principal
from stepwell.auth.operations import ANY_RESOURCE, Ask, ask
from stepwell.auth.policy import Decision, evaluate
from stepwell.auth.sigv4 import HttpRequest, Verifier

ResourceTags = Callable[[str], Mapping[str, str]]  # a resource's ARN -> its tags ({} if none)

_RESOURCE_TAG = "aws:resourcetag/"
_REQUEST_TAG = "aws:requesttag/"


class HoldsIdentities(Protocol):
    """What the guard reads the principals from on each request (IdentitiesFile: the file's)."""

    @property
    def current(self) -> Identities: ...


def denied_message(principal_arn: str, action: str, resource: str, decision: Decision) -> str:
    """AccessDeniedException's message (IAM User Guide, troubleshoot_access-denied.md; reference
    §2.4). Actions on no resource name none, as IAM's examples do."""
    on = f" on resource: {resource}" if resource != ANY_RESOURCE else ""
    if decision is Decision.EXPLICIT_DENY:
        why = " with an explicit deny in an identity-based policy"
    else:
        why = f" because no identity-based policy allows the {action} action"
    return f"User: {principal_arn} is not authorized to perform: {action}{on}{why}"


class RequestContext:
    """The condition keys of one request, each computed when first asked for."""

    def __init__(
        self,
        principal: Principal,
        asked: Ask,
        *,
        source_ip: str | None,
        now: float,
        region: str,
        account: str,
        resource_tags: ResourceTags,
    ):
        self.principal = principal
        self.asked = asked
        self.source_ip = source_ip
        self.now = now
        self.region = region
        self.account = account
        self._read_tags = resource_tags
        self._tags: dict[str, str] | None = None

    def __call__(self, key: str) -> Value:
        """The value of a lower-case key; None when the request has none."""
        if key.startswith(_RESOURCE_TAG):
            return self._resource_tags().get(key[len(_RESOURCE_TAG) :])
        if key.startswith(_REQUEST_TAG):
            tags = self.asked.request_tags
            wanted = key[len(_REQUEST_TAG) :]
            return next((v for k, v in tags.items() if k.lower() == wanted), None) if tags else None
        found = _GLOBAL_KEYS.get(key)
        return found(self) if found is not None else None

    def _resource_tags(self) -> dict[str, str]:
        if self._tags is None:
            arn = self.asked.tagged
            tags = self._read_tags(arn) if arn is not None else {}
            # The tag key in aws:ResourceTag/<key> is case-insensitive.
            self._tags = {key.lower(): value for key, value in tags.items()}
        return self._tags


_GLOBAL_KEYS: dict[str, Callable[[RequestContext], Value]] = {
    "aws:principalarn": lambda c: c.principal.arn,
    "aws:principalaccount": lambda c: c.account,
    "aws:principaltype": lambda c: "User",
    "aws:username": lambda c: c.principal.name,
    "aws:sourceip": lambda c: c.source_ip,
    "aws:currenttime": lambda c: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(c.now)),
    "aws:epochtime": lambda c: str(int(c.now)),
    "aws:securetransport": lambda c: "false",
    "aws:requestedregion": lambda c: c.region,
    "aws:tagkeys": lambda c: c.asked.tag_keys,
    "states:statemachinequalifier": lambda c: c.asked.qualifiers,
}


class Guard:
    """SigV4 verification and IAM authorization for one server (its region and account)."""

    def __init__(
        self,
        identities: HoldsIdentities,
        *,
        region: str,
        account: str,
        resource_tags: ResourceTags,
        partition: str = "aws",
        clock: Callable[[], float] = time.time,
    ):
        self.identities = identities
        self.region = region
        self.account = account
        self.partition = partition
        self.resource_tags = resource_tags
        self.clock = clock
        self.verifier = Verifier(region)

    def verify(self, request: HttpRequest) -> Principal:
        """The principal who signed ``request``; AuthError (MissingAuthenticationToken,
        IncompleteSignature, InvalidSignature, UnrecognizedClient) otherwise."""
        identities = self.identities.current  # one snapshot for the whole check (SIGHUP swaps it)

        def secret_of(access_key_id: str) -> str | None:
            principal = identities.by_access_key(access_key_id)
            return principal.secret.reveal() if principal is not None else None

        key = self.verifier.verify(request, secret_of, self.clock())
        principal = identities.by_access_key(key)
        assert principal is not None
        return principal

    def authorize(
        self,
        principal: Principal,
        operation: str,
        params: dict[str, Any],
        *,
        source_ip: str | None,
        now: float | None = None,
    ) -> None:
        """Return if ``principal``'s policies allow ``operation`` with ``params`` (the API's member
        names, as validated against the model), else raise AuthError("AccessDeniedException",
        AWS's message), a ServiceError. ``source_ip`` is aws:SourceIp (None: the key is absent)."""
        asked = ask(operation, params, region=self.region, account=self.account, partition=self.partition)
        context = RequestContext(
            principal,
            asked,
            source_ip=source_ip,
            now=self.clock() if now is None else now,
            region=self.region,
            account=self.account,
            resource_tags=self.resource_tags,
        )
        for action, resource in ((asked.action, asked.resource), *asked.also):
            decision = evaluate(principal.policies, action, resource, context)
            if decision is not Decision.ALLOW:
                raise AuthError(ACCESS_DENIED, denied_message(principal.arn, action, resource, decision))

    def allows(
        self,
        principal: Principal,
        operation: str,
        params: dict[str, Any],
        *,
        source_ip: str | None,
        now: float | None = None,
    ) -> bool:
        """Whether ``authorize`` would return (for showing or hiding what a principal may do)."""
        try:
            self.authorize(principal, operation, params, source_ip=source_ip, now=now)
        except AuthError:
            return False
        return True
