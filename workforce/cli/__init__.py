"""The ``workforce`` command: one module per command group, each a thin layer over services.

``app`` is the entry point (``workforce = "workforce.cli:app"``). Every command and
group is registered here, in the order ``workforce --help`` lists them.
"""

from __future__ import annotations

from workforce.cli.access import groups_app, tokens_app, users_app
from workforce.cli.agencies import agencies_app
from workforce.cli.audit import audit_app
from workforce.cli.base import app
from workforce.cli.db import db_app
from workforce.cli.demo import demo
from workforce.cli.forecasts import backtest
from workforce.cli.imports import import_app
from workforce.cli.jobs import jobs_app
from workforce.cli.kitemark import kitemark_app
from workforce.cli.mou import mou_app
from workforce.cli.pool import pool_app
from workforce.cli.returns import returns_app
from workforce.cli.serve import scheduler, serve

app.command()(demo)
app.command()(serve)
app.command()(scheduler)
app.command()(backtest)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(groups_app, name="groups")
app.add_typer(mou_app, name="mou")
app.add_typer(agencies_app, name="agencies")
app.add_typer(kitemark_app, name="kitemark")
app.add_typer(pool_app, name="pool")
app.add_typer(audit_app, name="audit")
app.add_typer(returns_app, name="returns")
app.add_typer(jobs_app, name="jobs")
app.add_typer(import_app, name="import")

__all__ = ["app"]
