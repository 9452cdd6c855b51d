"""The "Advanced view" of a step: how the state's input became its output, stage by stage.

JSONPath states: "InputPath → Parameters → (result) → ResultSelector → ResultPath → OutputPath"; the
stage names are those of AWS's TestState InspectionData (``afterInputPath``, ``afterParameters``,
``result``, ``afterResultSelector``, ``afterResultPath``). JSONata states: input → Arguments → result →
Output.

A stage is taken from the history when it is recorded there (the …StateEntered input, the scheduled
parameters, the task's result, the …StateExited output); the others are computed with stepwell's own
compiled paths and the engine's data-flow functions, exactly as the engine applied them. An expression
that reads what the history does not hold — the context object (``$$``), a variable, a random
intrinsic, any JSONata — makes its stage ``unknown`` instead of a guess, and so do the stages after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.paths import PathNotFound, compile_path
from stepwell.asl.scope import Entropy, Scope
from stepwell.engine.dataflow import place, select, select_result
from stepwell.engine.history import to_json
from stepwell.errors import WorkflowError

RECORDED = "recorded"
COMPUTED = "computed"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"

LABELS = {
    "input": "Input",
    "afterInputPath": "After InputPath",
    "afterParameters": "After Parameters",
    "arguments": "Arguments",
    "result": "Result",
    "afterResultSelector": "After ResultSelector",
    "afterResultPath": "After ResultPath",
    "output": "Output",
}


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # input | afterInputPath | afterParameters | arguments | result | afterResultSelector | …
    value: str | None  # JSON text; None when unknown or not applicable
    source: str  # recorded | computed | unknown | not_applicable
    note: str = ""  # why a stage is unknown, or what it holds (e.g. "the error a Catch handled")

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the history says about one visit, as JSON values (``MISSING`` when not recorded)."""

    input: Any
    parameters: Any  # the effective parameters of the latest attempt (TaskScheduled & co.)
    result: Any  # the latest attempt's successful result
    error_output: Any  # {"Error", "Cause"} when a Catch handled the latest attempt's error
    output: Any


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class _NotInHistory(Exception):
    """An expression asked for something the history does not record."""


class _NoVariables(Mapping[str, Any]):
    def __getitem__(self, name: str) -> Any:
        raise _NotInHistory(f"reads the variable ${name}")

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


class _NoEntropy(Entropy):
    def __init__(self) -> None:
        super().__init__("")

    def random_bytes(self, n: int) -> bytes:
        raise _NotInHistory("draws a random value")


def _no_context() -> Any:
    raise _NotInHistory("reads the context object ($$)")


def _scope(value: Any) -> Scope:
    return Scope(value, variables=_NoVariables(), context=_no_context, entropy=_NoEntropy())


def data_flow(state: m.State, recorded: Recorded) -> tuple[Stage, ...]:
    if state.is_jsonata:
        return _jsonata_flow(state, recorded)
    return _JsonPathFlow(state, recorded).stages()


def _jsonata_flow(state: m.State, recorded: Recorded) -> tuple[Stage, ...]:
    stages = [_recorded("input", recorded.input)]
    if isinstance(state, m.TaskState):
        stages.append(_recorded("arguments", recorded.parameters, "JSONata Arguments are not recomputed"))
        if recorded.error_output is not MISSING:
            stages.append(_recorded("result", recorded.error_output, note="the error a Catch handled"))
        else:
            stages.append(_recorded("result", recorded.result))
    if not isinstance(state, m.FailState):
        stages.append(_recorded("output", recorded.output))
    return tuple(stages)


class _JsonPathFlow:
    def __init__(self, state: m.State, recorded: Recorded):
        self.state = state
        self.recorded = recorded
        self.out: list[Stage] = []
        self.blocked = ""  # why later computed stages are unknown

    def stages(self) -> tuple[Stage, ...]:
        state, rec = self.state, self.recorded
        raw = self.add("input", rec.input, RECORDED)
        if isinstance(state, m.FailState):
            return tuple(self.out)
        effective = self.compute("afterInputPath", lambda: select(state.input_path, _scope(raw)), raw)
        if isinstance(state, (m.ChoiceState, m.WaitState, m.SucceedState)):
            self.add("output", rec.output, RECORDED)
            return tuple(self.out)
        if isinstance(state, m.MapState):
            self.add("afterParameters", MISSING, NOT_APPLICABLE, "ItemSelector applies to each item")
            parameters = MISSING
        elif isinstance(state, m.PassState) and state.has_result:
            self.add("afterParameters", MISSING, NOT_APPLICABLE, "a Pass state with Result ignores its input")
            parameters = MISSING
        elif rec.parameters is not MISSING:
            parameters = self.add("afterParameters", rec.parameters, RECORDED)
        elif state.parameters is None:
            parameters = self.add("afterParameters", effective, COMPUTED)
        else:
            template = state.parameters
            parameters = self.compute(
                "afterParameters", lambda: template.evaluate(_scope(effective)), effective
            )
        if rec.error_output is not MISSING:
            return self.caught()
        result = self.result(parameters)
        if isinstance(state, m.PassState):
            selected = result
        elif state.result_selector is None:
            selected = self.add("afterResultSelector", result, COMPUTED)
        else:
            selected = self.compute(
                "afterResultSelector", lambda: select_result(state, _scope(raw), result), raw, result
            )
        self.compute("afterResultPath", lambda: place(state.result_path, raw, selected), raw, selected)
        self.add("output", rec.output, RECORDED)
        return tuple(self.out)

    def result(self, parameters: Any) -> Any:
        state, rec = self.state, self.recorded
        if isinstance(state, m.PassState):
            value = state.result if state.has_result else parameters
            return self.add("result", value, COMPUTED)
        if rec.result is not MISSING:
            return self.add("result", rec.result, RECORDED)
        if isinstance(state, (m.ParallelState, m.MapState)) and state.result_selector is None:
            value = self._result_from_output()
            if value is not MISSING:
                return self.add("result", value, COMPUTED, "read back from the output through ResultPath")
        return self.add("result", MISSING, UNKNOWN, "not recorded in the history")

    def _result_from_output(self) -> Any:
        """A Parallel's or Map's result is not recorded; with OutputPath "$" the output holds it
        where ResultPath put it."""
        state, output = self.state, self.recorded.output
        if output is MISSING or state.result_path is None:
            return MISSING
        if state.output_path is None or state.output_path.text != "$":
            return MISSING
        try:
            return compile_path(state.result_path.text).find(output)
        except PathNotFound:
            return MISSING

    def caught(self) -> tuple[Stage, ...]:
        """A Catch handled the error: ResultSelector and OutputPath are not applied; the catcher's
        ResultPath places {"Error", "Cause"} in the input (the recorded output)."""
        self.add("result", self.recorded.error_output, RECORDED, "the error a Catch handled")
        if not isinstance(self.state, m.PassState):
            self.add("afterResultSelector", MISSING, NOT_APPLICABLE, "not applied to a caught error")
        self.add("afterResultPath", self.recorded.output, RECORDED, "the Catch's ResultPath")
        self.add("output", self.recorded.output, RECORDED, "OutputPath is not applied to a caught error")
        return tuple(self.out)

    # ---- helpers ------------------------------------------------------------------------------
    def add(self, name: str, value: Any, source: str, note: str = "") -> Any:
        if value is MISSING and source in (RECORDED, COMPUTED):
            source, note = UNKNOWN, note or self.blocked or "not recorded in the history"
        text = None if value is MISSING else to_json(value)
        self.out.append(Stage(name, text, source, note))
        return value

    def compute(self, name: str, evaluate: Any, *needs: Any) -> Any:
        if any(value is MISSING for value in needs):
            return self.add(name, MISSING, UNKNOWN, self.blocked or "an earlier stage is unknown")
        try:
            return self.add(name, evaluate(), COMPUTED)
        except _NotInHistory as missing:
            self.blocked = f"an earlier stage {missing}"
            return self.add(name, MISSING, UNKNOWN, f"{LABELS.get(name, name)} {missing}")
        except WorkflowError as failed:
            self.blocked = "an earlier stage failed"
            return self.add(name, MISSING, UNKNOWN, f"failed: {failed.error}: {failed.cause}")


def _recorded(
    name: str, value: Any, missing_note: str = "not recorded in the history", note: str = ""
) -> Stage:
    if value is MISSING:
        return Stage(name, None, UNKNOWN, missing_note)
    return Stage(name, to_json(value), RECORDED, note)
