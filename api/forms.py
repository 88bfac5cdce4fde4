"""What the service's HTML forms share: the GOV.UK date input read as one date.

A date input posts three fields, ``<name>-day``, ``<name>-month`` and ``<name>-year``; the
services (and the API) take one ISO date. ``date_from_parts`` joins them, so the services'
own checks judge what was typed and their messages name the field: parts that are not whole
numbers, or that make no real date (31 February), are passed on as typed and refused there.
A form may also post the ISO date as ``<name>`` itself (a script, or a browser without the
date input); the three parts win when any was typed.
"""

from __future__ import annotations

import re


def date_from_parts(whole: str, day: str, month: str, year: str) -> str:
    """The date the form holds, as ``YYYY-MM-DD`` where its parts are whole numbers; blank
    if nothing was typed."""
    parts = [part.strip() for part in (day, month, year)]
    if not any(parts):
        return whole.strip()
    d, m, y = parts
    if all(part.isdigit() for part in parts):
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    return f"{y}-{m}-{d}"


def date_parts(name: str, whole: str, day: str, month: str, year: str) -> dict[str, str]:
    """The parts as typed, to show again in the date input after a refusal (an ISO date
    posted whole is shown in its parts)."""
    parts = [part.strip() for part in (day, month, year)]
    if not any(parts) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", whole.strip()):
        y, m, d = whole.strip().split("-")
        parts = [d, m, y]
    return dict(zip((f"{name}-day", f"{name}-month", f"{name}-year"), parts, strict=True))


def date_input_errors(errors: list[dict[str, str]], labels: dict[str, str]) -> list[dict[str, str]]:
    """The errors about date inputs as GOV.UK words them: each linked from the error summary
    to its Day box, and "not a date (use YYYY-MM-DD)" said as "The date received must be a
    real date, with a day, month and year"."""
    worded = []
    for e in errors:
        field = e.get("field", "")
        if field in labels:
            e = {**e, "href": f"{field}-day"}
            if "YYYY-MM-DD" in e.get("text", ""):
                e["text"] = f"{labels[field]} must be a real date, with a day, month and year"
        worded.append(e)
    return worded
