"""State machine aliases: a name (``stateMachine:<name>:<alias>``) that routes each execution
started on it to one of one or two versions of the machine, by weight. Created, described, updated,
deleted and listed; a version an alias routes to cannot be deleted."""

from __future__ import annotations

import json
import random
from typing import Any

from stepwell.arns import STATE_MACHINE, state_machine_alias_arn
from stepwell.errors import MAX_REPORTED, ServiceError, violations_message
from stepwell.runtime.batch import Batch
from stepwell.runtime.store.protocol import Reads
from stepwell.runtime.store.records import AliasRecord
from stepwell.service.core import Core, arn_of, unqualified_machine_arn

NOT_FOUND = "Request references a resource that does not exist."
CREATE_CONFLICT = (
    "Failed to create alias because an alias with the same name and a different routing configuration "
    "already exists."
)


def alias_parts(arn: str) -> tuple[str, str]:
    """(machine ARN, alias name) of an alias ARN (InvalidArn for any other ARN)."""
    parsed = arn_of(arn, STATE_MACHINE)
    if not parsed.is_alias or parsed.label is not None:
        raise ServiceError("InvalidArn", f"Invalid Arn: 'Alias ARN expected: {arn}'")
    return parsed.unqualified, str(parsed.qualifier)


def routing_of(alias: AliasRecord) -> list[dict[str, Any]]:
    routing: list[dict[str, Any]] = json.loads(alias.routing)
    return routing


def routed_version(alias: AliasRecord) -> str:
    """The ARN of the version an execution started on the alias runs: drawn by weight."""
    point = random.random() * 100
    routes = routing_of(alias)
    for route in routes:
        point -= route["weight"]
        if point < 0:
            return str(route["stateMachineVersionArn"])
    return str(routes[-1]["stateMachineVersionArn"])


def aliases_of_version(db: Reads, machine_arn: str, number: int) -> list[str]:
    """The names of the machine's aliases that route to the version."""
    wanted = f"{machine_arn}:{number}"
    names, after = [], ""
    while page := db.aliases(machine_arn, after, 100):
        names += [a.name for a in page if any(r["stateMachineVersionArn"] == wanted for r in routing_of(a))]
        after = page[-1].name
    return names


def _present(routing: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The routing's items; the model requires both members of each, but lets a null item through:
    refused as Coral refuses a missing member."""
    missing = [
        f"Value null at 'routingConfiguration.{index}.member.{member}' failed to satisfy constraint: "
        "Member must not be null"
        for index, route in enumerate(routing, 1)
        for member in ("stateMachineVersionArn", "weight")
        if route is None or route.get(member) is None
    ]
    if missing:
        raise ServiceError("ValidationException", violations_message(missing[:MAX_REPORTED]))
    return [route for route in routing if route is not None]


def _checked_routing(db: Reads, given: list[dict[str, Any] | None]) -> tuple[str, list[dict[str, Any]]]:
    """The machine the routing's versions belong to, and the routing as stored; AWS's refusals."""
    routing = _present(given)
    arns = [str(route["stateMachineVersionArn"]) for route in routing]
    parsed = [arn_of(arn, STATE_MACHINE) for arn in arns]
    if not all(p.is_version and p.label is None for p in parsed):
        raise ServiceError(
            "ValidationException",
            f"Routing configuration must contain state machine version ARNs. Received: [{', '.join(arns)}]",
        )
    if len(set(arns)) != len(arns):
        raise ServiceError(
            "ValidationException",
            "Routing configuration must contain distinct state machine version ARNs. "
            f"Received: [{', '.join(arns)}]",
        )
    weights = [int(route["weight"]) for route in routing]
    if sum(weights) != 100:
        received = ", ".join(str(w) for w in weights)
        raise ServiceError(
            "ValidationException",
            f"Sum of routing configuration weights must equal 100. Received: [{received}]",
        )
    machines = {p.unqualified for p in parsed}
    if len(machines) != 1:
        raise ServiceError(
            "ValidationException",
            "Routing configuration must contain versions of one state machine. "
            f"Received: [{', '.join(arns)}]",
        )
    machine_arn = machines.pop()
    for p in parsed:
        if db.version(machine_arn, int(p.qualifier or 0)) is None:
            raise ServiceError("ResourceNotFound", NOT_FOUND)
    return machine_arn, [
        {"stateMachineVersionArn": a, "weight": w} for a, w in zip(arns, weights, strict=True)
    ]


# "Maximum number of aliases per state machine: 100" (Step Functions quotas); AWS's message for
# reaching it is not recorded anywhere we know of.
MAX_ALIASES = 100


class Aliases:
    def __init__(self, core: Core):
        self.core = core

    def alias_of(self, arn: str, db: Reads | None = None) -> AliasRecord:
        """The alias an alias ARN names (ResourceNotFound when there is none)."""
        machine_arn, name = alias_parts(arn)
        alias = (db or self.core.db).alias(machine_arn, name)
        if alias is None:
            raise ServiceError("ResourceNotFound", NOT_FOUND)
        return alias

    async def create(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["name"]
        description = request.get("description")
        now = self.core.runtime.clock

        def create_alias(batch: Batch) -> dict[str, Any]:
            machine_arn, routing = _checked_routing(batch.db, request["routingConfiguration"])
            stored = json.dumps(routing)
            existing = batch.db.alias(machine_arn, name)
            if existing is not None:
                if existing.routing != stored or existing.description != description:
                    raise ServiceError("ConflictException", CREATE_CONFLICT)
                return {
                    "stateMachineAliasArn": state_machine_alias_arn(machine_arn, name),
                    "creationDate": existing.created,
                }
            if len(batch.db.aliases(machine_arn, "", MAX_ALIASES)) >= MAX_ALIASES:
                raise ServiceError(
                    "ServiceQuotaExceededException",
                    f"The state machine '{machine_arn}' has the maximum of {MAX_ALIASES} aliases.",
                )
            created = now()
            batch.db.put_alias(AliasRecord(machine_arn, name, description, stored, created, created))
            return {
                "stateMachineAliasArn": state_machine_alias_arn(machine_arn, name),
                "creationDate": created,
            }

        return await self.core.write(create_alias)

    async def describe(self, request: dict[str, Any]) -> dict[str, Any]:
        alias = self.alias_of(request["stateMachineAliasArn"])
        described: dict[str, Any] = {
            "stateMachineAliasArn": state_machine_alias_arn(alias.machine_arn, alias.name),
            "name": alias.name,
            "routingConfiguration": routing_of(alias),
            "creationDate": alias.created,
            "updateDate": alias.updated,
        }
        if alias.description is not None:
            described["description"] = alias.description
        return described

    async def update(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineAliasArn"]
        if request.get("description") is None and request.get("routingConfiguration") is None:
            raise ServiceError(
                "MissingRequiredParameter",
                "Either the description or the RoutingConfiguration must be specified",
            )
        now = self.core.runtime.clock

        def update_alias(batch: Batch) -> dict[str, Any]:
            alias = self.alias_of(arn, batch.db)
            routing = alias.routing
            if request.get("routingConfiguration") is not None:
                machine_arn, checked = _checked_routing(batch.db, request["routingConfiguration"])
                if machine_arn != alias.machine_arn:
                    raise ServiceError(
                        "ValidationException",
                        "Routing configuration must contain versions of the alias's state machine",
                    )
                routing = json.dumps(checked)
            description = request.get("description", alias.description)
            updated = now()
            batch.db.put_alias(
                AliasRecord(alias.machine_arn, alias.name, description, routing, alias.created, updated)
            )
            return {"updateDate": updated}

        return await self.core.write(update_alias)

    async def delete(self, request: dict[str, Any]) -> dict[str, Any]:
        machine_arn, name = alias_parts(request["stateMachineAliasArn"])

        def delete_alias(batch: Batch) -> dict[str, Any]:
            batch.db.delete_alias(machine_arn, name)  # an alias gone already: nothing to do
            return {}

        return await self.core.write(delete_alias)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = unqualified_machine_arn(request["stateMachineArn"])
        db = self.core.db
        if db.state_machine(arn) is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        page, token = self.core.page(
            "ListStateMachineAliases",
            arn,
            request,
            lambda after, n: db.aliases(arn, after, n),
            lambda a: a.name,
            start="",
        )
        return {
            "stateMachineAliases": [
                {"stateMachineAliasArn": state_machine_alias_arn(arn, a.name), "creationDate": a.created}
                for a in page
            ],
            "nextToken": token,
        }
