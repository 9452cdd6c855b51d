"""A state machine's versions and aliases as its page shows them, read through the API: each
version with its description, each alias with the versions it routes to and their weights."""

from __future__ import annotations

from typing import Any

from stepwell.console.web import Web, when

SHOWN = 50  # the newest versions and the first aliases a page lists


async def versions_and_aliases(web: Web, machine_arn: str) -> dict[str, list[dict[str, Any]]]:
    versions: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    if not web.can("ListStateMachineVersions", stateMachineArn=machine_arn):
        return {"versions": versions, "aliases": aliases}  # a principal that may not list them
    listed = await web.call("ListStateMachineVersions", stateMachineArn=machine_arn, maxResults=SHOWN)
    for item in listed["stateMachineVersions"]:
        arn = item["stateMachineVersionArn"]
        described = await web.call("DescribeStateMachine", stateMachineArn=arn)
        versions.append(
            {
                "number": arn.rsplit(":", 1)[1],
                "arn": arn,
                "description": described.get("description") or "",
                "created": when(item["creationDate"]),
            }
        )
    named = await web.call("ListStateMachineAliases", stateMachineArn=machine_arn, maxResults=SHOWN)
    for item in named["stateMachineAliases"]:
        alias = await web.call("DescribeStateMachineAlias", stateMachineAliasArn=item["stateMachineAliasArn"])
        aliases.append(
            {
                "name": alias["name"],
                "arn": alias["stateMachineAliasArn"],
                "description": alias.get("description") or "",
                "routes": [
                    {"version": route["stateMachineVersionArn"].rsplit(":", 1)[1], "weight": route["weight"]}
                    for route in alias["routingConfiguration"]
                ],
                "updated": when(alias.get("updateDate")),
            }
        )
    return {"versions": versions, "aliases": aliases}
