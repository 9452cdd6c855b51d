"""State ids: one convention shared by the graph and the execution view."""

from __future__ import annotations

from stepwell.console.graph.model import NodeKind, build_graph
from stepwell.console.ids import encode_name, index_states, scope_path, state_id

NESTED = {
    "StartAt": "Job Complete?",
    "States": {
        "Job Complete?": {"Type": "Pass", "Next": "Fan out"},
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Each item",
                    "States": {
                        "Each item": {
                            "Type": "Map",
                            "Iterator": {"StartAt": "Größe/2", "States": {"Größe/2": {"Type": "Succeed"}}},
                            "End": True,
                        }
                    },
                },
            ],
            "End": True,
        },
    },
}


def test_ids_name_the_scope_path_and_the_encoded_name() -> None:
    assert state_id("", "Check") == "Check"
    assert state_id(scope_path("Parallel", 0), "A") == "Parallel/0/A"
    assert state_id(scope_path("Map", 0), "Process") == "Map/0/Process"
    assert encode_name("Job Complete?") == "Job~20Complete~3f"
    assert encode_name("a/b") == "a~2fb"  # "/" only ever separates segments


def test_index_states_walks_branches_and_processors() -> None:
    refs = index_states(NESTED)
    assert {name: ref.id for name, ref in refs.items()} == {
        "Job Complete?": "Job~20Complete~3f",
        "Fan out": "Fan~20out",
        "A": "Fan~20out/0/A",
        "Each item": "Fan~20out/1/Each~20item",
        "Größe/2": "Fan~20out/1/Each~20item/0/Gr~c3~b6~c3~9fe~2f2",
    }
    assert (refs["Each item"].container, refs["Each item"].branch, refs["Each item"].scope) == (
        "Fan~20out",
        1,
        "Fan~20out/1",
    )
    assert refs["A"].definition == {"Type": "Pass", "End": True}


def test_ids_are_the_graph_node_ids() -> None:
    graph_ids = {node.id for node in build_graph(NESTED).nodes() if node.kind is NodeKind.STATE}
    assert graph_ids == {ref.id for ref in index_states(NESTED).values()}


def test_an_id_reads_back_as_the_state_name_people_know() -> None:
    from stepwell.console.ids import decode_name, name_of

    for name in ("Job Complete?", "Größe/2", "a~b", "plain", "~zz"):
        assert decode_name(encode_name(name)) == name
    assert name_of("Fan~20out/1/Each~20item/0/Gr~c3~b6~c3~9fe~2f2") == "Größe/2"
    assert name_of("Price~20items") == "Price items"
