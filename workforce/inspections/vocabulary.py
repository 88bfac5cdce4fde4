"""Ofsted's words for grades and inspection frameworks, and reading them from a cell.

Cells are read as text by the one cell parser (``workforce.ingest.cells``); each parser
here returns None for a blank cell (or a placeholder such as "nan") and raises ValueError
for one it cannot read, so the importer can report the cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from workforce.ingest.cells import NO_VALUE, cell_text, key
from workforce.inspections.models import Framework, Grade

GRADE_WORDS = {key(g.value): g for g in Grade} | {
    "requires improvement": Grade.requires_improvement
}
# Ofsted's numeric scale for SIF and ILACS judgements.
NUMERIC_GRADES = {
    "1": Grade.outstanding,
    "2": Grade.good,
    "3": Grade.requires_improvement,
    "4": Grade.inadequate,
}
GRADED_FRAMEWORKS = {
    Framework.sif,
    Framework.sif_reinspection,
    Framework.ilacs_standard,
    Framework.ilacs_short,
    Framework.looked_after_pre_2013,
}


def parse_grade(value: Any, *, numeric: bool = False) -> Grade | None:
    """Return the grade a cell names (or numbers, if ``numeric``); None if it is blank."""
    text = key(cell_text(value))
    if text in NO_VALUE:
        return None
    if text in GRADE_WORDS:
        return GRADE_WORDS[text]
    if numeric and text in NUMERIC_GRADES:
        return NUMERIC_GRADES[text]
    raise ValueError("not a grade")


def named_framework(names: dict[str, Framework]) -> Callable[[str], Framework | None]:
    """Return a parser of framework names spelt as the keys of ``names`` (any case)."""

    def parse(text: str) -> Framework | None:
        wanted = key(text)
        if wanted in NO_VALUE:
            return None
        if wanted in names:
            return names[wanted]
        raise ValueError("not a framework")

    return parse


FRAMEWORK_NAMES = {key(f.value): f for f in Framework}
# Ofsted's wordings vary ("ILACS - short inspection", "Single inspection framework"), so
# types are told apart by keywords; visits first, and re-inspections before plain SIF.
_TYPE_KEYWORDS = (
    (r"focused visit", Framework.ilacs_focused_visit),
    (r"monitoring visit", Framework.ilacs_monitoring_visit),
    (r"\bre-? ?inspection", Framework.sif_reinspection),
    (r"\bshort\b", Framework.ilacs_short),
    (r"\bstandard\b", Framework.ilacs_standard),
    (r"\bsif\b|single inspection", Framework.sif),
    (r"\blscb\b|safeguarding children board", Framework.lscb_review),
    (r"looked after children", Framework.looked_after_pre_2013),
)


def official_framework(text: str) -> Framework | None:
    """Return the framework an Ofsted inspection type names, by its keywords."""
    wanted = key(text)
    if wanted in NO_VALUE:
        return None
    for pattern, framework in _TYPE_KEYWORDS:
        if re.search(pattern, wanted):
            return framework
    raise ValueError("not an inspection type")
