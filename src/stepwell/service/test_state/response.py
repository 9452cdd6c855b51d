"""TestState's answer: ``output``, ``error``, ``cause``, ``nextState``, ``status`` and, at the DEBUG
and TRACE inspection levels, ``inspectionData``.

"INFO: Shows the final state output. DEBUG: Shows the final state output along with the input and
output data processing result. TRACE: Shows the HTTP request and response for an HTTP Task. This
level also shows the final state output along with the input and output data processing result."
(TestStateInput.inspectionLevel). The data stages are JSON text ("SensitiveData"); Map's
``maxConcurrency`` and tolerated failures are numbers; ``variables`` is shown when there are any.
"""

from __future__ import annotations

from typing import Any

from stepwell.engine.history import to_json
from stepwell.service.test_state.evaluate import MISSING, Outcome, StateRun
from stepwell.service.test_state.request import INFO

NUMBER_STAGES = frozenset({"maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"})


def test_state_response(run: StateRun, outcome: Outcome) -> dict[str, Any]:
    response: dict[str, Any] = {"status": outcome.status}
    if outcome.output is not MISSING:
        response["output"] = to_json(outcome.output)
    if outcome.error is not None:
        response["error"] = outcome.error
    if outcome.cause is not None:
        response["cause"] = outcome.cause
    if outcome.next_state is not None:
        response["nextState"] = outcome.next_state
    if run.request.inspection_level != INFO:
        response["inspectionData"] = inspection_data(run)
    return response


def inspection_data(run: StateRun) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: value if name in NUMBER_STAGES else to_json(value) for name, value in run.stages.items()
    }
    if run.variables:
        data["variables"] = to_json(run.variables)
    data.update(run.http)
    if run.error_details:
        data["errorDetails"] = dict(run.error_details)
    return data
