"""`python -m mne …` called in-process (mne.cli.main): what a separate process would print and
return, without paying 4–6 s of interpreter and import start-up per call. Tests where the
separate process is the point (concurrency, a kill, the real entry point) keep subprocess."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from unittest import mock

from sqlalchemy import Engine

from mne import cli


@dataclass(frozen=True)
class Ran:
    """The fields of subprocess.CompletedProcess the tests read."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(store: Engine | str, *args: str, stdin: str = "") -> Ran:
    """Run the command line against `store` (an engine or a URL) with `stdin` as input."""
    url = store if isinstance(store, str) else store.url.render_as_string(hide_password=False)
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, {"DATABASE_URL": url}),
        mock.patch.object(sys, "stdin", io.StringIO(stdin)),
        redirect_stdout(out),
        redirect_stderr(err),
    ):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return Ran(code, out.getvalue(), err.getvalue())
