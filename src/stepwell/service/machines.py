"""State machines: create, describe, update, delete, list, validate (reference §1, §1.3)."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from typing import Any

import orjson

from stepwell.arns import STATE_MACHINE, state_machine_version_arn
from stepwell.asl import jsoncodec
from stepwell.asl.jsoncodec import MAX_DEPTH, JsonError, JsonLimitError, escape_surrogates, has_surrogates
from stepwell.asl.validate import validate_definition
from stepwell.errors import DefinitionError, Diagnostic, ServiceError
from stepwell.runtime.batch import Batch
from stepwell.runtime.store.records import MachineRecord
from stepwell.service.aliases import Aliases, routed_version
from stepwell.service.core import Core, arn_of, tags_of, valid_name
from stepwell.service.described import with_definition
from stepwell.service.versions import Versions, publish

DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}
# A machine's first revision, which AWS never shows (DescribeStateMachine has a revisionId only
# once UpdateStateMachine gave one); stored all the same, as executions and versions refer to it.
INITIAL_REVISION = "initial-"
_UNQUALIFIED = (
    "A state machine's own ARN is expected, not a version's, an alias's or a Map state's: '{arn}' "
    "(versions and aliases have operations of their own)"
)
VALIDATION_MAX_RESULTS = 100
SHARED_CACHE_SECONDS = 1.0


def _checked_definition(definition: str, machine_type: str) -> str:
    """The definition as stored, once valid: a raw lone surrogate (in a string of the document,
    since it parsed) is stored as its escape, the same document in text SQLite can hold."""
    errors = [d for d in definition_diagnostics(definition, machine_type) if d.severity == "ERROR"]
    if errors:
        raise ServiceError("InvalidDefinition", DefinitionError(errors).aws_message())
    return escape_surrogates(definition) if has_surrogates(definition) else definition


def definition_diagnostics(definition: str, machine_type: str = "STANDARD") -> list[Diagnostic]:
    """The validator's diagnostics; a definition beyond Jackson's limits (nested deeper than 1000)
    is not JSON AWS reads, and is refused before the validator would recurse through it."""
    if definition.count("[") + definition.count("{") > MAX_DEPTH:
        try:
            jsoncodec.loads(definition)
        except JsonLimitError as beyond:
            return [Diagnostic("ERROR", "INVALID_JSON_DESCRIPTION", beyond.message)]
        except JsonError:
            pass  # malformed: the validator says how, in AWS's words
    diagnostics: list[Diagnostic] = validate_definition(definition, machine_type)
    return diagnostics


def _logging(request: dict[str, Any]) -> dict[str, Any]:
    logging = dict(request.get("loggingConfiguration") or DEFAULT_LOGGING)
    logging.setdefault("level", "OFF")
    logging.setdefault("includeExecutionData", False)
    if logging["level"] != "OFF" and len(logging.get("destinations") or ()) != 1:
        raise ServiceError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    return logging


def _config(request: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "loggingConfiguration": _logging(request),
        "tracingConfiguration": dict(request.get("tracingConfiguration") or DEFAULT_TRACING),
    }
    if request.get("encryptionConfiguration"):
        config["encryptionConfiguration"] = request["encryptionConfiguration"]
    return config


def _publishing(request: dict[str, Any]) -> bool:
    if request.get("versionDescription") and not request.get("publish"):
        raise ServiceError("ValidationException", "Version description can only be set when publish is true")
    return bool(request.get("publish"))


def shown_revision(revision_id: str) -> str | None:
    """The revisionId DescribeStateMachine shows: none for the first revision."""
    return None if revision_id.startswith(INITIAL_REVISION) else revision_id


class Machines:
    def __init__(self, core: Core):
        self.core = core
        # State machines by ARN, with when they were read; it keeps StartExecution off the disk.
        # On an exclusive store this process is the only writer, so the cache is exact: update
        # and delete drop their entry once committed. On a shared one another node may change a
        # machine: an entry serves for SHARED_CACHE_SECONDS ("UpdateStateMachine ... is eventually
        # consistent": AWS, too, may start an execution on the previous definition for a moment).
        self._rows: dict[str, tuple[MachineRecord, float]] = {}
        self.versions = Versions(core)
        self.aliases = Aliases(core)

    async def create(self, request: dict[str, Any]) -> dict[str, Any]:
        name = valid_name(request["name"])
        machine_type = request.get("type") or "STANDARD"
        publishing = _publishing(request)
        definition = _checked_definition(request["definition"], machine_type)
        config = _config(request)
        tags = tags_of(request)
        runtime = self.core.runtime
        arn = runtime.state_machine_arn(name)

        def create(batch: Batch) -> dict[str, Any]:
            existing = batch.db.state_machine(arn)
            if existing is not None:
                same = (
                    existing.definition == definition
                    and existing.type == machine_type
                    and json.loads(existing.config) == config
                )
                if same:  # CreateStateMachine is idempotent on these; roleArn and tags are ignored
                    again: dict[str, Any] = {"stateMachineArn": arn, "creationDate": existing.created}
                    if publishing:  # the version of its revision: the one published, or a new one
                        version = publish(
                            batch.db, existing, request.get("versionDescription"), runtime.clock()
                        )
                        again["stateMachineVersionArn"] = state_machine_version_arn(arn, version.number)
                    return again
                raise ServiceError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            now = runtime.clock()
            machine = MachineRecord(
                arn=arn,
                name=name,
                type=machine_type,
                status="ACTIVE",
                definition=definition,
                role_arn=request["roleArn"],
                config=json.dumps(config),
                revision_id=INITIAL_REVISION + uuid.uuid4().hex,
                created=now,
                updated=now,
            )
            batch.db.insert_machine(machine)
            batch.db.set_tags(arn, tags)
            created: dict[str, Any] = {"stateMachineArn": arn, "creationDate": now}
            if publishing:
                version = publish(batch.db, machine, request.get("versionDescription"), now)
                created["stateMachineVersionArn"] = state_machine_version_arn(arn, version.number)
            return created

        return await self.core.write(create)

    def row(self, arn: str) -> MachineRecord:
        parsed = arn_of(arn, STATE_MACHINE)
        if parsed.qualifier is not None or parsed.label is not None:
            raise ServiceError("ValidationException", _UNQUALIFIED.format(arn=arn))
        now = time.monotonic()
        cached = self._rows.get(arn)
        if cached is not None and (self.core.store.exclusive or now - cached[1] < SHARED_CACHE_SECONDS):
            return cached[0]
        row = self.core.db.state_machine(arn)
        if row is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        if len(self._rows) > 4096:
            self._rows.clear()
        if row.status == "ACTIVE":  # the executor deletes a DELETING machine on its own
            self._rows[arn] = (row, now)
        return row

    def as_run(self, arn: str) -> tuple[MachineRecord, int | None, str | None]:
        """The machine as an execution started on the ARN runs it, the version number and the
        alias name: a version ARN runs that version's definition, role and configuration, an
        alias ARN one of its versions, drawn by their weights."""
        parsed = arn_of(arn, STATE_MACHINE)
        alias_name = None
        if parsed.is_alias:
            alias = self.aliases.alias_of(arn)
            alias_name = alias.name
            arn = routed_version(alias)
        elif not parsed.is_version:
            return self.row(arn), None, None
        version = self.versions.version_of(arn)
        row = self.row(version.machine_arn)
        as_published = dataclasses.replace(
            row,
            definition=version.definition,
            role_arn=version.role_arn,
            config=version.config,
            revision_id=version.revision_id,
        )
        return as_published, version.number, alias_name

    async def describe(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineArn"]
        if arn_of(arn, STATE_MACHINE).is_version:
            version = self.versions.version_of(arn)
            machine = self.row(version.machine_arn)
            return self.versions.describe(version, machine, shown_revision(version.revision_id), request)
        row = self.row(arn)
        config = json.loads(row.config)
        out: dict[str, Any] = {
            "stateMachineArn": row.arn,
            "name": row.name,
            "status": row.status,
            "definition": row.definition,
            "roleArn": row.role_arn,
            "type": row.type,
            "creationDate": row.created,
            "loggingConfiguration": config["loggingConfiguration"],
            "tracingConfiguration": config["tracingConfiguration"],
        }
        revision = shown_revision(row.revision_id)
        if revision is not None:
            out["revisionId"] = revision
        if "encryptionConfiguration" in config:
            out["encryptionConfiguration"] = config["encryptionConfiguration"]
        return with_definition(out, row.definition, config, request)

    async def update(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineArn"]
        row = self.row(arn)
        changes = (
            "definition",
            "roleArn",
            "loggingConfiguration",
            "tracingConfiguration",
            "encryptionConfiguration",
        )
        if not any(request.get(key) is not None for key in changes):
            raise ServiceError(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration "
                "must be specified",
            )
        publishing = _publishing(request)
        definition = request.get("definition") or row.definition
        if request.get("definition") is not None:
            definition = _checked_definition(definition, row.type)
        config = json.loads(row.config)
        if request.get("loggingConfiguration") is not None:
            config["loggingConfiguration"] = _logging(request)
        if request.get("tracingConfiguration") is not None:
            config["tracingConfiguration"] = request["tracingConfiguration"]
        if request.get("encryptionConfiguration") is not None:
            config["encryptionConfiguration"] = request["encryptionConfiguration"]
        role = request.get("roleArn") or row.role_arn
        runtime = self.core.runtime
        revision = str(uuid.uuid4())

        def update(batch: Batch) -> dict[str, Any]:
            now = runtime.clock()
            batch.db.update_machine(
                arn,
                definition=definition,
                role_arn=role,
                config=json.dumps(config),
                revision_id=revision,
                updated=now,
            )
            updated: dict[str, Any] = {"updateDate": now, "revisionId": revision}
            if publishing:
                machine = batch.db.state_machine(arn)
                if machine is None:
                    raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
                version = publish(batch.db, machine, request.get("versionDescription"), now)
                updated["stateMachineVersionArn"] = state_machine_version_arn(arn, version.number)
            return updated

        try:
            return await self.core.write(update)
        finally:
            self._rows.pop(arn, None)

    async def delete(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["stateMachineArn"]
        parsed = arn_of(arn, STATE_MACHINE)
        if parsed.qualifier is not None or parsed.label is not None:
            raise ServiceError("ValidationException", _UNQUALIFIED.format(arn=arn))

        def delete(batch: Batch) -> dict[str, Any]:
            # "It sets the state machine's status to DELETING ... A state machine is deleted only
            # when all its executions are completed": the executor ends them at their next step.
            if batch.db.has_running(arn):
                batch.db.set_machine_status(arn, "DELETING")
            else:
                batch.delete_state_machine(arn)
            return {}

        try:
            return await self.core.write(delete)
        finally:
            self._rows.pop(arn, None)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        page, token = self.core.page(
            "ListStateMachines", "", request, self.core.db.state_machines, lambda r: r.arn, start=""
        )
        return {
            "stateMachines": [
                {
                    "stateMachineArn": r.arn,
                    "name": r.name,
                    "type": r.type,
                    "creationDate": r.created,
                }
                for r in page
            ],
            "nextToken": token,
        }

    async def validate(self, request: dict[str, Any]) -> dict[str, Any]:
        diagnostics = definition_diagnostics(request["definition"], request.get("type") or "STANDARD")
        if request.get("severity", "ERROR") == "ERROR":
            diagnostics = [d for d in diagnostics if d.severity == "ERROR"]
        limit = int(request.get("maxResults") or VALIDATION_MAX_RESULTS)
        failed = any(d.severity == "ERROR" for d in diagnostics)
        return {
            "result": "FAIL" if failed else "OK",
            "diagnostics": [d.to_json() for d in diagnostics[:limit]],
            "truncated": len(diagnostics) > limit,
        }


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()
