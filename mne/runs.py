"""How many page runs one app server does at once.

Every page run of every browser tab is a thread of the one server process, and Python runs
one thread at a time: with 50 tabs running pages at once, each waits its turn 50 times over,
and so does a sign-in (its few statements and its Argon2 check queue behind every page run).
`page_slot()` lets MNE_PAGE_RUNS page runs (default: two per core) compute at once; the others
wait for a slot, without holding the interpreter. Pages then finish in turn, no slower in
total, and a sign-in or a light request is not held behind all of them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def page_runs() -> int:
    """MNE_PAGE_RUNS, else two per core."""
    try:
        return max(1, int(os.environ.get("MNE_PAGE_RUNS", "")))
    except ValueError:
        return 2 * (os.cpu_count() or 1)


_SLOTS = threading.BoundedSemaphore(page_runs())


@contextmanager
def page_slot() -> Iterator[None]:
    """Run the body once one of the server's page-run slots is free."""
    with _SLOTS:
        yield
