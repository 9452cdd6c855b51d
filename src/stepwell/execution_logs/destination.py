"""Where a server writes execution logs, from its environment and ``--logs-dir``:

1. CloudWatch Logs, when the environment names an endpoint for it: ``LOGS_ENDPOINT`` (or boto3's
   ``AWS_ENDPOINT_URL_LOGS`` / ``AWS_ENDPOINT_URL``), read as every AWS integration reads its
   endpoint (runtime/invokers/aws_clients.py); region and credentials as theirs too;
2. else JSON Lines files under ``--logs-dir`` (files.py);
3. else nowhere: loggingConfiguration is accepted and stored, and the first time a machine asks
   for logs the server says, once per log group, that none are written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from botocore.config import Config

from stepwell.execution_logs.cloudwatch import CloudWatchLogs
from stepwell.execution_logs.delivery import Sink
from stepwell.execution_logs.files import LogFiles
from stepwell.execution_logs.records import LogEvent
from stepwell.runtime import ids
from stepwell.runtime.invokers.aws_clients import AwsClients

log = logging.getLogger("stepwell.execution_logs")

# Unlike a task's call (one attempt: retrying is the state's Retry's job), a batch of records is
# worth botocore's standard retries; the timeouts keep a dead endpoint from holding the writer.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=5, read_timeout=15
)


def sink_for(*, region: str, environ: Mapping[str, str], logs_dir: str | None) -> Sink:
    """The destination (module docstring). Raises OSError when ``logs_dir`` cannot be made."""
    clients = AwsClients.from_environment(region, environ, config=CLIENT_CONFIG)
    endpoint = clients.endpoint_url("logs")
    if endpoint:
        if logs_dir:
            log.info("execution logs: CloudWatch Logs at %s (--logs-dir %s is not used)", endpoint, logs_dir)
        else:
            log.info("execution logs: CloudWatch Logs at %s", endpoint)
        node = ids.seed()[:8]  # this process's streams (cloudwatch.py)
        return CloudWatchLogs(lambda: clients.client("logs"), node=node)
    if logs_dir:
        files = LogFiles(logs_dir)
        log.info("execution logs: JSON Lines files under %s", Path(logs_dir).resolve())
        return files
    return Unwritten()


class Unwritten:
    """No destination: records are dropped, and the first for each log group says so."""

    def __init__(self) -> None:
        self._told: set[str] = set()

    def write(self, events: list[LogEvent]) -> None:
        for group in {event.log_group for event in events} - self._told:
            self._told.add(group)
            log.info(
                "execution logs: a state machine logs to %s, but no destination is set (LOGS_ENDPOINT or "
                "--logs-dir): its records are not written",
                group,
            )

    def close(self) -> None:
        """Nothing held."""
