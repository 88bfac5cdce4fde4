"""Line charts as inline SVG, drawn on the server: no script, no network, text kept as text."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape

import matplotlib

matplotlib.use("Agg")
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

rcParams["svg.fonttype"] = "none"  # text stays selectable and readable by screen readers
rcParams["svg.hashsalt"] = "workforce"  # stable element ids between renders
MAX_LABELLED_YEARS = 6  # a line chart labels every year up to this many, then every other
CHART_FONT_SIZE = 10  # points, at the line chart's own size (440 px wide)

# Every entry a chart's legend can hold has its own colour, each at least 3:1 against white
# (WCAG's non-text contrast) and far apart in CIELAB (at least 25 apart, so they stay apart
# for common colour-vision deficiencies), and its own dash pattern or marker shape, so no
# line or marker is told from another by colour alone.
COLOURS = {
    "council": "#1d70b8",  # GOV.UK blue
    "england": "#0b0c0c",  # GOV.UK black
    "region": "#b35900",  # a darker GOV.UK orange
    "neighbours": "#00703c",  # GOV.UK green
}
STYLES = {  # dash patterns: (offset, (on, off, ...)) in points
    "council": "solid",
    "england": (0, (7, 3)),
    "region": (0, (7, 2, 1.5, 2)),
    "neighbours": (0, (1.5, 2)),
}
MARKERS = {"council": "o"}
OWN_COLOUR = "#912b88"  # GOV.UK bright purple: a council's own, unpublished figures
FORECAST_COLOUR = "#4c2c92"  # GOV.UK purple: the forecast and its 80% and 95% intervals
SCENARIO_COLOUR = "#d4351c"  # GOV.UK red: a "what if" judgement's forecast
# A forecast band's line after the first (a scenario) is told apart by dash and marker too.
BAND_STYLES = (((0, (3, 2)), "s"), ((0, (7, 2, 1.5, 2, 1.5, 2)), "^"))
GRADE_COLOURS = {
    "outstanding": "#3f7f00",
    "good": "#007c91",
    "adequate": "#6f777b",
    "requires improvement to be good": "#806200",
    "inadequate": "#8e1b2b",
}
GRADE_MARKERS = {
    "outstanding": "*",
    "good": "p",
    "adequate": "P",
    "requires improvement to be good": "v",
    "inadequate": "X",
}
UNGRADED_COLOUR = "#505a5f"  # GOV.UK dark grey: a judgement without a grade
UNGRADED_MARKER = "o"


@dataclass(frozen=True)
class Line:
    key: str  # council, england, region or neighbours
    label: str
    points: tuple[tuple[int, float | None], ...]


@dataclass(frozen=True)
class Band:
    """A forecast: a point per year with 80% and 95% intervals, drawn after the data."""

    label: str
    points: tuple[tuple[int, float, float, float, float, float], ...]  # year, pt, lo80..hi95
    start: tuple[int, float] | None = None  # the last observed point, to join the line to
    colour: str = FORECAST_COLOUR


def census_position(day: date) -> float:
    """Return where ``day`` falls on a census-year axis (year Y is counted at 30 September Y)."""
    anchor = date(day.year, 9, 30)
    return day.year + (day - anchor).days / 365.25


def grade_label(grade: str | None) -> str:
    """Return a judgement marker's legend entry: "Ofsted: inadequate"."""
    return f"Ofsted: {grade}" if grade else "Ofsted: no overall grade"


@lru_cache(maxsize=1024)
def line_chart_svg(
    *,
    chart_id: str,
    title: str,
    unit: str,
    lines: tuple[Line, ...],
    judgements: tuple[tuple[date, str | None], ...] = (),
    forecasts: tuple[Band, ...] = (),
    own: tuple[tuple[date, float], ...] = (),
    own_label: str = "Own returns (unpublished)",
) -> str:
    """Return an SVG line chart of ``lines``, with judgement dates as vertical lines topped by
    a marker of the grade's shape and colour, and ``own`` figures (a council's returns, by
    period end) as separate markers.

    The legend names every line, each interval, each forecast band and each grade marked
    (once per grade). Cached: the same figures always draw the same chart, and drawing
    takes ~50 ms.
    """
    # Drawn about as wide as a phone's column, so its text stays readable when the page
    # shrinks it to 360 px; the legend sits under the plot, which keeps the full width.
    figure = Figure(figsize=(4.4, 3.4), dpi=100)
    axes = figure.add_subplot()
    own_xs = [census_position(day) for day, _ in own]
    years = sorted(
        {year for line in lines for year, _ in line.points}
        | {p[0] for band in forecasts for p in band.points}
        | {round(x) for x in own_xs}
    )
    for number, band in enumerate(forecasts):
        xs = [p[0] for p in band.points]
        if not xs:
            continue
        # Intervals for the main forecast only, so bands never pile up; their edges (solid
        # at 80%, dotted at 95%) keep them visible where the shading is faint.
        if number == 0:
            axes.fill_between(
                xs,
                [p[4] for p in band.points],
                [p[5] for p in band.points],
                facecolor=to_rgba(band.colour, 0.12),
                edgecolor=band.colour,
                linestyle=(0, (1.5, 2)),
                linewidth=0.8,
                label="95% interval",
            )
            axes.fill_between(
                xs,
                [p[2] for p in band.points],
                [p[3] for p in band.points],
                facecolor=to_rgba(band.colour, 0.3),
                edgecolor=band.colour,
                linewidth=0.8,
                label="80% interval",
            )
        dashes, marker = BAND_STYLES[min(number, len(BAND_STYLES) - 1)]
        colour = band.colour
        if number > 0 and colour == forecasts[0].colour:  # a scenario never looks like the base
            colour = SCENARIO_COLOUR
        start = [band.start] if band.start else []
        axes.plot(
            [s[0] for s in start] + xs,
            [s[1] for s in start] + [p[1] for p in band.points],
            linestyle=dashes,
            color=colour,
            marker=marker,
            markersize=4,
            linewidth=2,
            label=band.label,
        )
    for line in lines:
        xs = [year for year, value in line.points if value is not None]
        ys = [value for _, value in line.points if value is not None]
        if xs:
            axes.plot(
                xs,
                ys,
                linestyle=STYLES.get(line.key, "solid"),
                color=COLOURS.get(line.key, UNGRADED_COLOUR),
                marker=MARKERS.get(line.key),
                markersize=4,
                linewidth=2.5 if line.key == "council" else 1.5,
                label=line.label,
            )
    if own:
        axes.plot(
            own_xs,
            [value for _, value in own],
            linestyle="none",
            marker="D",
            markersize=6,
            color=OWN_COLOUR,
            label=own_label,
        )
    if years:
        low = min([years[0] - 0.5, *own_xs])
        high = max([years[-1] + 0.5, *own_xs])
        _mark_judgements(axes, judgements, low, high)
        axes.set_xlim(low, high)
        # Every year has its tick; past six years only every other one (counting back from
        # the last) is labelled, so the labels never run into each other.
        step = 1 if len(years) <= MAX_LABELLED_YEARS else 2
        axes.set_xticks(years)
        axes.set_xticklabels([str(y) if (years[-1] - y) % step == 0 else "" for y in years])
    axes.set_ylabel(unit, fontsize=CHART_FONT_SIZE)
    axes.tick_params(labelsize=CHART_FONT_SIZE)
    axes.grid(axis="y", color="#e6e6e6")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.12),
        ncol=2,
        frameon=False,
        fontsize=CHART_FONT_SIZE - 1,
        handlelength=2.5,
    )
    figure.tight_layout()
    return _as_svg(figure, chart_id, title, tight=True, kind="app-chart app-chart--line")


def _mark_judgements(
    axes: Axes, judgements: tuple[tuple[date, str | None], ...], low: float, high: float
) -> None:
    """Draw each judgement in [low, high] as a vertical line with its grade's marker on top;
    the first of each grade names the grade in the legend."""
    named: set[str | None] = set()
    for day, grade in sorted(judgements, key=lambda j: j[0]):
        x = census_position(day)
        if not low <= x <= high:
            continue
        colour = GRADE_COLOURS.get(grade or "", UNGRADED_COLOUR)
        marker = GRADE_MARKERS.get(grade or "", UNGRADED_MARKER)
        axes.axvline(x, color=colour, linewidth=1)
        # One point at the top of the plot (x in years, y in the axes' 0-1 height); its
        # line style shows as a short line through the marker in the legend.
        axes.plot(
            [x],
            [1.0],
            transform=axes.get_xaxis_transform(),
            clip_on=False,
            color=colour,
            marker=marker,
            markersize=7,
            linewidth=1,
            label=grade_label(grade) if grade not in named else "_nolegend_",
        )
        named.add(grade)


@lru_cache(maxsize=64)
def effects_chart_svg(
    *, chart_id: str, title: str, unit: str, effects: tuple[tuple[int, float, float, float], ...]
) -> str:
    """An event-study chart: the estimate for each year from the judgement, with its 95%
    interval; the year before (the reference) is zero."""
    figure = Figure(figsize=(7.6, 3.2), dpi=100)
    axes = figure.add_subplot()
    ks = [k for k, _, _, _ in effects]
    estimates = [e for _, e, _, _ in effects]
    errors = [[e - lo for _, e, lo, _ in effects], [hi - e for _, e, _, hi in effects]]
    axes.axhline(0, color="#505a5f", linewidth=1)
    axes.axvline(
        -0.5, color=GRADE_COLOURS["inadequate"], linewidth=1, linestyle="--", label="judgement"
    )
    axes.errorbar(
        ks,
        estimates,
        yerr=errors,
        fmt="o",
        color=COLOURS["council"],
        capsize=4,
        linewidth=1.5,
        label="estimate, 95% interval",
    )
    axes.set_xticks(ks)
    axes.set_xlabel("census years from the judgement (-1 is the reference)")
    axes.set_ylabel(unit)
    axes.grid(axis="y", color="#e6e6e6")
    axes.spines[["top", "right"]].set_visible(False)
    # Outside the plot, as on the line charts: inside it could cover an estimate.
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    figure.tight_layout()
    return _as_svg(figure, chart_id, title)


def _as_svg(
    figure: Figure, chart_id: str, title: str, *, tight: bool = False, kind: str = "app-chart"
) -> str:
    buffer = io.StringIO()
    # ``tight``: the picture grows to hold a legend drawn outside the axes.
    figure.savefig(buffer, format="svg", bbox_inches="tight" if tight else None)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(
        r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
        rf'<svg \1role="img" aria-labelledby="{chart_id}-title" class="{kind}"',
        svg,
        count=1,
    )
    head_end = svg.index(">") + 1
    return svg[:head_end] + f'<title id="{chart_id}-title">{escape(title)}</title>' + svg[head_end:]
