"""``workforce serve`` and ``workforce scheduler``: the two long-running processes."""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.base import require_current_schema
from workforce.config import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [WORKFORCE_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [WORKFORCE_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes [WORKFORCE_WORKERS].")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API and pages with uvicorn (the scheduler runs separately)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


def scheduler() -> None:
    """Run the job scheduler in this process until stopped (run exactly one)."""
    from jobs.scheduler import run_scheduler

    require_current_schema()
    run_scheduler(get_settings())
