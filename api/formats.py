"""JSON or CSV: every list endpoint can be downloaded with ``?format=csv``."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

from workforce.exports import to_csv


class Format(StrEnum):
    json = "json"
    csv = "csv"


FormatQuery = Annotated[Format, Query(description="json, or csv for a download")]


def csv_response(
    records: Sequence[dict[str, Any]], columns: Sequence[str], filename: str
) -> Response:
    """Return ``records`` as a CSV download (formula-safe)."""
    return Response(
        content=to_csv(records, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def respond(rows: Sequence[BaseModel], format: Format, filename: str) -> Any:
    """Return ``rows`` as JSON (the route's response model) or as a CSV download."""
    if format is Format.json:
        return rows
    records = [r.model_dump(mode="json") for r in rows]
    columns = list(records[0]) if records else list(_fields(rows))
    return csv_response(records, columns, filename)


def _fields(rows: Sequence[BaseModel]) -> list[str]:
    return list(type(rows[0]).model_fields) if rows else []
