"""Helpers the validation unit tests share: a state's ``Site`` and diagnostics as triples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stepwell.asl.validate.walk import Site, sites
from stepwell.errors import Diagnostic

Triple = tuple[str, str, str | None]
PASS_END: dict[str, Any] = {"Type": "Pass", "End": True}


def one_state(state: Mapping[str, Any], **top: Any) -> dict[str, Any]:
    return {**top, "StartAt": "X", "States": {"X": dict(state)}}


def site_of(definition: Mapping[str, Any], name: str = "X") -> Site:
    """The ``Site`` of the state called ``name`` anywhere in ``definition``."""
    for site in sites(definition):
        if site.name == name:
            return site
    raise KeyError(name)


def triples(diagnostics: Iterable[Diagnostic]) -> list[Triple]:
    return [(d.code, d.message, d.location) for d in diagnostics]


def schema(message: str, location: str | None) -> Triple:
    return ("SCHEMA_VALIDATION_FAILED", message, location)
