"""What the Describe calls add to a definition they return: ``variableReferences``, and
``includedData``.

"includedData: If your state machine definition is encrypted with a KMS key, callers must have
kms:Decrypt permission to decrypt the definition. Alternatively, you can call the API with
includedData = METADATA_ONLY to get a successful response without the encrypted definition"
(DescribeStateMachine; DescribeExecution likewise leaves out the encrypted input and output).
stepwell encrypts nothing, but answers as AWS does for a machine configured with a customer
managed key: without what would be encrypted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from stepwell.asl.jsoncodec import JsonError, loads
from stepwell.asl.variable_references import variable_references

METADATA_ONLY = "METADATA_ONLY"
CUSTOMER_KEY = "CUSTOMER_MANAGED_KMS_KEY"


def withheld(request: dict[str, Any], config: dict[str, Any]) -> bool:
    """Whether the answer leaves out the data a customer managed key would encrypt."""
    encryption = config.get("encryptionConfiguration") or {}
    return request.get("includedData") == METADATA_ONLY and encryption.get("type") == CUSTOMER_KEY


def with_definition(
    out: dict[str, Any], definition: str, config: dict[str, Any], request: dict[str, Any]
) -> dict[str, Any]:
    """``out`` with its definition (unless withheld) and the definition's variable references."""
    if withheld(request, config):
        out.pop("definition", None)
    references = _references(definition)
    if references:
        out["variableReferences"] = references
    return out


@lru_cache(maxsize=256)
def _references(definition: str) -> dict[str, list[str]]:
    try:
        parsed = loads(definition)
    except JsonError:
        return {}
    return variable_references(parsed) if isinstance(parsed, dict) else {}
