"""The model the execution page is drawn from, in one import: pure functions of a definition and the
history events GetExecutionHistory returns (``timestamp`` as epoch seconds).

* ``state_statuses`` — the colour of every state of the graph (``state_status``);
* ``iterations`` / ``count_by_status`` — the Map iteration and Parallel branch picker (``iterations``);
* ``failure`` — the failure banner and the step it selects (``state_status``);
* ``step_details`` — the Step details panel: input/output, attempts, events, definition, data flow
  (``step_details``, ``step_data_flow``);
* ``event_rows`` — the Event view, filtered and paged (``event_table``).

State ids follow ``ids`` (``Name``, ``Parallel/0/Name``, ``Map/0/Name``), the graph's node ids. Each
function indexes the history in one pass; a page that calls several can index it once with
``index_history(events, definition)`` and pass the index instead of the events.
"""

from stepwell.console.event_table import EventRow, event_rows
from stepwell.console.history_index import HistoryIndex
from stepwell.console.ids import state_id
from stepwell.console.iterations import IterationSummary, count_by_status, iterations
from stepwell.console.state_status import (
    AGGREGATE_ORDER,
    Failure,
    Iteration,
    Status,
    aggregate,
    failure,
    index_history,
    state_statuses,
)
from stepwell.console.step_data_flow import Stage
from stepwell.console.step_details import Attempt, StepDetails, step_details

__all__ = [
    "AGGREGATE_ORDER",
    "Attempt",
    "EventRow",
    "Failure",
    "HistoryIndex",
    "Iteration",
    "IterationSummary",
    "Stage",
    "Status",
    "StepDetails",
    "aggregate",
    "count_by_status",
    "event_rows",
    "failure",
    "index_history",
    "iterations",
    "state_id",
    "state_statuses",
    "step_details",
]
