"""Tags on state machines and activities (reference §9.5)."""

from __future__ import annotations

from typing import Any

from stepwell.arns import ACTIVITY, STATE_MACHINE
from stepwell.errors import ServiceError
from stepwell.runtime.batch import Batch
from stepwell.service.core import Core, arn_of, tag_pairs

MAX_TAGS = 50


class Tags:
    def __init__(self, core: Core):
        self.core = core

    def _resource(self, arn: str) -> str:
        parsed = arn_of(arn, {STATE_MACHINE, ACTIVITY})
        db = self.core.db
        row = db.state_machine(arn) if parsed.resource_type == STATE_MACHINE else db.activity(arn)
        if row is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
        return arn

    async def tag(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = self._resource(request["resourceArn"])
        tags = tag_pairs(request["tags"])

        def tag(batch: Batch) -> dict[str, Any]:
            current = set(batch.db.tags(arn))
            if len(current | set(tags)) > MAX_TAGS:
                raise ServiceError(
                    "TooManyTags", f"Too many tags: a resource can have at most {MAX_TAGS} tags"
                )
            batch.db.set_tags(arn, tags)
            return {}

        return await self.core.write(tag)

    async def untag(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = self._resource(request["resourceArn"])
        keys = list(request["tagKeys"])

        def untag(batch: Batch) -> dict[str, Any]:
            batch.db.delete_tags(arn, keys)
            return {}

        return await self.core.write(untag)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = self._resource(request["resourceArn"])
        return {"tags": [{"key": key, "value": value} for key, value in self.core.db.tags(arn).items()]}
