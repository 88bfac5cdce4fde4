"""The ``workforce`` command itself, and what every command group shares.

An unexpected error is told in one line (exit 1); a refusal lists every problem (exit 1);
a command that needs the database refuses to run on an old schema.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import typer

from workforce.config import get_settings

log = logging.getLogger("workforce.cli")


class WorkforceCommand(typer.Typer):
    """The command line: an unexpected error is told in one line, never as a traceback.

    Typer's pretty traceback shows source paths and lines to whoever runs the command,
    and itself crashes on some errors (an XML ParseError whose message is not text).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from workforce.errors import Busy

        try:
            return super().__call__(*args, **kwargs)
        except Busy as exc:
            # Another writer held what this command needed for longer than the wait: its
            # message says what was not stored and when to try again.
            typer.echo(f"Busy: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            # Only the operators who ask for it see where it happened.
            log.debug("unexpected error", exc_info=True)
            # SQLAlchemy's message adds the statement and its parameters: give the driver's.
            cause = getattr(exc, "orig", None) or exc
            reason = f"{type(cause).__name__}: {cause}".strip().rstrip(":")
            typer.echo(
                f"Error: the command failed unexpectedly ({_one_line(reason)}). "
                "Set WORKFORCE_LOG_LEVEL=DEBUG to log the details; if it keeps happening, "
                "tell the service's administrators.",
                err=True,
            )
            sys.exit(1)


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


app = WorkforceCommand(
    help="Workforce stability and agency-market monitor for English children's social care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Set up logging from the settings before any command runs."""
    from workforce.logging import configure_logging

    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)


def require_current_schema() -> None:
    """Exit 1 unless the database is at the newest migration."""
    from workforce import migrations
    from workforce.db import get_engine

    current, head = migrations.current_revision(get_engine()), migrations.head_revision()
    if current != head:
        typer.echo(
            f"The database is at migration {current or 'none'}, this code needs {head}: "
            "run `workforce db upgrade` first.",
            err=True,
        )
        raise typer.Exit(1)


def refused(exc: Exception) -> typer.Exit:
    """Print why a command was refused (every problem) and return the exit to raise."""
    from workforce.errors import InputDataError

    if isinstance(exc, InputDataError):
        typer.echo(f"Refused, nothing was changed. {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
    else:
        typer.echo(str(exc.args[0] if exc.args else exc), err=True)
    return typer.Exit(1)
