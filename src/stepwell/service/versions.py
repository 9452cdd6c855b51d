"""State machine versions: published with CreateStateMachine or UpdateStateMachine (``publish``)
or by PublishStateMachineVersion; listed newest first, described and deleted by their ARN
(``stateMachine:<name>:<number>``). A version is the machine's revision as it was: definition,
role and configuration, immutable; numbers start at 1 and are never given twice, not even after a
deletion."""

from __future__ import annotations

import json
from typing import Any

from stepwell.arns import STATE_MACHINE, state_machine_version_arn
from stepwell.errors import ServiceError
from stepwell.runtime.batch import Batch
from stepwell.runtime.store.protocol import Transaction
from stepwell.runtime.store.records import MachineRecord, VersionRecord
from stepwell.service.aliases import aliases_of_version
from stepwell.service.core import Core, arn_of, unqualified_machine_arn
from stepwell.service.described import with_definition

EVERY_VERSION = 1 << 62  # above any version number: a listing from the newest


def version_parts(arn: str) -> tuple[str, int]:
    """(machine ARN, version number) of a version ARN (InvalidArn for any other ARN)."""
    parsed = arn_of(arn, STATE_MACHINE)
    if not parsed.is_version or parsed.label is not None or parsed.qualifier is None:
        raise ServiceError("InvalidArn", f"Invalid Arn: 'Version ARN expected: {arn}'")
    return parsed.unqualified, int(parsed.qualifier)


# "Maximum number of published versions per state machine: 1000" (Step Functions quotas); AWS's
# message for reaching it is not recorded anywhere we know of.
MAX_VERSIONS = 1000


def publish(db: Transaction, row: MachineRecord, description: str | None, now: float) -> VersionRecord:
    """The version of the machine's current revision: the one published before (publishing is
    idempotent), or a new one. A revision published before is the newest version if any: each
    later version would be of a later revision."""
    newest = db.versions(row.arn, EVERY_VERSION, 1)
    if newest and newest[0].revision_id == row.revision_id:
        return newest[0]
    if newest and len(db.versions(row.arn, EVERY_VERSION, MAX_VERSIONS)) >= MAX_VERSIONS:
        raise ServiceError(
            "ServiceQuotaExceededException",
            f"The state machine '{row.arn}' has the maximum of {MAX_VERSIONS} versions: delete one to "
            "publish another.",
        )
    version = VersionRecord(
        machine_arn=row.arn,
        number=db.next_version_number(row.arn),
        revision_id=row.revision_id,
        definition=row.definition,
        role_arn=row.role_arn,
        config=row.config,
        description=description,
        created=now,
    )
    db.insert_version(version)
    return version


class Versions:
    def __init__(self, core: Core):
        self.core = core

    def version_of(self, arn: str) -> VersionRecord:
        """The version a version ARN names."""
        machine_arn, number = version_parts(arn)
        version = self.core.db.version(machine_arn, number)
        if version is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return version

    async def publish(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = unqualified_machine_arn(request["stateMachineArn"])
        expected = request.get("revisionId")
        description = request.get("description")
        clock = self.core.runtime.clock

        def publish_version(batch: Batch) -> dict[str, Any]:
            row = batch.db.state_machine(arn)
            if row is None or row.status != "ACTIVE":
                raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
            if expected is not None and expected != row.revision_id:
                raise ServiceError(
                    "ConflictException",
                    f"Failed to publish the State Machine version for revision {expected}. "
                    f"The current State Machine revision is {row.revision_id}.",
                )
            version = publish(batch.db, row, description, clock())
            return {
                "stateMachineVersionArn": state_machine_version_arn(arn, version.number),
                "creationDate": version.created,
            }

        return await self.core.write(publish_version)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = unqualified_machine_arn(request["stateMachineArn"])
        db = self.core.db
        if db.state_machine(arn) is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        page, token = self.core.page(
            "ListStateMachineVersions",
            arn,
            request,
            lambda below, n: db.versions(arn, below, n),
            lambda v: v.number,
            start=EVERY_VERSION,
        )
        return {
            "stateMachineVersions": [
                {
                    "stateMachineVersionArn": state_machine_version_arn(arn, v.number),
                    "creationDate": v.created,
                }
                for v in page
            ],
            "nextToken": token,
        }

    async def delete(self, request: dict[str, Any]) -> dict[str, Any]:
        machine_arn, number = version_parts(request["stateMachineVersionArn"])

        def delete_version(batch: Batch) -> dict[str, Any]:
            routed = aliases_of_version(batch.db, machine_arn, number)
            if routed:
                raise ServiceError(
                    "ConflictException",
                    "Version to be deleted must not be referenced by an alias. Current list of aliases "
                    f"referencing this version: [{', '.join(routed)}]",
                )
            batch.db.delete_version(machine_arn, number)  # a version gone already: nothing to do
            return {}

        return await self.core.write(delete_version)

    def describe(
        self,
        version: VersionRecord,
        machine: MachineRecord,
        shown_revision: str | None,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """DescribeStateMachine of a version ARN."""
        config = json.loads(version.config)
        out: dict[str, Any] = {
            "stateMachineArn": state_machine_version_arn(version.machine_arn, version.number),
            "name": machine.name,
            "status": machine.status,
            "definition": version.definition,
            "roleArn": version.role_arn,
            "type": machine.type,
            "creationDate": version.created,
            "loggingConfiguration": config["loggingConfiguration"],
            "tracingConfiguration": config["tracingConfiguration"],
        }
        if shown_revision is not None:
            out["revisionId"] = shown_revision
        if version.description is not None:
            out["description"] = version.description
        if "encryptionConfiguration" in config:
            out["encryptionConfiguration"] = config["encryptionConfiguration"]
        return with_definition(out, version.definition, config, request)
