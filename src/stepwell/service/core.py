"""What every use case shares: the store, the executor, the runtime, and AWS's refusals."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from stepwell.arns import STATE_MACHINE, ArnError, ParsedArn, check_name, parse_arn
from stepwell.errors import MAX_REPORTED, ServiceError, violations_message
from stepwell.runtime.batch import Batch
from stepwell.runtime.executor import Executor
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.protocol import Reads, Store
from stepwell.service.pagination import InvalidToken, PageTokens

T = TypeVar("T")

DEFAULT_PAGE = 100
PAGE_TOKEN_SECRET = "page_token_secret"


class Core:
    def __init__(self, store: Store, executor: Executor, runtime: Runtime):
        self.store = store
        self.executor = executor
        self.runtime = runtime
        self.pages = PageTokens(self._secret())

    @property
    def db(self) -> Reads:
        return self.store.reader

    async def write(self, work: Callable[[Batch], T]) -> T:
        """Run ``work`` in the executor's next transaction and wait for the commit."""
        return await asyncio.wrap_future(self.executor.submit(work))

    def _secret(self) -> bytes:
        """The page-token key, kept in the database so tokens outlive a restart (24 h)."""
        kept = self.db.setting(PAGE_TOKEN_SECRET)
        if kept is not None:
            return bytes.fromhex(kept)
        secret = secrets.token_hex(32)
        self.executor.submit(lambda batch: batch.db.add_setting(PAGE_TOKEN_SECRET, secret)).result()
        kept = self.db.setting(PAGE_TOKEN_SECRET)  # another node may have set it first
        assert kept is not None
        return bytes.fromhex(kept)

    # ---- paging -------------------------------------------------------------------------
    def page_size(self, request: dict[str, Any]) -> int:
        return int(request.get("maxResults") or DEFAULT_PAGE)

    def position(self, operation: str, scope: str, request: dict[str, Any]) -> Any:
        token = request.get("nextToken")
        if not token:
            return None
        try:
            return self.pages.decode(operation, scope, token)
        except InvalidToken as bad:
            raise ServiceError("InvalidToken", bad.message) from None

    def next_token(
        self, operation: str, scope: str, rows: list[Any], limit: int, position: Any
    ) -> str | None:
        return self.pages.encode(operation, scope, position) if len(rows) > limit else None

    def page(
        self,
        operation: str,
        scope: str,
        request: dict[str, Any],
        fetch: Callable[[Any, int], list[Any]],
        key: Callable[[Any], Any],
        start: Any = None,
    ) -> tuple[list[Any], str | None]:
        """One page of a listing: ``fetch(position, n)`` reads up to n rows after the position the
        request's nextToken holds (``start`` without one); the nextToken resumes after the page."""
        limit = self.page_size(request)
        position = self.position(operation, scope, request)
        rows = fetch(start if position is None else position, limit + 1)
        page = rows[:limit]
        return page, self.next_token(operation, scope, rows, limit, key(page[-1]) if page else None)


def arn_of(arn: str, expected: str | Collection[str]) -> ParsedArn:
    try:
        return parse_arn(arn, expected)
    except ArnError as bad:
        raise ServiceError(bad.code, bad.message) from None


def unqualified_machine_arn(arn: str) -> str:
    """A state machine's own ARN, not a version's, an alias's or a Map state's (InvalidArn)."""
    parsed = arn_of(arn, STATE_MACHINE)
    if parsed.qualifier is not None or parsed.label is not None:
        raise ServiceError("InvalidArn", f"Invalid Arn: 'Unqualified state machine ARN expected: {arn}'")
    return arn


def valid_name(name: str, what: str = "name") -> str:
    try:
        check_name(name, what)
    except ArnError as bad:
        raise ServiceError(bad.code, bad.message) from None
    return name


def tag_pairs(tags: list[dict[str, Any] | None]) -> dict[str, str]:
    """Tag key -> value. The model leaves a tag's key optional, but a tag without one cannot
    exist: refused as Coral refuses a missing member ("Value null at 'tags.1.member.key' ...")."""
    missing = [
        f"Value null at 'tags.{index}.member.key' failed to satisfy constraint: Member must not be null"
        for index, tag in enumerate(tags, 1)
        if tag is None or tag.get("key") is None
    ]
    if missing:
        raise ServiceError("ValidationException", violations_message(missing[:MAX_REPORTED]))
    return {t["key"]: t.get("value", "") for t in tags if t is not None}


def tags_of(request: dict[str, Any]) -> dict[str, str]:
    tags = tag_pairs(request.get("tags") or [])
    if len(tags) > 50:
        raise ServiceError("TooManyTags", "Too many tags: a resource can have at most 50 tags")
    return tags
