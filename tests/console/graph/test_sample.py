"""The generated definitions the graph is measured and tested on: exact size, valid, deterministic."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from stepwell.asl.validate import validate_definition
from stepwell.console.graph.sample import mixed_definition


def all_states(program: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, state in program["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from all_states(branch)
        if "ItemProcessor" in state:
            yield from all_states(state["ItemProcessor"])


@pytest.mark.parametrize("size", [3, 4, 10, 31, 200])
def test_exactly_the_number_of_states_asked_for_and_valid(size: int) -> None:
    definition = mixed_definition(size)
    assert len(list(all_states(definition))) == size
    assert [d for d in validate_definition(definition) if d.severity == "ERROR"] == []


def test_fewer_than_three_states_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^a mixed definition has at least 3 states$"):
        mixed_definition(2)


def test_the_same_size_gives_the_same_definition() -> None:
    assert mixed_definition(57) == mixed_definition(57)
    assert mixed_definition(57) != mixed_definition(58)


def test_the_default_is_200_states_of_every_kind() -> None:
    definition = mixed_definition()
    assert definition["Comment"] == "A generated 200-state workflow"
    kinds = Counter(state["Type"] for _, state in all_states(definition))
    assert set(kinds) == {"Task", "Pass", "Choice", "Wait", "Parallel", "Map", "Fail", "Succeed"}
    assert sum(kinds.values()) == 200


def test_a_small_definition_is_padded_with_passes() -> None:
    # Too small for a segment and its error handler: passes straight to the end.
    assert list(mixed_definition(4)["States"]) == ["Pad 0", "Pad 1", "Pad 2", "Finished"]
    # One Task chain (3), its handler (2) and the end (1), padded to 8.
    definition = mixed_definition(8)
    assert definition["StartAt"] == "Pad 0"
    assert definition["States"]["Pad 0"] == {"Type": "Pass", "Next": "Pad 1"}
    assert definition["States"]["Pad 1"] == {"Type": "Pass", "Next": "S0 Load"}
    assert definition["States"]["Finished"] == {"Type": "Succeed"}
    assert definition["States"]["Block 0 fail"] == {
        "Type": "Fail",
        "Error": "BlockFailed",
        "Cause": "block 0",
    }
