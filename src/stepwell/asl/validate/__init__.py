"""Static validation of a state machine definition, as AWS's ValidateStateMachineDefinition and
CreateStateMachine judge it.

``validate_definition`` returns every diagnostic; the definition is valid iff none has severity
``ERROR``. Passes, each over the raw JSON:

1. JSON text -> object (``validate_json``): ``INVALID_JSON_DESCRIPTION`` with Jackson's words, or
   ``SCHEMA_VALIDATION_FAILED`` "Definition must be a valid JSON object"; nothing else runs then.
2. Schema (``validate_schema`` + ``validate_states``/``validate_map``/``validate_errors``/
   ``validate_choice``/``validate_resources``): fields, types, ranges, query-language rules.
5. EXPRESS restrictions (``validate_resources.check_express``), reported with the schema.
4. Expressions (``validate_expressions``): paths, templates, intrinsics, Choice rules, JSONata — run
   only on a definition whose schema holds, since the compilers assume the shapes; with them the
   variable names and scopes of every ``Assign`` (``validate_variables``).
3. Names and transitions (``validate_graph``): run only when passes 2, 4 and 5 found no error, as
   AWS's static analysis runs on a definition that has passed schema validation (a definition
   without ``StartAt`` is reported only as such, recorded against AWS).

Order: AWS returns diagnostics sorted by location — every pair recorded (floci-io/floci's
measurements: "/QueryLanguage" before "/States/X", "/States/X" before "/States/X/QueryLanguage",
"/StartAt" before "/States/A", "/States/A/Next" before the location-less MISSING_END_STATE) is in
that order — so the result is sorted by location (string order, a missing location last); entries
with the same location keep the order the passes found them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepwell.asl.validate.expressions import check_expressions
from stepwell.asl.validate.graph import check_graph
from stepwell.asl.validate.json_text import NOT_AN_OBJECT, load_definition_text
from stepwell.asl.validate.resources import check_express
from stepwell.asl.validate.schema import check_schema
from stepwell.asl.validate.states import STATE_CHECKS
from stepwell.asl.validate.variables import check_variables
from stepwell.asl.validate.walk import schema_error
from stepwell.asl.validate.warnings import check_warnings
from stepwell.errors import Diagnostic

__all__ = ["validate_definition"]

EXPRESS = "EXPRESS"


def validate_definition(
    definition: str | Mapping[str, Any], machine_type: str = "STANDARD"
) -> list[Diagnostic]:
    """Every problem AWS would report for ``definition`` on a machine of type ``machine_type``."""
    duplicate_keys: Mapping[int, list[str]] = {}
    if isinstance(definition, str):
        loaded = load_definition_text(definition)
        if loaded.diagnostic is not None:
            return [loaded.diagnostic]
        raw: Any = loaded.value
        duplicate_keys = loaded.duplicate_keys
    else:
        raw = definition
    if not isinstance(raw, Mapping):
        return [schema_error(NOT_AN_OBJECT, "/")]

    diagnostics = check_schema(raw, STATE_CHECKS)
    if machine_type == EXPRESS:
        diagnostics += check_express(raw)
    if not _has_error(diagnostics):
        diagnostics += check_expressions(raw)
        diagnostics += check_variables(raw)
    if not _has_error(diagnostics):
        diagnostics += check_graph(raw, duplicate_keys)
        diagnostics += check_warnings(raw)
    return sorted(diagnostics, key=_order)


def _has_error(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "ERROR" for d in diagnostics)


def _order(diagnostic: Diagnostic) -> tuple[bool, str]:
    return (diagnostic.location is None, diagnostic.location or "")
