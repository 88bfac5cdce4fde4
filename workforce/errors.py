"""Errors that say what is wrong with a piece of input, and where."""

from __future__ import annotations

from workforce.ingest.problems import Problem

__all__ = ["Busy", "InputDataError", "NotFoundError", "Problem"]


class InputDataError(ValueError):
    """Input that cannot be accepted; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        super().__init__(f"{len(problems)} problem(s): {shown}{more}")


class NotFoundError(LookupError):
    """A thing asked for by code or id does not exist."""


class Busy(RuntimeError):
    """A write that waited its bound for another to finish; nothing was stored.

    ``conflict`` is True when the other writer holds the same thing (another upload of the
    same council and period: 409), False when the database as a whole is busy (503).
    ``retry_after`` is the number of seconds after which trying again is sensible.
    """

    def __init__(self, message: str, *, retry_after: int, conflict: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.conflict = conflict
