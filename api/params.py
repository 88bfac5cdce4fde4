"""Path parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from workforce.errors import NotFoundError

# Every table's id is an INTEGER column: 32 bits on PostgreSQL (64 on SQLite). A number
# past that names no stored row, and sent to the database it overflows (a 500).
MAX_ID = 2**31 - 1


def _storable_id(value: int) -> int:
    # NotFoundError is not a ValueError, so pydantic lets it through and the app's handler
    # answers 404 (a JSON body on /api, the error page elsewhere), not a validation error.
    if not -MAX_ID <= value <= MAX_ID:
        raise NotFoundError(f"Nothing is stored under id {value}: ids go up to {MAX_ID}.")
    return value


RowId = Annotated[
    int,
    AfterValidator(_storable_id),
    WithJsonSchema({"type": "integer", "format": "int32", "maximum": MAX_ID}),
]
"""A stored row's id in a path: a number the database cannot hold is answered 404."""
