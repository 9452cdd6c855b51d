"""The quota of versions: "Maximum number of published versions per state machine: 1000" (Step
Functions quotas), refused with the model's ServiceQuotaExceededException (aliases' quota:
tests/server/test_aliases.py)."""

from __future__ import annotations

import dataclasses

import pytest

from stepwell.errors import ServiceError
from stepwell.runtime.store.memory import MemoryStore
from stepwell.service.versions import MAX_VERSIONS, publish
from tests.runtime.store.test_contract import machine


def test_a_machine_with_the_maximum_of_versions_publishes_no_more() -> None:
    store, row = MemoryStore(), machine("m")
    with store.writer.transaction() as db:
        db.insert_machine(row)
        for number in range(MAX_VERSIONS):
            publish(db, dataclasses.replace(row, revision_id=f"rev-{number}"), None, 1.0)
        again = publish(db, dataclasses.replace(row, revision_id=f"rev-{MAX_VERSIONS - 1}"), None, 2.0)
        assert again.number == MAX_VERSIONS, "the current revision's version is still answered"
        with pytest.raises(ServiceError) as refused:
            publish(db, dataclasses.replace(row, revision_id="one-more"), None, 3.0)
    assert refused.value.code == "ServiceQuotaExceededException"
    assert f"maximum of {MAX_VERSIONS} versions" in refused.value.message
