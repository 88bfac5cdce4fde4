"""Agency names as councils type them, reduced to one form for matching.

Councils' returns name agencies in free text ("Acme Social Care Ltd", "ACME SOCIAL CARE
LIMITED", "Acme Social Care Ltd."), so names are compared in a normalised form: Unicode
compatibility-folded, case-folded, "&" read as "and", punctuation dropped, whitespace
collapsed and a trailing company-type word (Ltd, Limited, LLP, PLC, CIC) removed. A
Companies House number written in the name (8 characters: digits, or two letters and six
digits) is found by :func:`company_number_in`.
"""

from __future__ import annotations

import re
import unicodedata

_COMPANY_TYPES = ("limited", "ltd", "llp", "plc", "cic", "lp")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_COMPANY_NUMBER = re.compile(r"\b((?:[A-Z]{2}|\d{2})\d{6})\b")


def normalise(name: str) -> str:
    """The form names are matched in; an empty string for a name with no letters or digits."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _SPACE.sub(" ", _NOT_WORD.sub(" ", text)).strip()
    words = text.split(" ")
    while len(words) > 1 and words[-1] in _COMPANY_TYPES:
        words.pop()
    return " ".join(words) if text else ""


def company_number_in(text: str) -> str | None:
    """The Companies House number written in ``text``, if there is exactly one."""
    found = {m.group(1) for m in _COMPANY_NUMBER.finditer(text.upper())}
    return found.pop() if len(found) == 1 else None
