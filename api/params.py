"""Path parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from workforce.db import MAX_ROW_ID
from workforce.errors import NotFoundError

MAX_ID = MAX_ROW_ID  # a number past it names no stored row; sent on, it overflows (a 500)


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
