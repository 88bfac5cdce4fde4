"""The methods page shows the backtest by group and horizon, with the measures' labels and
the missed targets in words; a council page carries its forecasts' caveats."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from workforce.config import Settings
from workforce.db import make_engine
from workforce.forecasting import caveats, flows
from workforce.statistics.bundled import newest_census_year

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
LAST = newest_census_year()


def test_the_methods_page_reports_every_group_and_the_missed_targets(
    public_session: Session, public_settings: Settings
) -> None:
    run = flows.refit(session=public_session, origins=(LAST - 2, LAST - 1))
    public_session.commit()
    missed = caveats.missed_targets(run.backtest["scores"])
    engine = make_engine(public_settings.database_url)
    with TestClient(create_app(settings=public_settings, engine=engine)) as client:
        page = client.get("/methods").text
        scilly = client.get("/councils/420").text
        camden = client.get("/councils/202").text
    engine.dispose()
    # The measures' labels, never their column names, in the captions.
    assert "Agency worker rate, 2 years ahead: the panel model by group" in page
    assert not re.search(r"caption[^>]*>\s*agency_rate_fte", page)
    groups = re.search(
        r'<table class="govuk-table app-backtest-groups" data-measure="agency_rate_fte" '
        r'data-horizon="1">(.*?)</table>',
        page,
        re.S,
    )
    assert groups is not None
    for group in ("all", "recent_inadequate", "rest", "small_workforce"):
        row = re.search(rf'data-group="{group}">(.*?)</tr>', groups.group(1), re.S)
        assert row is not None, group
        assert len(re.findall(r"\d+%", row.group(1))) == 2, group  # 80% and 95% coverage
    # Coverage over all measures together, each group and horizon, with the span by chance.
    together = run.backtest["coverage_by_horizon"]
    assert {(c["horizon"], c["group"]) for c in together} == {
        (h, g) for h in (1, 2) for g in ("all", "recent_inadequate", "rest")
    }
    for c in together:
        row = re.search(
            rf'<tr class="govuk-table__row" data-horizon="{c["horizon"]}" '
            rf'data-group="{c["group"]}">(.*?)</tr>',
            page,
            re.S,
        )
        assert row is not None, c
        assert f"{c['coverage_80'] * 100:.0f}%" in row.group(1)
        low, high = c["chance_95"]
        assert f"{low * 100:.0f}\u2013{high * 100:.0f}%" in row.group(1)
    # Every missed target is said in words.
    if missed:
        assert 'id="targets-missed"' in page
        for m in missed:
            assert m["sentence"].replace("'", "&#39;") in page
    else:
        assert "met every target" in page
    assert "fewer than 30 FTE social workers in post" in page
    # A small workforce's page says so; a large council's does not.
    assert caveats.SMALL_WORKFORCE in scilly
    assert caveats.SMALL_WORKFORCE not in camden
