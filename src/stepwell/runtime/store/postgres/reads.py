"""Reads, through the pool (any thread) or inside the writer's transaction."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

from stepwell.runtime.store import rows
from stepwell.runtime.store.postgres.common import (
    Q,
    R,
    execution_of,
    record_of,
)
from stepwell.runtime.store.records import (
    ActivityRecord,
    AliasRecord,
    ExecutionRecord,
    ExecutionSummary,
    MachineRecord,
    MapRunRecord,
    TaskRecord,
    VersionRecord,
)


class Queries:
    """Every read, over ``_all`` (the rows of one named query), for the pool and the writer alike."""

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        raise NotImplementedError

    def _one(self, query: str, args: dict[str, Any]) -> DictRow | None:
        found = self._all(query, args)
        return found[0] if found else None

    def _records(self, cls: type[R], query: str, args: dict[str, Any]) -> list[R]:
        return [record_of(cls, row) for row in self._all(query, args)]

    # ---- state machines and activities -------------------------------------------------------
    def state_machine(self, arn: str) -> MachineRecord | None:
        row = self._one("state_machine", {"arn": arn})
        return record_of(MachineRecord, row) if row is not None else None

    def state_machines(self, after: str, limit: int) -> list[MachineRecord]:
        return self._records(MachineRecord, "state_machines", {"after": after, "limit": limit})

    def version(self, machine_arn: str, number: int) -> VersionRecord | None:
        row = self._one("version", {"machine_arn": machine_arn, "number": number})
        return record_of(VersionRecord, row) if row is not None else None

    def versions(self, machine_arn: str, below: int, limit: int) -> list[VersionRecord]:
        args = {"machine_arn": machine_arn, "below": below, "limit": limit}
        return self._records(VersionRecord, "versions", args)

    def alias(self, machine_arn: str, name: str) -> AliasRecord | None:
        row = self._one("alias", {"machine_arn": machine_arn, "name": name})
        return record_of(AliasRecord, row) if row is not None else None

    def aliases(self, machine_arn: str, after: str, limit: int) -> list[AliasRecord]:
        args = {"machine_arn": machine_arn, "after": after, "limit": limit}
        return self._records(AliasRecord, "aliases", args)

    def activity(self, arn: str) -> ActivityRecord | None:
        row = self._one("activity", {"arn": arn})
        return record_of(ActivityRecord, row) if row is not None else None

    def activities(self, after: str, limit: int) -> list[ActivityRecord]:
        return self._records(ActivityRecord, "activities", {"after": after, "limit": limit})

    def tags(self, arn: str) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._all("tags", {"arn": arn})}

    def setting(self, name: str) -> str | None:
        row = self._one("setting", {"name": name})
        return str(row["value"]) if row is not None else None

    # ---- executions ---------------------------------------------------------------------------
    def execution(self, arn: str) -> ExecutionRecord | None:
        row = self._one("execution", {"arn": arn})
        return execution_of(row) if row is not None else None

    def executions(
        self,
        machine_arn: str,
        status: str | None,
        before_seq: int,
        limit: int,
        machine_version: int | None = None,
        machine_alias: str | None = None,
        redriven: bool | None = None,
    ) -> list[ExecutionSummary]:
        args: dict[str, Any] = {"machine_arn": machine_arn, "before": before_seq, "limit": limit}
        args["machine_version"], args["machine_alias"] = machine_version, machine_alias
        args["redriven"] = redriven
        if status is None:
            found = self._all("executions", args)
        else:
            found = self._all("executions_by_status", {"status": status, **args})
        return [rows.summary(row) for row in found]

    def map_run(self, arn: str) -> MapRunRecord | None:
        row = self._one("map_run", {"arn": arn})
        return record_of(MapRunRecord, row) if row is not None else None

    def map_runs(self, execution_arn: str) -> list[MapRunRecord]:
        return self._records(MapRunRecord, "map_runs", {"execution_arn": execution_arn})

    def executions_of_map_run(
        self, map_run_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[ExecutionSummary]:
        args = {"map_run": map_run_arn, "status": status, "before": before_seq, "limit": limit}
        return [rows.summary(row) for row in self._all("executions_of_map_run", args)]

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        query = "history_reverse" if reverse else "history_forward"
        found = self._all(query, {"arn": arn, "after": after_id, "limit": limit})
        return rows.history_page(arn, (bytes(row["events"]) for row in found), after_id, limit, reverse)

    def execution_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in self._all("execution_counts", {}):
            counts.setdefault(row["state_machine_arn"], {})[row["status"]] = int(row["n"])
        return counts

    def children(self, arn: str) -> list[str]:
        return [str(row["target"]) for row in self._all("children", {"arn": arn})]

    # ---- tasks --------------------------------------------------------------------------------
    def task(self, token: str) -> TaskRecord | None:
        row = self._one("task", {"token": token})
        return record_of(TaskRecord, row) if row is not None else None

    def activity_backlog(self, activity_arn: str) -> list[TaskRecord]:
        return self._records(TaskRecord, "activity_backlog", {"activity_arn": activity_arn})

    def activity_tasks_waiting(self) -> dict[str, int]:
        return {str(row["activity_arn"]): int(row["n"]) for row in self._all("activity_tasks_waiting", {})}

    # ---- the event outbox ---------------------------------------------------------------------
    def events_waiting(self) -> dict[str, int]:
        return {row["destination"]: int(row["n"]) for row in self._all("events_waiting", {})}


class PostgresReads(Queries):
    """Reads at the last committed state, each on a pooled connection (thread-safe)."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[DictRow]]):
        self.pool = pool

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        with self.pool.connection() as connection:
            return connection.execute(Q[query], args).fetchall()
