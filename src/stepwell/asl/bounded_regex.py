"""Regular expressions that cannot backtrack catastrophically, for JSONata and JSONPath filters.

    compile_bounded("(a+)+$", ignore_case=False, multiline=False, ...) -> BoundedPattern

A definition's regex runs on the executor thread against input the user controls. Python's ``re``
backtracks, and does so in C while holding the GIL: ``(a+)+$`` against 28 ``a``s and a ``!``
stalled the whole server (reads included) for 16 s, doubling per character (issue 9).

Which engine, and why:

- **RE2** (google-re2) first. It matches in time linear in the text, whatever the pattern, so no
  input can make it slow; and it takes the syntax of JavaScript's and Java's regexes for all that
  they share (classes, quantifiers, lazy quantifiers, groups, alternation, anchors, flags).
- **The ``regex`` module** for what RE2 refuses to compile: the backtracking features JavaScript
  (JSONata) and Java (Jayway's ``=~``) allow, lookaround and backreferences. It is called with
  ``concurrent=True``, which releases the GIL while it matches (other threads run), and with a
  ``timeout``: a match that takes longer raises the error the caller gives (for JSONata, AWS's
  evaluation timeout). A watchdog thread could not stop ``re``: C code holding the GIL cannot be
  interrupted from Python, hence an engine that checks its own clock.

The object follows what jsonata-python does with a compiled pattern (``search``, ``finditer`` and
match objects with ``group``/``groups``/``start``/``end``/``groupdict``, ``sub`` with a string or a
function, ``split``), so the library takes it as one of its own regexes. ``sub`` also stops once
its output outgrows ``max_output`` characters, before the string is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final

import re2  # type: ignore[import-untyped]
import regex  # type: ignore[import-untyped]

# A match of the fallback engine that takes longer is a runaway: a backtracking regex over the
# largest payload AWS accepts (256 KiB) takes a few ms when it is not catastrophic.
FALLBACK_TIMEOUT_SECONDS: Final = 0.1

ENGINE_RE2: Final = "re2"
ENGINE_BACKTRACKING: Final = "regex"

_RE2_OPTIONS: Final = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is expected (it falls back): no stderr noise
_RE2_CASELESS: Final = re2.Options()
_RE2_CASELESS.log_errors = False
_RE2_CASELESS.case_sensitive = False

ErrorFactory = Callable[[], Exception]


class BoundedPattern:
    """A compiled regex on RE2 or on the timed backtracking engine (``engine`` says which)."""

    __slots__ = ("_compiled", "_on_oversize", "_on_timeout", "engine", "max_output", "pattern")

    def __init__(
        self,
        pattern: str,
        compiled: Any,
        engine: str,
        on_timeout: ErrorFactory,
        on_oversize: ErrorFactory,
        max_output: int,
    ):
        self.pattern = pattern
        self.engine = engine
        self.max_output = max_output
        self._compiled = compiled
        self._on_timeout = on_timeout
        self._on_oversize = on_oversize

    def __repr__(self) -> str:
        return f"BoundedPattern({self.pattern!r}, engine={self.engine!r})"

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    def search(self, string: str) -> Any:
        return self._run(self._compiled.search, string)

    def fullmatch(self, string: str) -> Any:
        return self._run(self._compiled.fullmatch, string)

    def finditer(self, string: str) -> Iterator[Any]:
        if self.engine == ENGINE_RE2:
            return iter(self._compiled.finditer(string))
        return self._timed_iter(string)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        pieces: list[str] = []
        end = 0
        for count, match in enumerate(self.finditer(string), 1):
            if maxsplit and count > maxsplit:
                break
            if match.end() == match.start() and match.start() in (0, len(string)):
                continue  # like re.split: no empty piece for an empty match at either end
            pieces.append(string[end : match.start()])
            pieces.extend(match.group(g) for g in range(1, self.groups + 1))
            end = match.end()
        pieces.append(string[end:])
        return pieces

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        """``re.sub``: ``repl`` is a function of the match or a template (``\\g<1>``, ``\\1``)."""
        replace: Callable[[Any], str] = repl if callable(repl) else _template(repl, self.groups)
        pieces: list[str] = []
        size = 0
        end = 0
        for done, match in enumerate(self.finditer(string)):
            if count and done >= count:
                break
            replacement = replace(match)
            pieces.append(string[end : match.start()])
            pieces.append(replacement)
            size += match.start() - end + len(replacement)
            if size > self.max_output:
                raise self._on_oversize()
            end = match.end()
        if size + len(string) - end > self.max_output:
            raise self._on_oversize()
        pieces.append(string[end:])
        return "".join(pieces)

    def _run(self, method: Callable[..., Any], string: str) -> Any:
        if self.engine == ENGINE_RE2:
            return method(string)
        try:
            return method(string, concurrent=True, timeout=FALLBACK_TIMEOUT_SECONDS)
        except TimeoutError:
            raise self._on_timeout() from None

    def _timed_iter(self, string: str) -> Iterator[Any]:
        # The module's timeout covers the whole scan of one finditer, not each match.
        matches = self._compiled.finditer(string, concurrent=True, timeout=FALLBACK_TIMEOUT_SECONDS)
        while True:
            try:
                match = next(matches)
            except StopIteration:
                return
            except TimeoutError:
                raise self._on_timeout() from None
            yield match


def compile_bounded(
    pattern: str,
    *,
    ignore_case: bool = False,
    multiline: bool = False,
    dot_all: bool = False,
    verbose: bool = False,
    on_timeout: ErrorFactory,
    on_oversize: ErrorFactory,
    max_output: int,
) -> BoundedPattern:
    """RE2 when it can compile ``pattern``, else the timed engine; raises ``re.error`` if neither can.

    ``verbose`` (Java's COMMENTS flag) has no RE2 equivalent: such a pattern takes the timed engine.
    """
    prefix = ("(?m)" if multiline else "") + ("(?s)" if dot_all else "")
    try:
        if verbose:
            raise re2.error("no comments mode")
        compiled: Any = re2.compile(prefix + pattern, _RE2_CASELESS if ignore_case else _RE2_OPTIONS)
        engine = ENGINE_RE2
    except re2.error:
        flags = regex.V0 | (regex.IGNORECASE if ignore_case else 0)
        flags |= (regex.MULTILINE if multiline else 0) | (regex.DOTALL if dot_all else 0)
        flags |= regex.VERBOSE if verbose else 0
        try:
            compiled = regex.compile(pattern, flags)
        except regex.error as error:
            raise re.error(str(error)) from None
        engine = ENGINE_BACKTRACKING
    return BoundedPattern(pattern, compiled, engine, on_timeout, on_oversize, max_output)


# --- replacement templates -------------------------------------------------------------------------

_TEMPLATE_PART: Final = re.compile(r"\\g<(\w+)>|\\([1-9][0-9]?)|\\\\")


def _template(template: str, groups: int) -> Callable[[Any], str]:
    """``re.sub``'s template as a function: ``\\g<n>``/``\\g<name>``/``\\n`` insert a group and
    ``\\\\`` is one backslash. Other backslashes stay as written, as in JavaScript's replacement
    strings. A missing group raises ``re.error`` with ``re``'s text (jsonata-python retries on it).
    """
    pieces: list[str | tuple[int | str]] = []  # literal text, or (group,)
    end = 0
    for part in _TEMPLATE_PART.finditer(template):
        pieces.append(template[end : part.start()])
        name = part.group(1) or part.group(2)
        if name is None:
            pieces.append("\\")
        elif name.isdigit():
            if int(name) > groups:
                raise re.error(f"invalid group reference {name} at position {part.start() + 1}")
            pieces.append((int(name),))
        else:
            pieces.append((name,))
        end = part.end()
    pieces.append(template[end:])
    if len(pieces) == 1:
        literal = str(pieces[0])
        return lambda match: literal
    return lambda match: "".join(
        piece if isinstance(piece, str) else (match.group(piece[0]) or "") for piece in pieces
    )
