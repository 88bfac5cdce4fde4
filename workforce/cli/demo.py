"""``workforce demo``: the bundled public data, the regional MoU groups with made-up agency
returns, the made-up kite-mark agencies and emergency pool, fitted forecasts and a demo
admin."""

from __future__ import annotations

from typing import Any

import typer

from workforce.cli.base import require_current_schema
from workforce.cli.progress import step
from workforce.config import Settings, get_settings


def demo() -> None:
    """Load all bundled public data into the configured database (safe to repeat)."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.statistics.bundled import load_public_data

    require_current_schema()
    actor = Actor.cli()
    with (
        step("Loading the bundled public statistics and Ofsted judgements"),
        session_scope() as session,
    ):
        lines = load_public_data(session=session, actor=actor)
    for line in lines:
        typer.echo(line)
    with step("Setting up the regional MoU groups and their made-up agency returns"):
        _demo_mou(actor)
    from workforce.agencies.demo import run as demo_kitemark  # three made-up agencies

    with step("Adding the made-up kite-mark agencies"):
        demo_kitemark(actor=actor, echo=typer.echo)
    with step("Seeding and matching the made-up emergency pool"):
        _demo_pool(actor)
    with step("Fitting the forecasts for every council"):
        _demo_forecasts()
    _demo_admin(actor)


def _demo_pool(actor: Any) -> None:
    """A made-up bench of pool workers and made-up requests from the councils judged
    inadequate, matched once (never in production)."""
    from workforce.db import session_scope
    from workforce.pool.demo import seed

    if get_settings().environment == "production":
        typer.echo("No made-up emergency pool in production.")
        return
    with session_scope() as session:
        if seed(session=session, actor=actor, echo=typer.echo) is None:
            typer.echo("Emergency pool: workers already there; nothing added.")


def _demo_mou(actor: Any) -> None:
    """The regional MoU groups, London's 2016 caps, example caps elsewhere, on-cost rates,
    made-up returns with agency assignments, and the demo groups' assessment."""
    from workforce.db import session_scope
    from workforce.mou.demo import seed

    examples = get_settings().environment != "production"
    with session_scope() as session:
        for line in seed(session=session, actor=actor, examples=examples):
            typer.echo(line)
    if not examples:
        typer.echo("No example caps or made-up returns in production.")


def _demo_forecasts() -> None:
    """Fit the forecasts now (the scheduler refits after new data and nightly)."""
    from jobs.runner import run_job

    run = run_job("forecast_refit", trigger="demo")
    typer.echo(
        f"Forecasts: {run.status}"
        + (f" - {run.summary}" if run.summary else "")
        + (f" - {run.error}" if run.error else "")
    )


DEMO_ADMIN = "demo-admin@example.org"


def sign_in_url(settings: Settings) -> str:
    """Return the sign-in page's address as `workforce serve` will serve it (its configured
    host and port); a server listening on every interface is reached here as localhost."""
    host = settings.host
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - naming the wildcard, not binding it
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{settings.port}/sign-in"


def _demo_admin(actor: Any) -> None:
    """Create the demo's admin with a generated password, shown once."""
    from workforce.auth import service
    from workforce.auth.models import Role
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    settings = get_settings()
    if settings.environment == "production":
        typer.echo("No demo admin in production: create users with `workforce users create`.")
        return
    with session_scope() as session:
        try:
            service.get_user_by_email(session=session, email=DEMO_ADMIN)
        except NotFoundError:
            password = service.generate_password()
            service.create_user(
                session=session,
                email=DEMO_ADMIN,
                role=Role.admin,
                name="Demo administrator",
                password=password,
                actor=actor,
            )
            typer.echo(
                f"\nSign in at {sign_in_url(settings)} as {DEMO_ADMIN} "
                f"with password {password}\n(shown only now; "
                f"`workforce users reset-password --email {DEMO_ADMIN}` sets a new one)\n"
            )
            return
    typer.echo(
        f"\nDemo admin {DEMO_ADMIN} exists (its password was shown when it was created); "
        f"`workforce users reset-password --email {DEMO_ADMIN}` prints a new one.\n"
        f"Sign in at {sign_in_url(settings)}\n"
    )
