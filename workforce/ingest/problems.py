"""One problem type for every importer: what is wrong, how badly, and exactly where.

A ``Problem`` carries a severity, a rule id (``type.number``, ``judgements.date``), the
file or sheet, row, column and value it is about, and a message in the domain's words.
Importers that refuse a file whole raise ``InputDataError`` (``workforce.errors``) with
their problems; returns collect them in ``Issues``, which lists them with limits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    error = "error"  # the input cannot be accepted
    warning = "warning"  # accepted, but someone should look


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what it holds, which rule it breaks."""

    rule: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = Severity.error
    sheet: str | None = None

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> Problem:
        """Return the problem a stored issue dict (``as_dict``) describes."""
        return cls(
            item["rule"],
            item["message"],
            item.get("file"),
            item.get("row"),
            item.get("column"),
            item.get("value"),
            Severity(item.get("severity") or Severity.error),
            item.get("sheet"),
        )

    def as_dict(self) -> dict[str, Any]:
        """The problem as a return's report stores it (``file`` only when it has one)."""
        out: dict[str, Any] = {
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
        }
        if self.file is not None:
            out["file"] = self.file
        return out

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"sheet {self.sheet!r}" if self.sheet else None,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column!r}" if self.column else None,
            )
            if part
        )
        value = f" (value {self.value!r})" if self.value is not None else ""
        prefix = f"{where}: " if where else ""
        return f"{self.severity.value}: {prefix}{self.message}{value} [{self.rule}]"


ISSUE_COLUMNS = ("severity", "rule", "sheet", "row", "column", "value", "message")

# Every error is listed, so a return is refused for each one. Past this many, checking stops
# (the file is refused anyway): a real council's return has far fewer, while a hostile file
# of 20,000 rows could otherwise list half a million, all stored with the return.
MAX_ERRORS = 5_000
# Warnings past this many are counted by rule, not listed: one summary says how many more.
MAX_LISTED_WARNINGS = 1_000


class ErrorLimitReached(Exception):
    """Raised by ``Issues`` at its error limit, after listing why checking stopped."""


@dataclass
class Issues:
    """Issues collected while reading and checking one return.

    Every error is kept. Warnings are listed up to ``max_listed_warnings`` and counted in
    full (``warning_count``); the rest are counted by rule for a summary. The error that
    reaches ``max_errors`` is followed by a ``report.error_limit`` error, and then
    ``ErrorLimitReached`` stops the reader. Once reading is over (``end_reading``), errors
    are listed past the limit: the few a caller adds then are all kept.
    """

    items: list[Problem] = field(default_factory=list)
    sheet: str | None = None
    max_errors: int = MAX_ERRORS
    max_listed_warnings: int = MAX_LISTED_WARNINGS
    error_count: int = 0
    warning_count: int = 0  # every warning, listed or not
    unlisted_warnings: Counter[str] = field(default_factory=Counter)  # by rule
    reading: bool = True  # while True, reaching max_errors stops the reader

    @property
    def count(self) -> int:
        """Every issue found so far, listed or not."""
        return self.error_count + self.warning_count

    def add(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        sheet: str | None = None,
    ) -> None:
        if severity is Severity.warning:
            self.warning_count += 1
            if self.warning_count > self.max_listed_warnings:
                self.unlisted_warnings[rule] += 1
                return
        else:
            self.error_count += 1
        shown = None if value is None else _clip(str(value))
        issue = Problem(rule, message, None, row, column, shown, severity, sheet or self.sheet)
        self.items.append(issue)
        if severity is Severity.error and self.error_count >= self.max_errors and self.reading:
            self.reading = False
            self.error_count += 1
            self.items.append(
                Problem(
                    "report.error_limit",
                    f"checking stopped after {self.max_errors:,} errors, here; there may be "
                    "more below: correct these and upload the file again",
                    row=row,
                    column=column,
                    sheet=issue.sheet,
                )
            )
            raise ErrorLimitReached

    def end_reading(self) -> None:
        """The file has been read: errors added from now on never stop anything."""
        self.reading = False

    def mark(self) -> tuple[int, int, int, Counter[str]]:
        """A point to go back to with ``rollback``."""
        return len(self.items), self.error_count, self.warning_count, self.unlisted_warnings.copy()

    def rollback(self, mark: tuple[int, int, int, Counter[str]]) -> None:
        """Forget every issue found since ``mark`` (of a file found unreadable after all)."""
        listed, self.error_count, self.warning_count, self.unlisted_warnings = mark
        del self.items[listed:]

    def error(self, rule: str, message: str, **where: Any) -> None:
        self.add(Severity.error, rule, message, **where)

    def warning(self, rule: str, message: str, **where: Any) -> None:
        self.add(Severity.warning, rule, message, **where)

    @property
    def errors(self) -> list[Problem]:
        return [i for i in self.items if i.severity is Severity.error]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings listed (``warning_count`` counts every one)."""
        return [i for i in self.items if i.severity is Severity.warning]

    def as_dicts(self) -> list[dict[str, Any]]:
        """Every listed issue, then a summary of the warnings not listed, if any."""
        out = [i.as_dict() for i in self.items]
        unlisted = sum(self.unlisted_warnings.values())
        if unlisted:
            by_rule = "; ".join(
                f"{rule} {count:,}" for rule, count in self.unlisted_warnings.most_common()
            )
            out.append(
                Problem(
                    "report.warnings_not_listed",
                    f"{unlisted:,} more warnings found but not listed, by rule: {by_rule}",
                    severity=Severity.warning,
                ).as_dict()
            )
        return out


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
