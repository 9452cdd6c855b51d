"""Prometheus metrics, served at ``GET /metrics`` in Prometheus' text format (prometheus-client).

AWS's CloudWatch metrics for Step Functions (namespace ``AWS/States``, reference operations.md §3)
under Prometheus names (§7: base units, ``_total`` counters, no label per execution):

    ExecutionsStarted / Succeeded / Failed / Aborted / TimedOut   stepwell_executions_<status>_total
    ExecutionsRedriven                                             stepwell_executions_redriven_total
    ExecutionTime (ms)                                             stepwell_execution_time_seconds
    OpenExecutionCount (AWS/Usage, per state machine)              stepwell_open_executions
    ConsumedCapacity (ServiceMetric StateTransition)               stepwell_state_transitions_total

labelled by ``state_machine_arn``; the task metrics, from the history events of Tasks:

    Activities{Scheduled,Started,Succeeded,Failed,TimedOut,HeartbeatTimedOut}
                                            stepwell_activities_<what>_total
    ActivityScheduleTime, RunTime, Time     stepwell_activity_{schedule_time,run_time,time}_seconds
    LambdaFunctions{Scheduled,Started,Succeeded,Failed,TimedOut}
                                            stepwell_lambda_functions_<what>_total
    LambdaFunctionScheduleTime, ...         stepwell_lambda_function_{schedule_time,run_time,time}_seconds
    ServiceIntegrations{Scheduled,...}      stepwell_service_integrations_<what>_total
    ServiceIntegrationScheduleTime, ...     stepwell_service_integration_{...}_seconds

labelled by ``activity_arn``, ``lambda_function_arn`` (a Task whose Resource is a function's ARN)
and ``service_integration_resource_arn`` (``arn:aws:states:::sqs:sendMessage``; ``lambda:invoke``
is one of these, as in CloudWatch); a schedule time runs from scheduled to started, a run time
from started to the close, a time from scheduled to the close. And the server's own:
``stepwell_http_requests_total`` by operation and status, ``stepwell_commit_seconds`` (a
transaction's commit), and gauges read at each scrape (``watch``): the work waiting for the
executor, the calls waiting for a worker, the activity tasks waiting for a poll. AWS emits
ExecutionsStarted twice per execution (a CloudWatch artefact, §3): once here. A state
transition is counted per state entered, as ConsumedCapacity counts them.

Counts are of what this node ran: with several nodes on one PostgreSQL, sum them across nodes
(``sum by (state_machine_arn)``); ``stepwell_open_executions`` and
``stepwell_activity_tasks_waiting`` are read from the database at each scrape, so every node
reports the same, whole figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

MACHINE = ["state_machine_arn"]
ENDED = {"SUCCEEDED": "succeeded", "FAILED": "failed", "ABORTED": "aborted", "TIMED_OUT": "timed_out"}
# Seconds: from a Pass chain's milliseconds to a job's hour (CloudWatch keeps no buckets; ours).
EXECUTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
TASK_BUCKETS = EXECUTION_BUCKETS
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
        self._tasks = {kind: _TaskSeries(kind, registry) for kind in TASK_KINDS}
        if open_executions is not None:
            self.watch("stepwell_open_executions", _OPEN_HELP, MACHINE, _by_machine(open_executions))

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

    def task_scheduled(self, kind: str, arn: str) -> None:
        self._tasks[kind].counters["scheduled"].labels(arn).inc()

    def task_started(self, kind: str, arn: str, waited: float | None) -> None:
        """``waited``: seconds from scheduled to started (None when the scheduling was not seen)."""
        series = self._tasks[kind]
        series.counters["started"].labels(arn).inc()
        if waited is not None:
            series.schedule_time.labels(arn).observe(max(0.0, waited))

    def task_closed(self, kind: str, arn: str, outcome: str, ran: float | None, took: float | None) -> None:
        """``outcome``: one of TASK_OUTCOMES; ``ran``: seconds from started to the close, ``took``
        from scheduled to the close (None: not seen)."""
        series = self._tasks[kind]
        counter = series.counters.get(outcome)
        if counter is None:
            return
        counter.labels(arn).inc()
        if ran is not None:
            series.run_time.labels(arn).observe(max(0.0, ran))
        if took is not None:
            series.time.labels(arn).observe(max(0.0, took))

    def request(self, operation: str, status: int) -> None:
        self._requests.labels(operation, str(status)).inc()

    def committed(self, seconds: float) -> None:
        self._commits.observe(seconds)

    # ---- what is read at the scrape ---------------------------------------------------------
    def watch(self, name: str, documentation: str, labels: Sequence[str], read: Reading) -> None:
        """A gauge whose values ``read`` gives at each scrape ({label values: value}); ``read``
        runs on the scraping thread, so it is cheap and reads what other threads may change."""
        self.registry.register(_ReadAtScrape(name, documentation, list(labels), read))

    # ---- the exposition ---------------------------------------------------------------------------
    def text(self) -> bytes:
        return generate_latest(self.registry)


# The three task kinds of CloudWatch: (series prefix plural, singular, label, CloudWatch's plural
# and singular names, which the help texts name).
ACTIVITY, LAMBDA_FUNCTION, SERVICE_INTEGRATION = "activity", "lambda_function", "service_integration"
_TASK_NAMES = {
    ACTIVITY: ("activities", "activity", "activity_arn", "Activities", "Activity"),
    LAMBDA_FUNCTION: (
        "lambda_functions",
        "lambda_function",
        "lambda_function_arn",
        "LambdaFunctions",
        "LambdaFunction",
    ),
    SERVICE_INTEGRATION: (
        "service_integrations",
        "service_integration",
        "service_integration_resource_arn",
        "ServiceIntegrations",
        "ServiceIntegration",
    ),
}
TASK_KINDS = tuple(_TASK_NAMES)
TASK_OUTCOMES = ("succeeded", "failed", "timed_out", "heartbeat_timed_out")
_COUNTED = {
    ACTIVITY: ("scheduled", "started", *TASK_OUTCOMES),
    LAMBDA_FUNCTION: ("scheduled", "started", "succeeded", "failed", "timed_out"),
    SERVICE_INTEGRATION: ("scheduled", "started", "succeeded", "failed", "timed_out"),
}


class _TaskSeries:
    """One task kind's counters (by what happened) and its three times."""

    def __init__(self, kind: str, registry: CollectorRegistry):
        plural, singular, label, many, one = _TASK_NAMES[kind]
        self.counters = {
            what: Counter(
                f"stepwell_{plural}_{what}",
                f"{many}{_camel(what)}: {plural.replace('_', ' ')} {what.replace('_', ' ')}.",
                [label],
                registry=registry,
            )
            for what in _COUNTED[kind]
        }
        self.schedule_time, self.run_time, self.time = (
            Histogram(
                f"stepwell_{singular}_{name}_seconds",
                f"{one}{cloudwatch_name}: {meaning}, in seconds.",
                [label],
                buckets=TASK_BUCKETS,
                registry=registry,
            )
            for name, cloudwatch_name, meaning in (
                ("schedule_time", "ScheduleTime", "from scheduled to started"),
                ("run_time", "RunTime", "from started to closed"),
                ("time", "Time", "from scheduled to closed"),
            )
        )


def _camel(words: str) -> str:
    return words.title().replace("_", "")  # timed_out -> TimedOut


Reading = Callable[[], dict[tuple[str, ...], float]]


def _by_machine(counts: Callable[[], dict[str, int]]) -> Reading:
    return lambda: {(machine_arn,): count for machine_arn, count in counts().items()}


class _ReadAtScrape(Collector):
    """A gauge family whose samples are read when Prometheus scrapes."""

    def __init__(self, name: str, documentation: str, labels: list[str], read: Reading):
        self._name, self._documentation, self._labels, self._read = name, documentation, labels, read

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self._name, self._documentation, labels=self._labels)]

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(self._name, self._documentation, labels=self._labels)
        for values, value in sorted(self._read().items()):
            family.add_metric(list(values), value)
        return [family]


_OPEN_HELP = "OpenExecutionCount: executions running, per state machine."
