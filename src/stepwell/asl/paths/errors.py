"""The errors of JSONPath: ``InvalidPath`` for text that does not parse, ``PathNotFound`` for a
definite path that matches nothing, with the message Jayway gives for it ("No results for path:
$['a']", "Missing property in path $['a']", ...)."""

from __future__ import annotations

from typing import Any

from stepwell.asl import jsoncodec
from stepwell.asl.paths import tree as tree


class PathNotFound(Exception):
    """A definite path matched nothing. ``detail`` is Jayway's message; ``str()`` is the text AWS
    reports for InputPath/OutputPath: "Invalid path '$.x' : No results for path: $['x']"."""

    def __init__(self, path: str, detail: str):
        self.path = path
        self.detail = detail
        super().__init__(f"Invalid path '{path}' : {detail}")


class InvalidPath(ValueError):
    """A path that does not parse (validation reports it as SCHEMA_VALIDATION_FAILED)."""


# Jayway's messages name the Java class of the offending value and the JSON provider in use; AWS's
# provider is not documented, Jayway's default (json-smart) is assumed.
_PROVIDER = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"


def render(parsed: tree.ParsedPath, *extra: tree.Selector | tree.Function) -> str:
    """Jayway's canonical form of a path, as its messages print it: $['a'][0][*]..['b']"""
    tokens: list[tree.Selector | tree.Function] = [*parsed.selectors]
    if parsed.function is not None:
        tokens.append(parsed.function)
    tokens.extend(extra)
    return "$" + "".join(_fragment(t) for t in tokens)


def _fragment(token: tree.Selector | tree.Function) -> str:
    if isinstance(token, tree.Name):
        return f"['{token.key}']"
    if isinstance(token, tree.NameUnion):
        return "[" + ",".join(f"'{k}'" for k in token.keys) + "]"
    if isinstance(token, tree.Index):
        return f"[{token.index}]"
    if isinstance(token, tree.IndexUnion):
        return "[" + ",".join(str(i) for i in token.indices) + "]"
    if isinstance(token, tree.Slice):
        start = "" if token.start is None else str(token.start)
        stop = "" if token.stop is None else str(token.stop)
        return f"[{start}:{stop}]"
    if isinstance(token, tree.Wildcard):
        return "[*]"
    if isinstance(token, tree.Filter):
        return "[?]"
    if isinstance(token, tree.Scan):
        return ".." + _fragment(token.target)
    return f".{token.name}()"


def not_found_detail(parsed: tree.ParsedPath, root: Any) -> str:
    """Re-walk a definite path that failed, producing the message Jayway raises."""
    tokens: list[tree.Selector | tree.Function] = list(parsed.selectors)
    if parsed.function is not None:
        tokens.append(parsed.function)
    full = render(parsed)
    current = "$"
    value = root
    for i, token in enumerate(tokens):
        leaf = i == len(tokens) - 1
        fragment = _fragment(token)
        if isinstance(token, tree.Name | tree.NameUnion):
            if type(value) is not dict:
                return (
                    f"Expected to find an object with property {fragment} in path {current} but found "
                    f"'{_java_class(value)}'. This is not a json object according to the JsonProvider: "
                    f"'{_PROVIDER}'."
                )
            if isinstance(token, tree.NameUnion):
                return f"No results for path: {full}"
            if token.key not in value:
                if leaf:
                    return f"No results for path: {full}"
                return f"Missing property in path {current}{fragment}"
            value = value[token.key]
        elif isinstance(token, tree.Index):
            if value is None:
                return f"The path {current} is null"
            if type(value) is not list:
                remaining = "".join(_fragment(t) for t in tokens[i:])
                return (
                    f"Filter: {remaining} can only be applied to arrays. "
                    f"Current context is: {jsoncodec.dumps_text(value)}"
                )
            n = len(value)
            if not -n <= token.index < n:
                return f"No results for path: {full}"
            value = value[token.index]
        current += fragment
    return f"No results for path: {full}"


def _java_class(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -(2**31) <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    return "net.minidev.json.JSONObject"
