"""JSONata's regex literals (``/pattern/flags``) on bounded_regex: RE2, or a timed fallback.

jsonata-python compiles a literal at parse time with the ``regex_engine`` it is given; this one
keeps JavaScript's two JSONata flags (``i``: ignore case, ``m``: ``^``/``$`` at line breaks) and,
for a pattern only the backtracking engine takes (lookaround, backreferences), ends a runaway match
with AWS's evaluation timeout, as jsonata-js's timebox would have ended it on AWS.
"""

from __future__ import annotations

from jsonata.regex_engine import RegexFlags

from stepwell.asl.bounded_regex import BoundedPattern, compile_bounded
from stepwell.asl.jsonata.errors import TIMEOUT_MESSAGE, EvaluationBound
from stepwell.asl.jsonata.limits import MAX_STRING_LENGTH, memory_exceeded


def _timeout() -> EvaluationBound:
    return EvaluationBound(TIMEOUT_MESSAGE)


def jsonata_regex_engine(pattern: str, flags: RegexFlags) -> BoundedPattern:
    """The library's ``RegexEngine``: raises ``re.error`` for a pattern no engine compiles."""
    return compile_bounded(
        pattern,
        ignore_case=flags.case_insensitive,
        multiline=flags.multiline,
        on_timeout=_timeout,
        on_oversize=memory_exceeded,
        max_output=MAX_STRING_LENGTH,
    )
