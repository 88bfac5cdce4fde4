"""The ``workforce`` command."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from workforce.auth.models import Role
from workforce.config import get_settings

log = logging.getLogger("workforce.cli")


class WorkforceCommand(typer.Typer):
    """The command line: an unexpected error is told in one line, never as a traceback.

    Typer's pretty traceback shows source paths and lines to whoever runs the command,
    and itself crashes on some errors (an XML ParseError whose message is not text).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            # Only the operators who ask for it see where it happened.
            log.debug("unexpected error", exc_info=True)
            # SQLAlchemy's message adds the statement and its parameters: give the driver's.
            cause = getattr(exc, "orig", None) or exc
            reason = f"{type(cause).__name__}: {cause}".strip().rstrip(":")
            typer.echo(
                f"Error: the command failed unexpectedly ({_one_line(reason)}). "
                "Set WORKFORCE_LOG_LEVEL=DEBUG to log the details; if it keeps happening, "
                "tell the service's administrators.",
                err=True,
            )
            sys.exit(1)


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


app = WorkforceCommand(
    help="Workforce stability and agency-market monitor for English children's social care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
jobs_app = typer.Typer(
    help="Scheduled jobs: list them, run one now, read the run log.", no_args_is_help=True
)
import_app = typer.Typer(
    help="Import published data files: DfE workforce releases, Ofsted judgements, neighbours.",
    no_args_is_help=True,
)
users_app = typer.Typer(help="Users: create them, list them, set passwords.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens: issue, list, revoke.", no_args_is_help=True)
groups_app = typer.Typer(help="Regional MoU groups of councils.", no_args_is_help=True)
returns_app = typer.Typer(
    help="Councils' returns: ingest a file, list them, show one with its report.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The audit log of every write that matters.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(groups_app, name="groups")
app.add_typer(audit_app, name="audit")
app.add_typer(returns_app, name="returns")
app.add_typer(jobs_app, name="jobs")
app.add_typer(import_app, name="import")

_ROLES = tuple(role.value for role in Role)


@app.callback()
def main() -> None:
    """Set up logging from the settings before any command runs."""
    from workforce.logging import configure_logging

    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)


def _require_current_schema() -> None:
    from workforce import migrations
    from workforce.db import get_engine

    current, head = migrations.current_revision(get_engine()), migrations.head_revision()
    if current != head:
        typer.echo(
            f"The database is at migration {current or 'none'}, this code needs {head}: "
            "run `workforce db upgrade` first.",
            err=True,
        )
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to the configured database (up to the newest by default)."""
    from workforce import migrations
    from workforce.db import get_engine

    settings = get_settings()
    settings.ensure_folders()
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"Database at revision {migrations.current_revision(get_engine())}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base' for empty.")],
) -> None:
    """Revert migrations down to REVISION."""
    from workforce import migrations
    from workforce.db import get_engine

    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    migrations.downgrade(get_settings().database_url, revision)
    typer.echo(f"Database at revision {migrations.current_revision(get_engine()) or 'base'}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision and the newest one."""
    from workforce import migrations
    from workforce.db import backend_name, get_engine

    engine = get_engine()
    current = migrations.current_revision(engine) or "base"
    typer.echo(
        f"backend {backend_name(engine)}; database at {current}; "
        f"newest {migrations.head_revision()}"
    )


@app.command()
def demo() -> None:
    """Load all bundled public data into the configured database (safe to repeat)."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.statistics.bundled import load_public_data

    _require_current_schema()
    actor = Actor.cli()
    with session_scope() as session:
        for line in load_public_data(session=session, actor=actor):
            typer.echo(line)
    _demo_forecasts()
    _demo_admin(actor)


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
            service.get_user_by_email(session, DEMO_ADMIN)
        except NotFoundError:
            password = service.generate_password()
            service.create_user(
                session,
                email=DEMO_ADMIN,
                role=Role.admin,
                name="Demo administrator",
                password=password,
                actor=actor,
            )
            typer.echo(
                f"\nSign in at http://{settings.host}:{settings.port}/sign-in as {DEMO_ADMIN} "
                f"with password {password}\n(shown only now; "
                f"`workforce users reset-password --email {DEMO_ADMIN}` sets a new one)\n"
            )
            return
    typer.echo(
        f"\nDemo admin {DEMO_ADMIN} exists (its password was shown when it was created); "
        f"`workforce users reset-password --email {DEMO_ADMIN}` prints a new one.\n"
    )


def _run_import(path: Path, what: str, importer: Callable[..., Any], entity: str) -> None:
    """Run one file import in a transaction, with a progress bar and every problem listed."""
    from rich.progress import BarColumn, Progress, TextColumn

    from workforce.auth import audit
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    _require_current_schema()
    if not path.is_file():
        typer.echo(f"{path}: no such file", err=True)
        raise typer.Exit(2)
    total = max(1, sum(1 for _ in path.open("rb")))
    try:
        with (
            Progress(
                TextColumn(f"Importing {what} {{task.description}}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} rows"),
                transient=True,
                disable=not sys.stderr.isatty(),
            ) as bar,
            session_scope() as session,
        ):
            task = bar.add_task(path.name, total=total)
            report = importer(session=session, path=path, progress=lambda n: bar.advance(task, n))
            audit.record_import(
                session,
                audit.Actor.cli(),
                entity,
                report,
                getattr(report, "publication_id", None) or path.name,
            )
    except InputDataError as exc:
        typer.echo(
            f"{path.name}: refused, nothing was imported. {len(exc.problems)} problem(s):", err=True
        )
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(report.summary())
    for warning in getattr(report, "warnings", []):
        typer.echo(f"  warning: {warning}")
    for row, reason in getattr(report, "skipped", []):
        typer.echo(f"  skipped row {row}: {reason}")


@import_app.command("csww")
def import_csww(path: Annotated[Path, typer.Argument(help="A DfE release CSV file.")]) -> None:
    """Import a DfE "Children's social work workforce" release (either column layout)."""
    from workforce.statistics.importer import import_release_file

    _run_import(path, "workforce statistics", import_release_file, "publication")


@import_app.command("judgements")
def import_judgements_command(
    path: Annotated[Path, typer.Argument(help="Ofsted judgements: CSV or XLSX.")],
) -> None:
    """Import Ofsted judgements (history CSV, ILACS overview XLSX or inspection outcomes)."""
    from workforce.inspections.importers import import_judgements

    _run_import(path, "judgements", import_judgements, "judgements")


@import_app.command("neighbours")
def import_neighbours(
    path: Annotated[Path, typer.Argument(help="A DfE statistical-neighbours CSV.")],
    source: Annotated[str, typer.Option(help="How to cite this grouping.")] = (
        "DfE statistical neighbours"
    ),
) -> None:
    """Import DfE statistical neighbours; each council's list replaces its previous one."""
    from workforce.councils.reference import LoadReport, load_statistical_neighbours

    def importer(*, session: Any, path: Path, progress: Any) -> LoadReport:
        report = LoadReport()
        load_statistical_neighbours(session=session, path=path, report=report, source=source)
        return report

    _run_import(path, "statistical neighbours", importer, "statistical_neighbours")


@app.command()
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


@app.command()
def scheduler() -> None:
    """Run the job scheduler in this process until stopped (run exactly one)."""
    from jobs.scheduler import run_scheduler

    _require_current_schema()
    run_scheduler(get_settings())


@jobs_app.command("list")
def jobs_list() -> None:
    """List every job with its schedule and its last run."""
    from jobs.registry import all_jobs
    from workforce.db import session_scope
    from workforce.runs.service import last_run

    with session_scope() as session:
        for spec in all_jobs():
            last = last_run(session=session, job=spec.name)
            last_text = (
                f"last run {last.started_at:%Y-%m-%d %H:%M} {last.status}" if last else "never run"
            )
            typer.echo(f"{spec.name:<28} {spec.schedule_text():<24} {last_text}")
            typer.echo(f"    {spec.description}")


@jobs_app.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="Job name (see `workforce jobs list`).")],
) -> None:
    """Run job NAME once now, locked and logged as the scheduler would run it."""
    from jobs.runner import run_job

    _require_current_schema()
    try:
        run = run_job(name, trigger="cli")
    except KeyError as exc:
        typer.echo(str(exc.args[0]), err=True)
        raise typer.Exit(2) from None
    message = f"{run.job} run {run.id}: {run.status}"
    if run.rows is not None:
        message += f", {run.rows} rows"
    if run.summary:
        message += f" - {run.summary}"
    if run.error:
        message += f" - {run.error}"
    typer.echo(message, err=run.status == "failed")
    if run.status == "failed":
        raise typer.Exit(1)


@jobs_app.command("runs")
def jobs_runs(
    job: Annotated[str | None, typer.Option(help="Only this job.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
) -> None:
    """Show the run log, newest first."""
    from workforce.db import session_scope
    from workforce.runs.service import recent_runs

    with session_scope() as session:
        for run in recent_runs(session=session, job=job, limit=limit):
            finished = f"{run.finished_at:%H:%M:%S}" if run.finished_at else "-"
            typer.echo(
                f"{run.id:>6} {run.job:<24} {run.trigger:<9} {run.started_at:%Y-%m-%d %H:%M:%S} "
                f"{finished:>8} {run.status:<9} rows={run.rows if run.rows is not None else '-'} "
                f"{run.error or run.summary or ''}"
            )


# --- users, tokens, groups, audit ---------------------------------------------------------


def _refused(exc: Exception) -> typer.Exit:
    """Print why a command was refused (every problem) and return the exit to raise."""
    from workforce.errors import InputDataError

    if isinstance(exc, InputDataError):
        typer.echo(f"Refused, nothing was changed. {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
    else:
        typer.echo(str(exc.args[0] if exc.args else exc), err=True)
    return typer.Exit(1)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The user's email address (their sign-in name).")],
    role: Annotated[str, typer.Option(help="One of: " + ", ".join(_ROLES) + ".")],
    council: Annotated[
        list[str] | None,
        typer.Option(help="A council the user is scoped to (DfE code); repeat for more."),
    ] = None,
    group: Annotated[str | None, typer.Option(help="MoU group (mou_member only).")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency name (agency_user only).")] = None,
    name: Annotated[str, typer.Option(help="The user's name.")] = "",
    password: Annotated[
        bool, typer.Option("--password", help="Prompt for a password for web sign-in.")
    ] = False,
) -> None:
    """Create a user with a role and the scope it needs."""
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    _require_current_schema()
    secret = (
        typer.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    )
    try:
        with session_scope() as session:
            user = service.create_user(
                session,
                email=email,
                role=role,
                councils=council or [],
                group=group,
                agency=agency,
                name=name,
                password=secret,
                actor=Actor.cli(),
            )
            typer.echo(f"Created user {user.id}: {user.email} ({user.role})")
    except InputDataError as exc:
        raise _refused(exc) from None


@users_app.command("list")
def users_list() -> None:
    """List every user with role, scope and state."""
    from workforce.auth import service
    from workforce.db import session_scope

    with session_scope() as session:
        for user in service.list_users(session):
            public = service.user_public(session, user)
            scope = " ".join(public.councils) or public.group or public.agency or "-"
            state = "active" if public.is_active else "disabled"
            if public.locked_until and public.locked_until > _now():
                state += f", locked until {public.locked_until:%H:%M} UTC"
            last = f"{public.last_sign_in_at:%Y-%m-%d %H:%M}" if public.last_sign_in_at else "never"
            typer.echo(
                f"{public.id:>5} {public.email:<40} {public.role.value:<18} {scope:<20} "
                f"{state:<10} last sign-in {last}"
            )


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Option(help="The user's email address.")],
) -> None:
    """Give a user a new generated password (printed once) and clear any lock-out."""
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    password = service.generate_password()
    try:
        with session_scope() as session:
            user = service.set_password(session, email=email, password=password, actor=Actor.cli())
    except (InputDataError, NotFoundError) as exc:
        raise _refused(exc) from None
    typer.echo(f"New password for {user.email}: {password}\n(shown only now)")


def _set_active(email: str, active: bool) -> None:
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    try:
        with session_scope() as session:
            user = service.set_active(session, email=email, active=active, actor=Actor.cli())
    except NotFoundError as exc:
        raise _refused(exc) from None
    typer.echo(f"{user.email} is {'active' if active else 'disabled'}.")


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Option(help="The user's email address.")]) -> None:
    """Disable a user: their sign-in, sessions and tokens stop working at once."""
    _set_active(email, False)


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Option(help="The user's email address.")]) -> None:
    """Enable a disabled user again."""
    _set_active(email, True)


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Option(help="Whose token: the user's email address.")],
    days: Annotated[int, typer.Option(min=1, max=366, help="Days until it expires.")] = 90,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue an API token; it is printed once and only its hash is kept."""
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    _require_current_schema()
    try:
        with session_scope() as session:
            issued = service.create_token(
                session, email=email, days=days, name=name, actor=Actor.cli()
            )
            token_id, expires = issued.token.id, issued.token.expires_at
    except (InputDataError, NotFoundError) as exc:
        raise _refused(exc) from None
    typer.echo(f"Token {token_id} for {email}, expires {expires:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.secret)
    typer.echo("Send it as 'Authorization: Bearer <token>'. It is shown only now.", err=True)


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
) -> None:
    """List tokens (their first characters only), with expiry, last use and revocation."""
    from workforce.auth import service
    from workforce.auth.models import User
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    with session_scope() as session:
        try:
            owner = service.get_user_by_email(session, email) if email else None
        except NotFoundError as exc:
            raise _refused(exc) from None
        for token in service.list_tokens(session, user_id=owner.id if owner else None):
            public = service.token_public(token)
            user = session.get(User, token.user_id)
            state = (
                f"revoked {public.revoked_at:%Y-%m-%d}"
                if public.revoked_at
                else ("expired" if public.expires_at <= _now() else "active")
            )
            used = f"{public.last_used_at:%Y-%m-%d %H:%M}" if public.last_used_at else "never"
            typer.echo(
                f"{public.id:>5} {public.prefix}... {user.email if user else '?':<40} "
                f"expires {public.expires_at:%Y-%m-%d} last used {used:<16} {state} {public.name}"
            )


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token; it stops working at once."""
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    try:
        with session_scope() as session:
            token = service.revoke_token(session, token_id=token_id, actor=Actor.cli())
            prefix = token.prefix
    except NotFoundError as exc:
        raise _refused(exc) from None
    typer.echo(f"Token {token_id} ({prefix}...) is revoked.")


@groups_app.command("create")
def groups_create(
    name: Annotated[str, typer.Argument(help="The group's name, e.g. 'London MoU'.")],
    council: Annotated[
        list[str], typer.Option(help="A member council (DfE code); repeat for each.")
    ],
    description: Annotated[str, typer.Option(help="What the group is.")] = "",
) -> None:
    """Create a regional MoU group of councils."""
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    _require_current_schema()
    try:
        with session_scope() as session:
            service.create_group(
                session, name=name, councils=council, description=description, actor=Actor.cli()
            )
    except InputDataError as exc:
        raise _refused(exc) from None
    typer.echo(f"Created MoU group {name!r} with {len(set(council))} councils.")


@groups_app.command("list")
def groups_list() -> None:
    """List MoU groups and their councils."""
    from sqlmodel import select

    from workforce.auth import service
    from workforce.auth.models import MouGroup
    from workforce.db import session_scope

    with session_scope() as session:
        for group in session.exec(select(MouGroup).order_by(MouGroup.name)):
            codes = service.group_councils(session, group.name)
            typer.echo(f"{group.name}: {' '.join(codes)}")


@audit_app.command("tail")
def audit_tail(
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many entries.")] = 20,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    entity: Annotated[str | None, typer.Option(help="Only this kind of entity.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    council: Annotated[str | None, typer.Option(help="Only this council's entries.")] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new entries.")
    ] = False,
) -> None:
    """Print the newest audit entries, oldest first (and follow new ones with -f)."""
    import time

    from workforce.auth import audit
    from workforce.db import session_scope

    def fetch(after: int | None, count: int) -> list[Any]:
        with session_scope() as session:
            rows = audit.query(
                session,
                action=action,
                entity=entity,
                actor=actor,
                council_code=council,
                limit=count,
            )
            return [r for r in reversed(rows) if after is None or (r.id or 0) > after]

    last_id = None
    for entry in fetch(None, limit):
        typer.echo(_audit_line(entry))
        last_id = entry.id
    while follow:
        time.sleep(2)
        for entry in fetch(last_id or 0, 1000):
            typer.echo(_audit_line(entry))
            last_id = entry.id


def _audit_line(entry: Any) -> str:
    where = f" council {entry.council_code}" if entry.council_code else ""
    target = f"{entry.entity}:{entry.entity_id}" if entry.entity_id else entry.entity
    return (
        f"{entry.id:>7} {entry.at:%Y-%m-%d %H:%M:%S} {entry.actor} ({entry.source}) "
        f"{entry.action} {target}{where}: {entry.summary}"
    )


# --- returns -------------------------------------------------------------------------------


def _print_return(row: Any, issues: bool = True) -> None:
    period = row.period_end.isoformat() if row.period_end else "unknown period"
    typer.echo(
        f"Return {row.id}: council {row.council_code}, {row.kind} {period}, version "
        f"{row.version}, {row.status} ({row.error_count} error(s), {row.warning_count} "
        f"warning(s)); {row.file_name}, sha256 {row.sha256[:12]}..., {row.uploaded_by_name}, "
        f"{row.uploaded_at:%Y-%m-%d %H:%M}"
    )
    for measure, value in (row.measures or {}).items():
        typer.echo(f"    {measure:<30} {'-' if value is None else value}")
    if issues:
        from workforce.returns.issues import Issue, Severity

        for item in row.issues:
            typer.echo(
                "  - "
                + str(
                    Issue(
                        Severity(item["severity"]),
                        item["rule"],
                        item["message"],
                        item.get("sheet"),
                        item.get("row"),
                        item.get("column"),
                        item.get("value"),
                    )
                )
            )


@returns_app.command("ingest")
def returns_ingest(
    path: Annotated[Path, typer.Argument(help="The return: XLSX, CSV or census XML.")],
    council: Annotated[str, typer.Option(help="The council it is for (DfE code).")],
    assignments: Annotated[
        Path | None, typer.Option(help="The agency assignments CSV, with a workforce CSV.")
    ] = None,
) -> None:
    """Validate and store a return; print its report. Exit 1 if it was rejected."""
    from workforce.auth.audit import Actor
    from workforce.councils.service import find_council
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.service import Upload, ingest

    _require_current_schema()
    for file in (path, assignments):
        if file is not None and not file.is_file():
            typer.echo(f"{file}: no such file", err=True)
            raise typer.Exit(2)
    try:
        with session_scope() as session:
            code = find_council(session=session, code=council).code
            result = ingest(
                session,
                upload=Upload(path.read_bytes(), path.name),
                assignments=Upload(assignments.read_bytes(), assignments.name)
                if assignments
                else None,
                council_code=code,
                actor=Actor.cli(),
                source="cli",
            )
            row = result.council_return
    except NotFoundError as exc:
        raise _refused(exc) from None
    if not result.created:
        typer.echo("This content was received before; nothing new was stored.")
    _print_return(row)
    if row.status == "rejected":
        raise typer.Exit(1)


@returns_app.command("list")
def returns_list(
    council: Annotated[str | None, typer.Option(help="Only this council (DfE code).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """List returns, newest first."""
    from workforce.councils.service import find_council
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.service import list_returns

    with session_scope() as session:
        try:
            codes = [find_council(session=session, code=council).code] if council else None
        except NotFoundError as exc:
            raise _refused(exc) from None
        for row in list_returns(session, council_codes=codes, limit=limit):
            _print_return(row, issues=False)


@returns_app.command("show")
def returns_show(return_id: Annotated[int, typer.Argument(help="The return's id.")]) -> None:
    """Show one return with its measures and every issue."""
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.service import get_return

    with session_scope() as session:
        try:
            _print_return(get_return(session, return_id))
        except NotFoundError as exc:
            raise _refused(exc) from None


# --- forecasting ---------------------------------------------------------------------------


def _years(text: str, what: str) -> list[int]:
    try:
        return sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        typer.echo(f"--{what} takes years separated by commas, e.g. 2020,2021,2022", err=True)
        raise typer.Exit(2) from None


@app.command()
def backtest(
    measure: Annotated[
        list[str] | None,
        typer.Option(help="A measure to test; repeat for more (default: all four)."),
    ] = None,
    origins: Annotated[str, typer.Option(help="Origin years, comma-separated.")] = (
        "2020,2021,2022"
    ),
    horizons: Annotated[str, typer.Option(help="Years ahead, comma-separated.")] = "1,2",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Refit on data up to each origin only, forecast, and score against the baselines."""
    import json

    from workforce.db import session_scope
    from workforce.forecasting.backtest import run_backtest
    from workforce.forecasting.panel import FORECAST_MEASURES, load_panel

    _require_current_schema()
    measures = measure or list(FORECAST_MEASURES)
    unknown = [m for m in measures if m not in FORECAST_MEASURES]
    if unknown:
        typer.echo(
            f"Unknown measure {', '.join(unknown)}: choose from {', '.join(FORECAST_MEASURES)}",
            err=True,
        )
        raise typer.Exit(2)
    with session_scope() as session:
        panel = load_panel(session)
    if panel.values.empty:
        typer.echo("No published statistics: run `workforce demo` first.", err=True)
        raise typer.Exit(1)
    wanted = _years(origins, "origins")
    too_late = [o for o in wanted if o >= panel.last_year]
    if too_late:
        typer.echo(
            f"Origin(s) {', '.join(map(str, too_late))} leave nothing to compare with: "
            f"the data end in {panel.last_year}.",
            err=True,
        )
        raise typer.Exit(2)
    report = run_backtest(
        panel, measures=measures, origins=wanted, horizons=_years(horizons, "horizons")
    )
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.table())


def _now() -> Any:
    from workforce.timeutils import utcnow

    return utcnow()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
