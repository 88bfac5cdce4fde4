"""``workforce users``, ``tokens`` and ``groups``: who may use the service, and how."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from workforce.auth.models import Role
from workforce.cli.base import refused, require_current_schema
from workforce.timeutils import utcnow

if TYPE_CHECKING:
    from workforce.errors import InputDataError, Problem

users_app = typer.Typer(help="Users: create them, list them, set passwords.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens: issue, list, revoke.", no_args_is_help=True)
groups_app = typer.Typer(help="Regional MoU groups of councils.", no_args_is_help=True)

_ROLES = tuple(role.value for role in Role)

# The option (or argument) each field of an administrator's input is given with here.
USER_OPTIONS = {
    "email": "--email",
    "role": "--role",
    "councils": "--council",
    "group": "--group",
    "agency": "--agency",
    "name": "--name",
    "password": "--password",
}
TOKEN_OPTIONS = {"email": "--email", "days": "--days", "name": "--name"}
GROUP_OPTIONS = {"name": "NAME", "councils": "--council", "description": "--description"}
# What to do next, for the refusals the command line can help with.
NEXT_STEPS = {
    "user.group": "create it with `workforce groups create`",
}


def in_option_words(problem: Problem, options: Mapping[str, str]) -> str:
    """A problem as the command line says it: the option it is about, not the field."""
    option = options.get(problem.column or "")
    if option is None:
        return str(problem)
    value = f" (value {problem.value!r})" if problem.value is not None else ""
    step = f"; {NEXT_STEPS[problem.rule]}" if problem.rule in NEXT_STEPS else ""
    return f"{problem.severity.value}: {option}: {problem.message}{value}{step} [{problem.rule}]"


def refused_with_options(exc: InputDataError, options: Mapping[str, str]) -> typer.Exit:
    """Print why a command was refused, in its options' words; return the exit to raise."""
    typer.echo(f"Refused, nothing was changed. {len(exc.problems)} problem(s):", err=True)
    for problem in exc.problems:
        typer.echo(f"  - {in_option_words(problem, options)}", err=True)
    return typer.Exit(1)


def _no_such_user(email: str) -> typer.Exit:
    typer.echo(f"No user with email {email!r}: see `workforce users list`.", err=True)
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
    from workforce.auth.models import UserCreate
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    require_current_schema()
    try:
        new = UserCreate.checked(
            email=email, role=role, councils=council or [], group=group, agency=agency, name=name
        )
    except InputDataError as exc:
        raise refused_with_options(exc, USER_OPTIONS) from None
    secret = (
        typer.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    )
    try:
        with session_scope() as session:
            user = service.create_user(session=session, new=new, password=secret, actor=Actor.cli())
            typer.echo(f"Created user {user.id}: {user.email} ({user.role})")
    except InputDataError as exc:
        raise refused_with_options(exc, USER_OPTIONS) from None


@users_app.command("list")
def users_list() -> None:
    """List every user with role, scope and state."""
    from workforce.auth import service
    from workforce.db import session_scope

    with session_scope() as session:
        for user in service.list_users(session=session):
            public = service.user_public(session=session, user=user)
            scope = " ".join(public.councils) or public.group or public.agency or "-"
            state = "active" if public.is_active else "disabled"
            if public.locked_until and public.locked_until > utcnow():
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
    from workforce.auth.models import UserUpdate
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    password = service.generate_password()
    try:
        with session_scope() as session:
            user = service.update_user(
                session=session,
                email=email,
                changes=UserUpdate(password=password),
                actor=Actor.cli(),
            )
    except InputDataError as exc:
        raise refused_with_options(exc, USER_OPTIONS) from None
    except NotFoundError:
        raise _no_such_user(email) from None
    typer.echo(f"New password for {user.email}: {password}\n(shown only now)")


def _set_active(email: str, active: bool) -> None:
    from workforce.auth import service
    from workforce.auth.audit import Actor
    from workforce.auth.models import UserUpdate
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    try:
        with session_scope() as session:
            user = service.update_user(
                session=session,
                email=email,
                changes=UserUpdate(is_active=active),
                actor=Actor.cli(),
            )
    except NotFoundError:
        raise _no_such_user(email) from None
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
    from workforce.auth import tokens
    from workforce.auth.audit import Actor
    from workforce.auth.models import TokenCreate
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        new = TokenCreate.checked(days=days, name=name)
        with session_scope() as session:
            issued = tokens.create_token(session=session, new=new, email=email, actor=Actor.cli())
            token_id, expires = issued.token.id, issued.token.expires_at
    except InputDataError as exc:
        raise refused_with_options(exc, TOKEN_OPTIONS) from None
    except NotFoundError:
        raise _no_such_user(email) from None
    typer.echo(f"Token {token_id} for {email}, expires {expires:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.secret)
    typer.echo("Send it as 'Authorization: Bearer <token>'. It is shown only now.", err=True)


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
) -> None:
    """List tokens (their first characters only), with expiry, last use and revocation."""
    from workforce.auth import service, tokens
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    with session_scope() as session:
        try:
            owner = service.get_user_by_email(session=session, email=email) if email else None
        except NotFoundError:
            raise _no_such_user(email or "") from None
        for token in tokens.list_tokens(session=session, user_id=owner.id if owner else None):
            public = tokens.token_public(token)
            user = service.get_user(session=session, user_id=token.user_id)
            state = (
                f"revoked {public.revoked_at:%Y-%m-%d}"
                if public.revoked_at
                else ("expired" if public.expires_at <= utcnow() else "active")
            )
            used = f"{public.last_used_at:%Y-%m-%d %H:%M}" if public.last_used_at else "never"
            typer.echo(
                f"{public.id:>5} {public.prefix}... {user.email if user else '?':<40} "
                f"expires {public.expires_at:%Y-%m-%d} last used {used:<16} {state} {public.name}"
            )


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token; it stops working at once."""
    from workforce.auth import tokens
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    try:
        with session_scope() as session:
            token = tokens.revoke_token(session=session, token_id=token_id, actor=Actor.cli())
            prefix = token.prefix
    except NotFoundError as exc:
        raise refused(exc) from None
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
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.mou import service
    from workforce.mou.models import MouGroupCreate

    require_current_schema()
    try:
        new = MouGroupCreate.checked(name=name, councils=council, description=description)
        with session_scope() as session:
            service.create_group(session=session, new=new, actor=Actor.cli())
    except InputDataError as exc:
        raise refused_with_options(exc, GROUP_OPTIONS) from None
    typer.echo(f"Created MoU group {new.name!r} with {len(new.councils)} councils.")


@groups_app.command("list")
def groups_list() -> None:
    """List MoU groups and their councils."""
    from workforce.db import session_scope
    from workforce.mou import service

    with session_scope() as session:
        for group in service.list_groups(session=session):
            codes = service.group_councils(session=session, group_name=group.name)
            typer.echo(f"{group.name}: {' '.join(codes)}")
