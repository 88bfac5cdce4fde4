"""Progress for long CLI work: what is being done, and how long it took.

On a terminal each step shows rich's spinner while it runs and a tick with its time when
done; when the output is a file or a pipe (CI, a cron log) each step is one plain line
before and one after, with no control characters. Progress goes to standard error, so
standard output keeps only the command's results.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def step(doing: str) -> Iterator[Callable[[str], None]]:
    """Show ``doing`` while the block runs; yield a function that says what it is on now."""
    started = time.monotonic()
    if on_terminal():
        from rich.console import Console

        console = Console(stderr=True)
        with console.status(f"{doing}…") as status:
            yield lambda now: status.update(f"{doing}: {now}")
        console.print(f"[green]✓[/green] {doing} ({time.monotonic() - started:.1f} s)")
    else:
        typer.echo(f"{doing}…", err=True)
        yield lambda now: typer.echo(f"  {now}", err=True)
        typer.echo(f"{doing}: done in {time.monotonic() - started:.1f} s", err=True)
