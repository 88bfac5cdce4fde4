"""Fixtures the forecasting tests share."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from workforce.forecasting.panel import Panel, load_panel

_BUNDLED: dict[str, Panel] = {}


@pytest.fixture
def bundled(public_session: Session) -> Panel:
    """The bundled published data (2017-2024) and every judgement (loaded once)."""
    if "panel" not in _BUNDLED:
        _BUNDLED["panel"] = load_panel(session=public_session)
    return _BUNDLED["panel"]
