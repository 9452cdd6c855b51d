"""A state machine definition as a graph: scopes of nodes joined by labelled edges. Pure data.

A *scope* is one program of the definition: the top level, each Parallel branch, each Map item
processor (``ItemProcessor`` or its deprecated synonym ``Iterator``). ASL forbids transitions between
scopes ("states in a branch's 'States' field can transition only to each other"), so every edge joins
two nodes of the same scope and each scope can be laid out on its own; a Parallel or Map node holds
its child scopes.

Every scope gets a synthetic start node (an edge to its ``StartAt``) and a synthetic end node (an edge
from each ``End: true``, Succeed and Fail state), so the reader sees where it begins and ends.

Node ids are stable (the scope path plus the name, e.g. ``Parallel/0/A``) and safe in HTML ids and
attributes: every character outside ``[A-Za-z0-9_.-]`` of a name is written ``~xx`` (its UTF-8 bytes in
hex), so ``/`` only ever separates path segments and ids never hold quotes, spaces or ``<&>``. The
synthetic nodes end in ``@start`` / ``@end``, which no encoded name can spell. The encoding is the
console's one convention for state ids (``console.ids``), shared with the status map and step details.

The definition is assumed valid (the caller runs ``validate_definition`` first); a transition to an
unknown state raises ``ValueError``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stepwell.console.graph.labels import catch_label, choice_label
from stepwell.console.ids import encode_name

START_NAME = "@start"
END_NAME = "@end"

__all__ = ["Edge", "EdgeKind", "Node", "NodeKind", "Scope", "StateGraph", "build_graph", "encode_name"]


class EdgeKind(StrEnum):
    START = "start"  # synthetic start -> StartAt
    NEXT = "next"
    DEFAULT = "default"  # a Choice's Default
    CHOICE = "choice"  # a Choice rule's Next
    CATCH = "catch"  # a Catcher's Next
    END = "end"  # a terminal state -> synthetic end


class NodeKind(StrEnum):
    STATE = "state"
    START = "start"
    END = "end"


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # node id
    target: str  # node id
    kind: EdgeKind
    label: str = ""  # the Choice rule in short, "Default", or the Catch's ErrorEquals joined
    errors: tuple[str, ...] = ()  # a Catch edge's ErrorEquals
    index: int = 0  # ordinal within the whole graph, in definition order: a stable edge id

    @property
    def id(self) -> str:
        return f"e{self.index}"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str  # the state name; "" for the synthetic start and end
    type: str  # the ASL Type, or "Start" / "End"
    kind: NodeKind
    scope: str  # the id of the scope holding it
    children: tuple[Scope, ...] = ()  # Parallel branches, or a Map's item processor

    @property
    def is_container(self) -> bool:
        return bool(self.children)


@dataclass(frozen=True, slots=True)
class Scope:
    id: str  # "" for the top level, else "<container id>/<index>"
    title: str  # "" for the top level, "Branch 1" ..., or "Item processor"
    depth: int
    nodes: tuple[Node, ...]  # start, the states in definition order, end
    edges: tuple[Edge, ...]

    @property
    def start(self) -> Node:
        return self.nodes[0]

    @property
    def end(self) -> Node:
        return self.nodes[-1]


@dataclass(frozen=True, slots=True)
class StateGraph:
    root: Scope
    digest: str  # sha256 of the definition text: the key of the layout cache

    def scopes(self) -> Iterator[Scope]:
        """Every scope, parents before children, in definition order."""
        pending = [self.root]
        while pending:
            scope = pending.pop()
            yield scope
            for node in reversed(scope.nodes):
                pending.extend(reversed(node.children))

    def nodes(self) -> Iterator[Node]:
        for scope in self.scopes():
            yield from scope.nodes

    def edges(self) -> Iterator[Edge]:
        for scope in self.scopes():
            yield from scope.edges

    def states(self) -> Iterator[Node]:
        """The nodes that are states (not the synthetic start and end)."""
        return (node for node in self.nodes() if node.kind is NodeKind.STATE)


def definition_text(definition: str | Mapping[str, Any]) -> str:
    """The text a definition is identified by (a dict keeps its key order: it orders the layout)."""
    return definition if isinstance(definition, str) else json.dumps(definition, ensure_ascii=False)


def definition_digest(definition: str | Mapping[str, Any]) -> str:
    return hashlib.sha256(definition_text(definition).encode("utf-8")).hexdigest()


def build_graph(definition: str | Mapping[str, Any]) -> StateGraph:
    """The graph of a valid definition (JSON text or the parsed object)."""
    raw = json.loads(definition) if isinstance(definition, str) else definition
    if not isinstance(raw, Mapping):
        raise ValueError("a state machine definition is a JSON object")
    builder = _Builder()
    root = builder.scope(raw, scope_id="", title="", depth=0)
    return StateGraph(root=root, digest=definition_digest(definition))


def node_id(scope_id: str, segment: str) -> str:
    return f"{scope_id}/{segment}" if scope_id else segment


class _Builder:
    """Walks the definition depth first; numbers edges in definition order."""

    def __init__(self) -> None:
        self._edge_count = 0

    def scope(self, program: Mapping[str, Any], scope_id: str, title: str, depth: int) -> Scope:
        states: Mapping[str, Any] = program.get("States") or {}
        ids = {name: node_id(scope_id, encode_name(name)) for name in states}
        start = Node(node_id(scope_id, START_NAME), "", "Start", NodeKind.START, scope_id)
        end = Node(node_id(scope_id, END_NAME), "", "End", NodeKind.END, scope_id)
        nodes = [start]
        edges = [self._edge(start.id, self._target(ids, program.get("StartAt")), EdgeKind.START)]
        for name, state in states.items():
            own_id = ids[name]
            nodes.append(self._node(name, state, own_id, scope_id, depth))
            for target, kind, label, errors in _transitions(state):
                edges.append(self._edge(own_id, self._target(ids, target), kind, label, errors))
            if _is_terminal(state):
                edges.append(self._edge(own_id, end.id, EdgeKind.END))
        nodes.append(end)
        return Scope(scope_id, title, depth, tuple(nodes), tuple(edges))

    def _node(self, name: str, state: Mapping[str, Any], own_id: str, scope_id: str, depth: int) -> Node:
        state_type = str(state.get("Type", ""))
        children: list[Scope] = []
        if state_type == "Parallel":
            for i, branch in enumerate(state.get("Branches") or ()):
                children.append(self.scope(branch, f"{own_id}/{i}", f"Branch {i + 1}", depth + 1))
        elif state_type == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(processor, Mapping):
                children.append(self.scope(processor, f"{own_id}/0", "Item processor", depth + 1))
        return Node(own_id, name, state_type, NodeKind.STATE, scope_id, tuple(children))

    def _edge(
        self, source: str, target: str, kind: EdgeKind, label: str = "", errors: tuple[str, ...] = ()
    ) -> Edge:
        edge = Edge(source, target, kind, label, errors, self._edge_count)
        self._edge_count += 1
        return edge

    @staticmethod
    def _target(ids: Mapping[str, str], name: Any) -> str:
        if not isinstance(name, str) or name not in ids:
            raise ValueError(f"transition to an unknown state: {name!r}")
        return ids[name]


def _transitions(state: Mapping[str, Any]) -> Iterator[tuple[str, EdgeKind, str, tuple[str, ...]]]:
    """(target name, kind, label, errors) of every transition out of a state, in definition order."""
    for rule in state.get("Choices") or ():
        yield rule.get("Next"), EdgeKind.CHOICE, choice_label(rule), ()
    if "Default" in state:
        yield state["Default"], EdgeKind.DEFAULT, "Default", ()
    if "Next" in state:
        yield state["Next"], EdgeKind.NEXT, "", ()
    for catcher in state.get("Catch") or ():
        errors = tuple(str(error) for error in catcher.get("ErrorEquals") or ())
        yield catcher.get("Next"), EdgeKind.CATCH, catch_label(errors), errors


def _is_terminal(state: Mapping[str, Any]) -> bool:
    return state.get("End") is True or state.get("Type") in ("Succeed", "Fail")
