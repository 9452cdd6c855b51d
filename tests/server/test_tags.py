"""Tags over HTTP (reference §9.5): TagResource, UntagResource, ListTagsForResource on state
machines and activities; at most 50 tags; ResourceNotFound; InvalidArn."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.support import ACCOUNT_PREFIX, PASS, ROLE, aws_error, create_machine, dumps, unique


def _tags(sfn: Any, arn: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}


@pytest.fixture(params=["stateMachine", "activity"])
def resource(request: pytest.FixtureRequest, sfn: Any) -> str:
    if request.param == "stateMachine":
        return create_machine(sfn, PASS)
    return str(sfn.create_activity(name=unique("tagged"))["activityArn"])


def test_tag_list_untag(sfn: Any, resource: str) -> None:
    assert _tags(sfn, resource) == {}
    sfn.tag_resource(
        resourceArn=resource, tags=[{"key": "team", "value": "data"}, {"key": "env", "value": "dev"}]
    )
    assert _tags(sfn, resource) == {"team": "data", "env": "dev"}

    sfn.tag_resource(resourceArn=resource, tags=[{"key": "env", "value": "prod"}])  # overwrites
    assert _tags(sfn, resource) == {"team": "data", "env": "prod"}

    sfn.untag_resource(resourceArn=resource, tagKeys=["team", "not-there"])
    assert _tags(sfn, resource) == {"env": "prod"}


def test_tags_given_at_creation(sfn: Any) -> None:
    tags = [{"key": "owner", "value": "me"}, {"key": "empty", "value": ""}]
    machine = sfn.create_state_machine(
        name=unique("tagged"), definition=dumps(PASS), roleArn=ROLE, tags=tags
    )["stateMachineArn"]
    activity = sfn.create_activity(name=unique("tagged"), tags=tags)["activityArn"]
    assert _tags(sfn, machine) == _tags(sfn, activity) == {"owner": "me", "empty": ""}


def test_too_many_tags(sfn: Any, resource: str) -> None:
    sfn.tag_resource(resourceArn=resource, tags=[{"key": f"k{i}", "value": "v"} for i in range(49)])
    sfn.tag_resource(
        resourceArn=resource, tags=[{"key": "k0", "value": "again"}, {"key": "k49", "value": "v"}]
    )
    assert len(_tags(sfn, resource)) == 50
    with aws_error("TooManyTags"):
        sfn.tag_resource(resourceArn=resource, tags=[{"key": "k50", "value": "v"}])
    assert len(_tags(sfn, resource)) == 50


def test_too_many_tags_at_creation(sfn: Any) -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with aws_error("TooManyTags"):
        sfn.create_state_machine(name=unique("tagged"), definition=dumps(PASS), roleArn=ROLE, tags=tags)
    with aws_error("TooManyTags"):
        sfn.create_activity(name=unique("tagged"), tags=tags)


def test_resource_not_found(sfn: Any) -> None:
    for arn in (
        f"{ACCOUNT_PREFIX}:stateMachine:{unique('gone')}",
        f"{ACCOUNT_PREFIX}:activity:{unique('gone')}",
    ):
        with aws_error("ResourceNotFound"):
            sfn.list_tags_for_resource(resourceArn=arn)
        with aws_error("ResourceNotFound"):
            sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "b"}])
        with aws_error("ResourceNotFound"):
            sfn.untag_resource(resourceArn=arn, tagKeys=["a"])


def test_tags_go_with_a_deleted_machine(sfn: Any) -> None:
    name = unique("retagged")
    arn = create_machine(sfn, PASS, name=name)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "old", "value": "yes"}])
    sfn.delete_state_machine(stateMachineArn=arn)
    with aws_error("ResourceNotFound"):
        sfn.list_tags_for_resource(resourceArn=arn)
    create_machine(sfn, PASS, name=name)
    assert _tags(sfn, arn) == {}


def test_invalid_arn(sfn: Any) -> None:
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.list_tags_for_resource(resourceArn="not_a_valid_arn")
