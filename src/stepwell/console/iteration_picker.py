"""The iteration picker above the graph: per Map state its iterations, per Parallel state its branches,
named as people know them and paged on the server.

AWS's Map iteration viewer: "choose the iteration that you want to view. Iterations are counted from
zero. To choose the third iteration out of five, choose **#2** from the dropdown list next to the
**Map** state's name", with the "Failed" and "Aborted" iterations listed apart. So a Map's choices read
``#0``, ``#1``, ... next to the Map's *name* (never its id, ``Price~20items``), and a Parallel's
branches read as the name of the state each branch starts at (ASL gives branches no other name).

A Map can run thousands of iterations: one page shows ``PAGE_SIZE`` of them, with links to the
previous and next pages and a number to go to; the failed and aborted lists show the first
``LISTED`` of each. Every link is a plain GET (``?iteration=<container id>:<index>``,
``?page=<container id>:<page>``, or ``iteration_of=<container id>&index=<n>`` from the number form) that
keeps the page's event filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from stepwell.console.history_index import HistoryIndex
from stepwell.console.ids import StateRef, name_of
from stepwell.console.iterations import IterationSummary, iterations
from stepwell.console.state_status import Iteration, Status

PAGE_SIZE = 50
LISTED = 20  # failed / aborted iterations listed by number
# AWS's words for an iteration's status ("Map: iteration counts Failed/Aborted/Succeeded/InProgress").
COUNT_LABELS = {
    Status.SUCCEEDED: "Succeeded",
    Status.FAILED: "Failed",
    Status.CANCELLED: "Aborted",
    Status.IN_PROGRESS: "In progress",
}


@dataclass(frozen=True, slots=True)
class Choice:
    index: int  # the iteration index or branch number, as in ?iteration=<container>:<index>
    label: str  # "#7", or the branch's first state's name
    status: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Picker:
    id: str  # the Map or Parallel state's id (the graph's node id)
    name: str  # its name
    kind: str  # "Map" | "Parallel"
    total: int  # iterations (or branch runs) recorded so far
    counts: tuple[tuple[str, str, int], ...]  # (status, label, how many), the statuses present only
    choices: tuple[Choice, ...]  # this page's
    first_shown: int  # 1-based positions of this page's first and last choice
    last_shown: int
    previous_href: str  # "" on the first page
    next_href: str  # "" on the last page
    all_href: str
    all_current: bool  # no iteration of this container is selected
    failed: tuple[Choice, ...]
    aborted: tuple[Choice, ...]
    more_failed: int  # failed iterations beyond the LISTED shown
    more_aborted: int
    max_index: int  # the greatest index: the number form's bound
    keep: tuple[tuple[str, str], ...]  # query parameters the number form carries along


def pickers(
    index: HistoryIndex,
    definition: str | Mapping[str, Any],
    current: Iteration | None = None,
    page: tuple[str, int] | None = None,
    keep: Mapping[str, str] | None = None,
) -> list[Picker]:
    """One picker per Map/Parallel state that has run, in the order the history first shows them.

    ``current`` is the selected iteration; ``page`` = (container id, page number) the page a
    container's list was turned to (else the page holding the selection, else the first); ``keep``
    the query parameters (event filters) every link keeps."""
    refs = {ref.id: ref for ref in index.refs.values()}
    kept = dict(keep or {})
    found = []
    for container, summaries in iterations(definition, index).items():
        ordered = sorted(summaries, key=lambda s: (s.visit_event_id, s.index))
        ref = refs.get(container)
        found.append(_picker(container, ref, ordered, current, page, kept))
    return found


def _picker(
    container: str,
    ref: StateRef | None,
    summaries: Sequence[IterationSummary],
    current: Iteration | None,
    page: tuple[str, int] | None,
    keep: dict[str, str],
) -> Picker:
    kind = ref.type if ref is not None else "Map"
    branch_names = _branch_names(ref) if kind == "Parallel" else []
    selected = current[1] if current is not None and current[0] == container else None

    def label(number: int) -> str:
        if kind == "Parallel" and number < len(branch_names):
            return branch_names[number]
        return f"#{number}"

    def choice(summary: IterationSummary) -> Choice:
        query = {**keep, "iteration": f"{container}:{summary.index}"}
        href = _href(query, container)
        return Choice(summary.index, label(summary.index), summary.status, href, summary.index == selected)

    pages = max(1, -(-len(summaries) // PAGE_SIZE))
    shown = _page_shown(container, summaries, selected, page, pages)
    window = summaries[shown * PAGE_SIZE : (shown + 1) * PAGE_SIZE]
    selection = {"iteration": f"{current[0]}:{current[1]}"} if current is not None else {}

    def turn(to: int) -> str:
        return _href({**keep, **selection, "page": f"{container}:{to}"}, container)

    failed = [s for s in summaries if s.status == Status.FAILED]
    aborted = [s for s in summaries if s.status == Status.CANCELLED]
    statuses = [s.status for s in summaries]
    counts = tuple(
        (status.value, text, statuses.count(status.value))
        for status, text in COUNT_LABELS.items()
        if status.value in statuses
    )
    return Picker(
        id=container,
        name=ref.name if ref is not None else name_of(container),
        kind=kind,
        total=len(summaries),
        counts=counts,
        choices=tuple(choice(s) for s in window),
        first_shown=shown * PAGE_SIZE + 1 if window else 0,
        last_shown=shown * PAGE_SIZE + len(window),
        previous_href=turn(shown - 1) if shown > 0 else "",
        next_href=turn(shown + 1) if shown + 1 < pages else "",
        all_href=_href(keep, container),
        all_current=selected is None,
        failed=tuple(choice(s) for s in failed[:LISTED]),
        aborted=tuple(choice(s) for s in aborted[:LISTED]),
        more_failed=max(0, len(failed) - LISTED),
        more_aborted=max(0, len(aborted) - LISTED),
        max_index=max((s.index for s in summaries), default=0),
        keep=tuple(keep.items()),
    )


def _page_shown(
    container: str,
    summaries: Sequence[IterationSummary],
    selected: int | None,
    page: tuple[str, int] | None,
    pages: int,
) -> int:
    if page is not None and page[0] == container:
        return min(max(page[1], 0), pages - 1)
    if selected is not None:
        for position, summary in enumerate(summaries):
            if summary.index == selected:
                return position // PAGE_SIZE
    return 0


def _branch_names(ref: StateRef | None) -> list[str]:
    """Each branch's name: the state it starts at."""
    branches = ref.definition.get("Branches") if ref is not None else None
    if not isinstance(branches, list):
        return []
    return [
        str(branch.get("StartAt", f"Branch {number + 1}")) if isinstance(branch, Mapping) else ""
        for number, branch in enumerate(branches)
    ]


def _href(query: Mapping[str, str], container: str) -> str:
    """A link to the execution page itself, scrolled to this picker."""
    return f"?{urlencode(dict(query))}#iterations-{container}"
