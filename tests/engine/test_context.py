"""The context object's Map item: ``$$.Map.Item`` / ``$states.context.Map.Item``.

AWS's context object documentation: "Map.Item.Source: ... For state input, the value will be:
STATE_DATA" (reference §4: ``STATE_DATA``, ``S3://bucket``, ``S3://bucket/key``). Items taken from
the state input (ItemsPath / Items) therefore carry Source STATE_DATA next to Index and Value.
"""

from __future__ import annotations

from stepwell.engine.commands import Finish
from tests.engine.driver import Run, machine_of

ECHO = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}


def test_map_item_source_is_state_data_in_jsonpath() -> None:
    selector = {"source.$": "$$.Map.Item.Source", "item.$": "$$.Map.Item"}
    run = Run(
        machine_of({"M": {"Type": "Map", "ItemSelector": selector, "ItemProcessor": ECHO, "End": True}}),
        ["a"],
    )
    item = {"Index": 0, "Value": "a", "Source": "STATE_DATA"}
    assert run.finish == Finish("SUCCEEDED", output=[{"source": "STATE_DATA", "item": item}])


def test_map_item_source_is_state_data_in_jsonata() -> None:
    state = {
        "Type": "Map",
        "Items": "{% $states.input.list %}",
        "ItemSelector": "{% $states.context.Map.Item.Source & ':' & $states.context.Map.Item.Value %}",
        "ItemProcessor": ECHO,
        "End": True,
    }
    run = Run(machine_of({"M": state}, QueryLanguage="JSONata"), {"list": ["x", "y"]})
    assert run.finish == Finish("SUCCEEDED", output=["STATE_DATA:x", "STATE_DATA:y"])
