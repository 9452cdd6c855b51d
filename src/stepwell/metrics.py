"""Prometheus metrics, served at ``GET /metrics`` in Prometheus' text format (prometheus-client).

AWS's CloudWatch metrics for Step Functions (namespace ``AWS/States``, reference operations.md §3)
under Prometheus names (§7: base units, ``_total`` counters, no label per execution):

    ExecutionsStarted / Succeeded / Failed / Aborted / TimedOut   stepwell_executions_<status>_total
    ExecutionsRedriven                                             stepwell_executions_redriven_total
    ExecutionTime (ms)                                             stepwell_execution_time_seconds
    OpenExecutionCount (AWS/Usage, per state machine)              stepwell_open_executions
    ConsumedCapacity (ServiceMetric StateTransition)               stepwell_state_transitions_total

labelled by ``state_machine_arn``; and the server's own: ``stepwell_http_requests_total`` by
operation and status, ``stepwell_commit_seconds`` (a transaction's commit). AWS emits
ExecutionsStarted twice per execution (a CloudWatch artefact, §3): once here. A state
transition is counted per state entered, as ConsumedCapacity counts them.

Counts are of what this node ran: with several nodes on one PostgreSQL, sum them across nodes
(``sum by (state_machine_arn)``); ``stepwell_open_executions`` is read from the database at each
scrape, so every node reports the same, whole figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

MACHINE = ["state_machine_arn"]
ENDED = {"SUCCEEDED": "succeeded", "FAILED": "failed", "ABORTED": "aborted", "TIMED_OUT": "timed_out"}
# Seconds: from a Pass chain's milliseconds to a job's hour (CloudWatch keeps no buckets; ours).
EXECUTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
# The classic text format, which every Prometheus reads (our names need nothing newer).
TEXT_FORMAT = CONTENT_TYPE_PLAIN_0_0_4


class Metrics:
    """The series of one server; ``open_executions`` reads the store's counts at each scrape."""

    def __init__(self, open_executions: Callable[[], dict[str, int]] | None = None):
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._started = Counter(
            "stepwell_executions_started",
            "ExecutionsStarted: executions started.",
            MACHINE,
            registry=registry,
        )
        self._ended = {
            status: Counter(
                f"stepwell_executions_{name}",
                f"Executions{name.title().replace('_', '')}: executions that ended {status}.",
                MACHINE,
                registry=registry,
            )
            for status, name in ENDED.items()
        }
        self._redriven = Counter(
            "stepwell_executions_redriven",
            "ExecutionsRedriven: executions redriven.",
            MACHINE,
            registry=registry,
        )
        self._execution_time = Histogram(
            "stepwell_execution_time_seconds",
            "ExecutionTime: from an execution's start to its end, in seconds.",
            MACHINE,
            buckets=EXECUTION_BUCKETS,
            registry=registry,
        )
        self._transitions = self._counter("stepwell_state_transitions", "State transitions (states entered).")
        self._requests = Counter(
            "stepwell_http_requests",
            "API requests answered, by operation and HTTP status.",
            ["operation", "status"],
            registry=registry,
        )
        self._commits = Histogram(
            "stepwell_commit_seconds",
            "How long a transaction's commit took, in seconds.",
            buckets=COMMIT_BUCKETS,
            registry=registry,
        )
        if open_executions is not None:
            registry.register(_OpenExecutions(open_executions))

    def _counter(self, name: str, documentation: str) -> Counter:
        return Counter(name, documentation, MACHINE, registry=self.registry)

    # ---- what happened ------------------------------------------------------------------------
    def execution_started(self, machine_arn: str) -> None:
        self._started.labels(machine_arn).inc()

    def execution_redriven(self, machine_arn: str) -> None:
        self._redriven.labels(machine_arn).inc()

    def execution_ended(self, machine_arn: str, status: str, seconds: float) -> None:
        ended = self._ended.get(status)
        if ended is not None:
            ended.labels(machine_arn).inc()
            self._execution_time.labels(machine_arn).observe(max(0.0, seconds))

    def states_entered(self, machine_arn: str, count: int) -> None:
        if count:
            self._transitions.labels(machine_arn).inc(count)

    def request(self, operation: str, status: int) -> None:
        self._requests.labels(operation, str(status)).inc()

    def committed(self, seconds: float) -> None:
        self._commits.observe(seconds)

    # ---- the exposition ---------------------------------------------------------------------------
    def text(self) -> bytes:
        return generate_latest(self.registry)


class _OpenExecutions(Collector):
    """``stepwell_open_executions``: RUNNING executions per state machine, read at the scrape."""

    def __init__(self, counts: Callable[[], dict[str, int]]):
        self._counts = counts

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily("stepwell_open_executions", _OPEN_HELP, labels=MACHINE)]

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily("stepwell_open_executions", _OPEN_HELP, labels=MACHINE)
        for machine_arn, count in sorted(self._counts().items()):
            family.add_metric([machine_arn], count)
        return [family]


_OPEN_HELP = "OpenExecutionCount: executions running, per state machine."
