"""State machine aliases over HTTP, beyond the recorded cases (tests/conformance/test_api_cases.py
runs those): executions routed by weight and described and listed with their alias, the
refusals, and an alias's end with its machine."""

from __future__ import annotations

import json
from typing import Any

from tests.server.support import ROLE, aws_error, dumps, run, unique
from tests.server.test_versions import ONE, TWO, published


def two_versions(sfn: Any) -> tuple[str, str, str]:
    machine, v1 = published(sfn, ONE)
    sfn.update_state_machine(stateMachineArn=machine, definition=dumps(TWO))
    v2 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    return machine, v1, v2


def test_executions_on_an_alias_run_the_versions_it_routes_to_by_weight(sfn: Any) -> None:
    machine, v1, v2 = two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name=unique("live"),
        routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 50},
            {"stateMachineVersionArn": v2, "weight": 50},
        ],
    )["stateMachineAliasArn"]
    outputs = []
    for _ in range(40):
        described = run(sfn, alias)
        assert described["stateMachineAliasArn"] == alias
        assert described["stateMachineVersionArn"] in (v1, v2)
        outputs.append(json.loads(described["output"]))
    assert set(outputs) == {1, 2}  # both routes taken (one of them 40 times in a row: p = 2e-12)
    listed = sfn.list_executions(stateMachineArn=alias, maxResults=100)["executions"]
    assert len(listed) == 40 and all(e["stateMachineAliasArn"] == alias for e in listed)
    assert len(sfn.list_executions(stateMachineArn=machine, maxResults=100)["executions"]) == 40

    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]
    )
    assert json.loads(run(sfn, alias)["output"]) == 2
    with aws_error("ConflictException"):
        sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)  # no longer routed to


def test_alias_refusals_name_what_is_wrong(sfn: Any) -> None:
    machine, v1, _ = two_versions(sfn)
    _, w1 = published(sfn)
    with aws_error(
        "ValidationException",
        f"Routing configuration must contain versions of one state machine. Received: [{v1}, {w1}]",
    ):
        sfn.create_state_machine_alias(
            name=unique("a"),
            routingConfiguration=[
                {"stateMachineVersionArn": v1, "weight": 50},
                {"stateMachineVersionArn": w1, "weight": 50},
            ],
        )
    with aws_error("ResourceNotFound"):
        sfn.create_state_machine_alias(
            name=unique("a"), routingConfiguration=[{"stateMachineVersionArn": f"{machine}:9", "weight": 100}]
        )
    with aws_error("ResourceNotFound"):
        sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine}:nothing")
    with aws_error("ResourceNotFound"):
        sfn.start_execution(stateMachineArn=f"{machine}:nothing")


def test_deleting_a_machine_deletes_its_aliases(sfn: Any) -> None:
    machine, v1 = published(sfn)
    alias = sfn.create_state_machine_alias(
        name=unique("a"), routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )
    assert [
        a["stateMachineAliasArn"]
        for a in sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]
    ] == [alias["stateMachineAliasArn"]]
    sfn.delete_state_machine(stateMachineArn=machine)
    with aws_error("ResourceNotFound"):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])


def test_a_machine_has_at_most_a_hundred_aliases(sfn: Any) -> None:
    machine = sfn.create_state_machine(
        name=unique("aliases-quota"), definition=dumps(ONE), roleArn=ROLE, publish=True
    )
    routing = [{"stateMachineVersionArn": machine["stateMachineVersionArn"], "weight": 100}]
    for index in range(100):
        sfn.create_state_machine_alias(name=f"a{index}", routingConfiguration=routing)
    with aws_error("ServiceQuotaExceededException") as refused:
        sfn.create_state_machine_alias(name="one-more", routingConfiguration=routing)
    assert "maximum of 100 aliases" in refused.value.response["Error"]["Message"]


def test_creating_an_identical_machine_again_with_publish_answers_its_version(sfn: Any) -> None:
    name = unique("again")
    first = sfn.create_state_machine(name=name, definition=dumps(ONE), roleArn=ROLE, publish=True)
    again = sfn.create_state_machine(name=name, definition=dumps(ONE), roleArn=ROLE, publish=True)
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["stateMachineVersionArn"] == first["stateMachineVersionArn"]
    assert "stateMachineVersionArn" not in sfn.create_state_machine(
        name=name, definition=dumps(ONE), roleArn=ROLE
    )
