"""What an expression reads: the input, the lazily built context object, the variables, and the
deterministic entropy stream."""

from __future__ import annotations

import hashlib
import re

import pytest

from stepwell.asl.scope import Entropy, Scope
from stepwell.errors import RUNTIME, EvaluationError

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_entropy_is_sha256_in_counter_mode() -> None:
    expected = hashlib.sha256(b"seed" + (1).to_bytes(8, "big")).digest()
    expected += hashlib.sha256(b"seed" + (2).to_bytes(8, "big")).digest()
    assert Entropy("seed").random_bytes(40) == expected[:40]


def test_the_same_seed_gives_the_same_stream() -> None:
    a, b = Entropy("exec-1"), Entropy("exec-1")
    assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]
    assert a.uuid4() == b.uuid4()
    assert Entropy("exec-1").random() != Entropy("exec-2").random()


def test_each_draw_moves_the_stream_on() -> None:
    entropy = Entropy("s")
    first, second = entropy.random_bytes(4), entropy.random_bytes(4)
    assert first != second  # a draw of fewer than 32 bytes still uses a whole block


def test_random_is_in_the_unit_interval_with_53_bits() -> None:
    entropy = Entropy("unit")
    draws = [entropy.random() for _ in range(200)]
    assert all(0.0 <= x < 1.0 for x in draws)
    assert all((x * (1 << 53)).is_integer() for x in draws)
    block = hashlib.sha256(b"unit" + (1).to_bytes(8, "big")).digest()
    assert draws[0] == (int.from_bytes(block[:8], "big") >> 11) / float(1 << 53)


def test_uuid4_has_the_version_and_variant_bits() -> None:
    entropy = Entropy("uuids")
    ids = [entropy.uuid4() for _ in range(50)]
    assert all(UUID4.match(u) for u in ids)
    assert len(set(ids)) == 50


def test_the_default_entropy_is_seeded_stepwell() -> None:
    assert Scope(None).entropy.random() == Entropy("stepwell").random()


def test_the_context_object_is_built_once_on_first_use() -> None:
    calls: list[int] = []

    def build() -> dict[str, str]:
        calls.append(1)
        return {"Execution": "x"}

    scope = Scope({"a": 1}, context=build)
    assert calls == []
    assert scope.context() == {"Execution": "x"}
    derived = scope.with_input({"b": 2})
    assert derived.context() is scope.context()
    assert calls == [1]


def test_a_plain_context_value_and_the_default_empty_one() -> None:
    assert Scope(None, context={"State": {"Name": "S"}}).context() == {"State": {"Name": "S"}}
    assert Scope(None).context() == {}


def test_with_input_keeps_variables_and_entropy() -> None:
    entropy = Entropy("e")
    scope = Scope({"a": 1}, variables={"v": 1}, entropy=entropy)
    derived = scope.with_input([1])
    assert derived.input == [1]
    assert scope.input == {"a": 1}
    assert derived.variables is scope.variables
    assert derived.entropy is entropy
    assert derived.variable("v") == 1


def test_an_undefined_variable_is_states_runtime() -> None:
    with pytest.raises(EvaluationError) as raised:
        Scope(None, variables={"x": 1}).variable("y")
    assert (raised.value.error, raised.value.cause) == (RUNTIME, "Variable 'y' is not defined.")
    assert Scope(None, variables={"n": None}).variable("n") is None
