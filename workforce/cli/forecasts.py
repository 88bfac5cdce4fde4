"""``workforce backtest``: score the forecasts against what was later published."""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.base import require_current_schema
from workforce.cli.progress import step


def _years(text: str, what: str) -> list[int]:
    try:
        return sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        typer.echo(f"--{what} takes years separated by commas, e.g. 2020,2021,2022", err=True)
        raise typer.Exit(2) from None


def backtest(
    measure: Annotated[
        list[str] | None,
        typer.Option(help="A measure to test; repeat for more (default: all four)."),
    ] = None,
    origins: Annotated[
        str,
        typer.Option(
            help="Origin years, comma-separated (default: the four years before the data end)."
        ),
    ] = "",
    horizons: Annotated[str, typer.Option(help="Years ahead, comma-separated.")] = "1,2",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Refit on data up to each origin only, forecast, and score against the baselines."""
    import json

    from workforce.db import session_scope
    from workforce.forecasting.backtest import default_origins, run_backtest
    from workforce.forecasting.panel import FORECAST_MEASURES, load_panel

    require_current_schema()
    measures = measure or list(FORECAST_MEASURES)
    unknown = [m for m in measures if m not in FORECAST_MEASURES]
    if unknown:
        typer.echo(
            f"Unknown measure {', '.join(unknown)}: choose from {', '.join(FORECAST_MEASURES)}",
            err=True,
        )
        raise typer.Exit(2)
    with step("Reading the published statistics"), session_scope() as session:
        panel = load_panel(session=session)
    if panel.values.empty:
        typer.echo("No published statistics: run `workforce demo` first.", err=True)
        raise typer.Exit(1)
    wanted = _years(origins, "origins") or default_origins(panel)
    too_late = [o for o in wanted if o >= panel.last_year]
    if too_late:
        typer.echo(
            f"Origin(s) {', '.join(map(str, too_late))} leave nothing to compare with: "
            f"the data end in {panel.last_year}.",
            err=True,
        )
        raise typer.Exit(2)
    with step(f"Backtesting {len(measures)} measure(s) from {len(wanted)} origin(s)") as now:
        report = run_backtest(
            panel,
            measures=measures,
            origins=wanted,
            horizons=_years(horizons, "horizons"),
            progress=now,
        )
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.table())
