"""The ids the console gives states: one convention for the graph, the status map and step details.

A state's id is its *scope path* plus its encoded name. The scope path is ``""`` at the top level and
``"<container id>/<index>"`` inside a container: ``index`` is the branch number of a Parallel state
(``Parallel/0``, ``Parallel/1``, ...) and always ``0`` for a Map's item processor (``Map/0``). So:

* ``Check`` — the top-level state "Check";
* ``Parallel/0/A`` — state "A" in branch 0 of the Parallel state "Parallel";
* ``Map/0/Process`` — state "Process" in the item processor of the Map state "Map";
* ``Map/0/P/1/B`` — state "B" in branch 1 of the Parallel "P" inside that processor.

Names are encoded so that ids are safe in HTML ids and attributes: every character outside
``[A-Za-z0-9_.-]`` is written ``~xx`` per UTF-8 byte (``Job Complete?`` -> ``Job~20Complete~3f``), so
``/`` only ever separates path segments. This is the graph's node id (``graph_model``), which the tests
check.

ASL requires state names to be unique in the whole machine ("Duplicate State name"), so a name alone
finds a state; ``index_states`` builds that lookup once per definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")


def encode_name(name: str) -> str:
    """A state name as an id segment: ``[A-Za-z0-9_.-]`` kept, anything else ``~xx`` per UTF-8 byte."""
    if all(char in _SAFE for char in name):
        return name
    return "".join(
        char if char in _SAFE else "".join(f"~{byte:02x}" for byte in char.encode("utf-8")) for char in name
    )


def decode_name(segment: str) -> str:
    """The state name an id segment encodes (``encode_name`` undone): what a person reads."""
    if "~" not in segment:
        return segment
    raw, at = bytearray(), 0
    while at < len(segment):
        hexa = segment[at + 1 : at + 3]
        if segment[at] == "~" and len(hexa) == 2 and all(c in "0123456789abcdefABCDEF" for c in hexa):
            raw.append(int(hexa, 16))
            at += 3
        else:
            raw.extend(segment[at].encode("utf-8"))
            at += 1
    return raw.decode("utf-8", errors="replace")


def name_of(state_id: str) -> str:
    """The name of the state a state id designates (``Map/0/Job~20Done`` -> ``Job Done``)."""
    return decode_name(state_id.rsplit("/", 1)[-1])


def state_id(scope_path: str, name: str) -> str:
    """The id of state ``name`` in the scope ``scope_path`` ("" for the top level)."""
    segment = encode_name(name)
    return f"{scope_path}/{segment}" if scope_path else segment


def scope_path(container_id: str, index: int) -> str:
    """The scope path of branch ``index`` of a Parallel, or (index 0) of a Map's item processor."""
    return f"{container_id}/{index}"


@dataclass(frozen=True, slots=True)
class StateRef:
    """Where a state sits in the definition."""

    id: str
    name: str
    type: str
    scope: str  # the scope path holding it ("" at the top level)
    container: str | None  # the id of the Parallel/Map holding it (None at the top level)
    branch: int  # its branch in that Parallel (0 in a Map's processor or at the top level)
    definition: Mapping[str, Any]  # the state's own ASL object

    @property
    def is_container(self) -> bool:
        return self.type in ("Parallel", "Map")


def load_definition(definition: str | Mapping[str, Any]) -> Mapping[str, Any]:
    """The definition as an object (it may arrive as the JSON text the API stores)."""
    raw = json.loads(definition) if isinstance(definition, str) else definition
    if not isinstance(raw, Mapping):
        raise ValueError("a state machine definition is a JSON object")
    return raw


def index_states(definition: str | Mapping[str, Any]) -> dict[str, StateRef]:
    """Every state of the definition (inside Parallel branches and Map processors too) by NAME,
    in definition order, parents before their children."""
    found: dict[str, StateRef] = {}
    for ref in _walk(load_definition(definition), "", None, 0):
        found.setdefault(ref.name, ref)
    return found


def _walk(program: Mapping[str, Any], scope: str, container: str | None, branch: int) -> Iterator[StateRef]:
    states = program.get("States")
    if not isinstance(states, Mapping):
        return
    for name, body in states.items():
        if not isinstance(body, Mapping):
            continue
        own_id = state_id(scope, name)
        state_type = str(body.get("Type", ""))
        yield StateRef(own_id, name, state_type, scope, container, branch, body)
        if state_type == "Parallel":
            for i, branch_program in enumerate(body.get("Branches") or ()):
                if isinstance(branch_program, Mapping):
                    yield from _walk(branch_program, scope_path(own_id, i), own_id, i)
        elif state_type == "Map":
            processor = body.get("ItemProcessor") or body.get("Iterator")
            if isinstance(processor, Mapping):
                yield from _walk(processor, scope_path(own_id, 0), own_id, 0)
