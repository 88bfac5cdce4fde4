"""Line charts' legends: every line, interval, forecast, scenario and graded judgement is
named once, each in its own colour (3:1 against white) and its own dash or marker."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date

from api import charts
from api.charts import Band, Line, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def _style(element: ET.Element | None, name: str) -> str | None:
    if element is None:
        return None
    found = re.search(rf"(?:^|;\s*){name}:\s*([^;]+)", element.get("style", ""))
    return found.group(1).strip() if found else None


def legend(svg: str) -> list[dict[str, str | None]]:
    """The legend's entries, in order: label, stroke and fill colours, dashes and marker."""
    root = ET.fromstring(svg)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("legend"))
    children = list(group)
    entries = []
    for handle, text in itertools.pairwise(children):
        if not text.get("id", "").startswith("text_") or handle.get("id", "").startswith("text_"):
            continue
        path = handle.find(f"{SVG}path")
        use = handle.find(f".//{SVG}use")
        entries.append(
            {
                "label": "".join(text.itertext()).strip(),
                "stroke": _style(path, "stroke") or _style(use, "stroke"),
                "fill": _style(path, "fill"),
                "dashes": _style(path, "stroke-dasharray"),
                "marker": use.get(XLINK) if use is not None else None,
            }
        )
    return entries


COUNCIL = (
    Line("council", "Camden", ((2021, 14.0), (2022, 15.0), (2023, 16.0))),
    Line("neighbours", "Statistical neighbours (mean)", ((2021, 13.0), (2022, 13.5), (2023, 14.0))),
    Line("region", "London", ((2021, 15.0), (2022, 15.5), (2023, 15.0))),
    Line("england", "England", ((2021, 16.0), (2022, 17.0), (2023, 17.5))),
)
FORECAST = Band("Forecast", ((2024, 17.0, 15.0, 19.0, 14.0, 20.0),), (2023, 16.0))
SCENARIO = Band(
    "If judged inadequate (2025-03)",
    ((2024, 19.0, 16.0, 22.0, 15.0, 23.0),),
    (2023, 16.0),
    colour=charts.FORECAST_COLOUR,  # even asked for the base's colour, it must stand apart
)
JUDGEMENTS = (
    (date(2019, 5, 1), "good"),  # before the chart's years: not drawn, not named
    (date(2021, 12, 6), "inadequate"),
    (date(2022, 11, 7), "requires improvement to be good"),
    (date(2023, 6, 12), "inadequate"),  # a second inadequate: one legend entry for the grade
)


def _chart(**options: object) -> list[dict[str, str | None]]:
    fields = {
        "chart_id": "chart-test",
        "title": "Turnover rate",
        "unit": "%",
        "lines": COUNCIL,
        "judgements": JUDGEMENTS,
        "forecasts": (FORECAST, SCENARIO),
    }
    fields.update(options)
    return legend(line_chart_svg(**fields))  # type: ignore[arg-type]


def test_the_legend_names_every_line_interval_forecast_scenario_and_grade_once() -> None:
    labels = [e["label"] for e in _chart()]
    assert sorted(labels) == sorted(
        [
            "95% interval",
            "80% interval",
            "Forecast",
            "If judged inadequate (2025-03)",
            "Camden",
            "Statistical neighbours (mean)",
            "London",
            "England",
            "Ofsted: inadequate",
            "Ofsted: requires improvement to be good",
        ]
    )


def test_every_line_and_marker_has_its_own_colour_with_3_to_1_contrast() -> None:
    entries = {e["label"]: e for e in _chart()}
    drawn = [e for e in entries.values() if "interval" not in str(e["label"])]
    colours = [str(e["stroke"]) for e in drawn]
    assert len(set(colours)) == len(colours), colours
    for entry in drawn:
        assert contrast_on_white(str(entry["stroke"])) >= 3.0, entry
    assert entries["Ofsted: inadequate"]["stroke"] == charts.GRADE_COLOURS["inadequate"]
    assert entries["Camden"]["stroke"] == charts.COLOURS["council"]
    # Told apart by more than colour: no two entries share both dash pattern and marker.
    shapes = [(e["dashes"], e["marker"]) for e in drawn]
    assert len(set(shapes)) == len(shapes), shapes
    grade_markers = {
        entries[g]["marker"]
        for g in ("Ofsted: inadequate", "Ofsted: requires improvement to be good")
    }
    assert len(grade_markers) == 2 and None not in grade_markers


def test_a_scenario_stays_apart_from_the_base_forecast() -> None:
    entries = {e["label"]: e for e in _chart()}
    base, scenario = entries["Forecast"], entries["If judged inadequate (2025-03)"]
    assert base["stroke"] == charts.FORECAST_COLOUR
    assert scenario["stroke"] == charts.SCENARIO_COLOUR != base["stroke"]
    assert scenario["dashes"] != base["dashes"] and scenario["marker"] != base["marker"]


def test_the_intervals_are_named_in_the_forecast_s_colour_with_visible_edges() -> None:
    entries = {e["label"]: e for e in _chart(forecasts=(FORECAST,))}
    for name in ("80% interval", "95% interval"):
        assert entries[name]["fill"] == charts.FORECAST_COLOUR
        assert entries[name]["stroke"] == charts.FORECAST_COLOUR
    assert entries["95% interval"]["dashes"] != entries["80% interval"]["dashes"]
    assert "If judged inadequate (2025-03)" not in entries


def test_own_returns_are_named_in_their_own_colour() -> None:
    entries = {
        e["label"]: e
        for e in _chart(
            lines=COUNCIL[:1], forecasts=(), own=((date(2024, 3, 31), 15.2),), judgements=()
        )
    }
    assert set(entries) == {"Camden", "Own returns (unpublished)"}
    assert entries["Own returns (unpublished)"]["stroke"] == charts.OWN_COLOUR


def test_the_palette_s_colours_all_differ_and_meet_3_to_1_on_white() -> None:
    palette = [
        *charts.COLOURS.values(),
        *charts.GRADE_COLOURS.values(),
        charts.UNGRADED_COLOUR,
        charts.OWN_COLOUR,
        charts.FORECAST_COLOUR,
        charts.SCENARIO_COLOUR,
    ]
    assert len(set(palette)) == len(palette) == 13
    assert min(contrast_on_white(c) for c in palette) >= 3.0
    assert len(set(charts.GRADE_MARKERS.values())) == len(charts.GRADE_MARKERS)


def _tick_labels(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("matplotlib.axis"))
    return ["".join(t.itertext()).strip() for t in axis.iter(f"{SVG}text")]


def test_a_long_run_of_years_labels_every_other_year_ending_with_the_last() -> None:
    years = range(2017, 2027)
    long_line = (Line("council", "Devon", tuple((y, 15.0) for y in years)),)
    labels = [
        t
        for t in _tick_labels(line_chart_svg(chart_id="c", title="t", unit="%", lines=long_line))
        if t
    ]
    assert labels == ["2018", "2020", "2022", "2024", "2026"]
    short = _tick_labels(line_chart_svg(chart_id="c", title="t", unit="%", lines=COUNCIL))
    assert [t for t in short if t] == ["2021", "2022", "2023"]
