"""The returns page's charts: published figures as a line, the council's returns as markers."""

from datetime import date

from api.routes.return_pages import own_charts
from workforce.returns.service import SeriesPoint


def _published(measure: str, year: int, value: float) -> SeriesPoint:
    return SeriesPoint(measure, date(year, 9, 30), year, value, "published", "release.csv")


def _own(measure: str, day: date, value: float, detail: str) -> SeriesPoint:
    return SeriesPoint(measure, day, day.year, value, "return", detail)


def test_a_chart_for_each_measure_a_return_gives_with_both_sources() -> None:
    series = [
        _published("turnover_rate_fte", 2022, 15.8),
        _published("turnover_rate_fte", 2023, 16.1),
        _own("turnover_rate_fte", date(2025, 9, 30), 14.7, "census return 7 v1"),
        _published("agency_rate_fte", 2023, 14.1),  # published only: no chart
        _own("absence_rate_fte", date(2025, 9, 30), 0.3, "census return 7 v1"),  # not charted
    ]
    charts = own_charts(series)
    assert [c.measure for c in charts] == ["turnover_rate_fte"]
    chart = charts[0]
    assert chart.label == "Turnover rate"
    assert [p.value for p in chart.points] == [15.8, 16.1, 14.7]
    svg = chart.svg
    assert svg.startswith("<svg") and 'aria-labelledby="own-turnover_rate_fte-title"' in svg
    assert "Published (DfE)" in svg and "Own returns (unpublished)" in svg


def test_a_return_without_a_figure_draws_nothing_for_it() -> None:
    series = [
        _published("vacancy_rate_fte", 2023, 22.9),
        SeriesPoint("vacancy_rate_fte", date(2025, 9, 30), 2025, None, "return", "census 1 v1"),
    ]
    assert own_charts(series) == []
