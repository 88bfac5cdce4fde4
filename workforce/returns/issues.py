"""Validation issues: what is wrong, how badly, and exactly where."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    error = "error"  # the return cannot be accepted
    warning = "warning"  # accepted, but someone should look


@dataclass(frozen=True)
class Issue:
    """One finding about a return file, located by sheet, row and column."""

    severity: Severity
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
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


@dataclass
class Issues:
    """Issues collected while reading and checking one return."""

    items: list[Issue] = field(default_factory=list)
    sheet: str | None = None
    limit: int = 1000  # beyond this, one summary issue says how many more were found
    dropped: int = 0

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
        if len(self.items) >= self.limit:
            self.dropped += 1
            return
        shown = None if value is None else _clip(str(value))
        self.items.append(Issue(severity, rule, message, sheet or self.sheet, row, column, shown))

    def error(self, rule: str, message: str, **where: Any) -> None:
        self.add(Severity.error, rule, message, **where)

    def warning(self, rule: str, message: str, **where: Any) -> None:
        self.add(Severity.warning, rule, message, **where)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.severity is Severity.error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.items if i.severity is Severity.warning]

    def as_dicts(self) -> list[dict[str, Any]]:
        out = [i.as_dict() for i in self.items]
        if self.dropped:
            out.append(
                Issue(
                    Severity.error if self.errors else Severity.warning,
                    "report.truncated",
                    f"{self.dropped} more issue(s) not listed; fix those above and upload again",
                ).as_dict()
            )
        return out


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
