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
from matplotlib.figure import Figure

rcParams["svg.fonttype"] = "none"  # text stays selectable and readable by screen readers
rcParams["svg.hashsalt"] = "workforce"  # stable element ids between renders

# GOV.UK Design System colours, chosen to stay apart for common colour-vision deficiencies.
COLOURS = {"council": "#1d70b8", "england": "#0b0c0c", "region": "#f47738", "neighbours": "#00703c"}
OWN_COLOUR = "#912b88"  # GOV.UK purple: a council's own, unpublished figures
STYLES = {"council": "-", "england": "--", "region": "-.", "neighbours": ":"}
GRADE_COLOURS = {
    "outstanding": "#00703c",
    "good": "#1d70b8",
    "adequate": "#505a5f",
    "requires improvement to be good": "#f47738",
    "inadequate": "#d4351c",
}


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
    colour: str = "#1d70b8"


def census_position(day: date) -> float:
    """Return where ``day`` falls on a census-year axis (year Y is counted at 30 September Y)."""
    anchor = date(day.year, 9, 30)
    return day.year + (day - anchor).days / 365.25


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
    """Return an SVG line chart of ``lines``, with judgement dates as marked vertical lines
    and ``own`` figures (a council's returns, by period end) as separate markers.

    Cached: the same figures always draw the same chart, and drawing takes ~50 ms.
    """
    figure = Figure(figsize=(6.4, 3.2), dpi=100)
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
        if number == 0:  # intervals for the main forecast only, so bands never pile up
            axes.fill_between(
                xs,
                [p[4] for p in band.points],
                [p[5] for p in band.points],
                color=band.colour,
                alpha=0.12,
                linewidth=0,
                label="95% interval",
            )
            axes.fill_between(
                xs,
                [p[2] for p in band.points],
                [p[3] for p in band.points],
                color=band.colour,
                alpha=0.25,
                linewidth=0,
                label="80% interval",
            )
        start = [band.start] if band.start else []
        axes.plot(
            [s[0] for s in start] + xs,
            [s[1] for s in start] + [p[1] for p in band.points],
            "--",
            color=band.colour,
            marker="s",
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
                STYLES.get(line.key, "-"),
                color=COLOURS.get(line.key, "#505a5f"),
                marker="o" if line.key == "council" else None,
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
        for day, grade in judgements:
            x = census_position(day)
            if low <= x <= high:
                axes.axvline(
                    x, color=GRADE_COLOURS.get(grade or "", "#b1b4b6"), linewidth=1, alpha=0.8
                )
        axes.set_xlim(low, high)
        axes.set_xticks(years)
    axes.set_ylabel(unit)
    axes.grid(axis="y", color="#e6e6e6")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    figure.tight_layout()
    return _as_svg(figure, chart_id, title)


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


def _as_svg(figure: Figure, chart_id: str, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(
        r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
        rf'<svg \1role="img" aria-labelledby="{chart_id}-title" class="app-chart"',
        svg,
        count=1,
    )
    head_end = svg.index(">") + 1
    return svg[:head_end] + f'<title id="{chart_id}-title">{escape(title)}</title>' + svg[head_end:]
