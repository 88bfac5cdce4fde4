"""The official DfE measures of the children's social work workforce."""

from workforce.measures.definitions import (
    HEADLINE_MEASURES,
    MEASURES,
    Measure,
    check_published,
    compute,
    round_half_up,
    working_days_in_census_year,
)

__all__ = [
    "HEADLINE_MEASURES",
    "MEASURES",
    "Measure",
    "check_published",
    "compute",
    "round_half_up",
    "working_days_in_census_year",
]
