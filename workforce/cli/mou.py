"""``workforce mou``: regional MoU groups, their members, caps and on-cost rates, the
assessment of their councils' agency assignments and its findings.

A thin layer over :mod:`workforce.mou.service` and :mod:`workforce.mou.flows`: every
command reads or writes through them; a refusal lists every problem in the options' words.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.access import refused_with_options
from workforce.cli.base import refused, require_current_schema
from workforce.mou.models import PayRoute, RoleCategory

mou_app = typer.Typer(
    help="Regional MoU groups: members, rate caps, on-cost rates, assessment and findings.",
    no_args_is_help=True,
)
groups_app = typer.Typer(help="MoU groups and their members over time.", no_args_is_help=True)
caps_app = typer.Typer(help="A group's hourly caps by role category (dated).", no_args_is_help=True)
oncosts_app = typer.Typer(
    help="Employer on-cost rates by pay route (dated), added to pay to compare with a cap.",
    no_args_is_help=True,
)
mou_app.add_typer(groups_app, name="groups")
mou_app.add_typer(caps_app, name="caps")
mou_app.add_typer(oncosts_app, name="oncosts")

_ROLES = ", ".join(role.value for role in RoleCategory)
_ROUTES = ", ".join(route.value for route in PayRoute)

# The option (or argument) each field of an input is given with here.
GROUP_OPTIONS = {
    "name": "NAME",
    "councils": "--council",
    "description": "--description",
    "cooling_off_months": "--cooling-off-months",
    "rules_from": "--rules-from",
}
MEMBER_OPTIONS = {"group_name": "GROUP", "council_code": "COUNCIL", "on": "--on"}
CAP_OPTIONS = {
    "group_name": "GROUP",
    "role_category": "--role",
    "effective_from": "--from",
    "hourly_cap": "--cap",
    "source": "--source",
}
ON_COST_OPTIONS = {
    "pay_route": "ROUTE",
    "effective_from": "--from",
    "employer_ni": "--employer-ni",
    "apprenticeship_levy": "--levy",
    "other": "--other",
    "source": "--source",
}


def _no_such_group(exc: Exception) -> typer.Exit:
    typer.echo(f"{exc.args[0] if exc.args else exc} See `workforce mou groups list`.", err=True)
    return typer.Exit(1)


# --- groups ------------------------------------------------------------------------------


@groups_app.command("list")
def groups_list() -> None:
    """List the groups: cooling-off, when their rules applied, and members today."""
    from workforce.db import session_scope
    from workforce.mou import service

    with session_scope() as session:
        for group in service.list_groups(session=session):
            public = service.group_public(session=session, group=group)
            applied = f"rules from {public.rules_from:%Y-%m-%d}" if public.rules_from else ""
            example = " (example)" if public.is_example else ""
            typer.echo(
                f"{public.name}{example}: cooling-off {public.cooling_off_months} months"
                f"{', ' + applied if applied else ''}; {len(public.councils)} members: "
                f"{' '.join(public.councils)}"
            )


@groups_app.command("create")
def groups_create(
    name: Annotated[str, typer.Argument(help="The group's name, e.g. 'London'.")],
    council: Annotated[
        list[str], typer.Option(help="A member council (DfE code); repeat for each.")
    ],
    description: Annotated[str, typer.Option(help="What the group is.")] = "",
    cooling_off_months: Annotated[
        int, typer.Option(help="Months after leaving a permanent post with no agency work.")
    ] = 3,
    rules_from: Annotated[
        str | None,
        typer.Option(help="The day its caps first applied to new assignments (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Create a regional MoU group; its councils are members from the start."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.mou import service
    from workforce.mou.models import MouGroupCreate

    require_current_schema()
    try:
        new = MouGroupCreate.checked(
            name=name,
            councils=council,
            description=description,
            cooling_off_months=cooling_off_months,
            rules_from=rules_from,
        )
        with session_scope() as session:
            service.create_group(session=session, new=new, actor=Actor.cli())
    except InputDataError as exc:
        raise refused_with_options(exc, GROUP_OPTIONS) from None
    typer.echo(f"Created MoU group {new.name!r} with {len(new.councils)} councils.")


def _membership(group: str, council: str, on: str | None, joining: bool) -> None:
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.mou import service
    from workforce.mou.models import MembershipChange

    require_current_schema()
    try:
        change = MembershipChange.checked(group_name=group, council_code=council, on=on)
        with session_scope() as session:
            write = service.add_member if joining else service.remove_member
            membership = write(session=session, new=change, actor=Actor.cli())
            joined, left = membership.joined_on, membership.left_on
    except InputDataError as exc:
        raise refused_with_options(exc, MEMBER_OPTIONS) from None
    if joining:
        when = f"from {joined:%Y-%m-%d}" if joined else "from the start"
        typer.echo(f"{change.council_code} is a member of {change.group_name} {when}.")
    else:
        assert left is not None
        typer.echo(f"{change.council_code} left {change.group_name} on {left:%Y-%m-%d}.")


@groups_app.command("add-member")
def groups_add_member(
    group: Annotated[str, typer.Argument(help="The group's name.")],
    council: Annotated[str, typer.Argument(help="The council's DfE code.")],
    on: Annotated[
        str | None,
        typer.Option(
            help="The day it joined (YYYY-MM-DD); blank: from the start (rejoining: today)."
        ),
    ] = None,
) -> None:
    """Make COUNCIL a member of GROUP from a day on; a council that left may rejoin on the
    day it left or later, its past stay kept."""
    _membership(group, council, on, joining=True)


@groups_app.command("remove-member")
def groups_remove_member(
    group: Annotated[str, typer.Argument(help="The group's name.")],
    council: Annotated[str, typer.Argument(help="The council's DfE code.")],
    on: Annotated[
        str | None,
        typer.Option(help="The first day it is no longer a member (YYYY-MM-DD); blank: today."),
    ] = None,
) -> None:
    """Record that COUNCIL left GROUP (its membership is kept, with the day it left)."""
    _membership(group, council, on, joining=False)


# --- caps --------------------------------------------------------------------------------


@caps_app.command("set")
def caps_set(
    group: Annotated[str, typer.Argument(help="The group's name.")],
    role: Annotated[str, typer.Option(help=f"The role category: one of {_ROLES}.")],
    effective_from: Annotated[
        str, typer.Option("--from", help="The day the cap applies from (YYYY-MM-DD).")
    ],
    cap: Annotated[float, typer.Option(help="Pounds an hour: pay plus employer on-costs.")],
    source: Annotated[str, typer.Option(help="Where the figure comes from.")],
    example: Annotated[
        bool, typer.Option("--example", help="A made-up figure, labelled as an example.")
    ] = False,
) -> None:
    """Add a cap for GROUP and a role from a day on; earlier caps are kept, never replaced."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.mou import caps as cap_service
    from workforce.mou.models import CapCreate

    require_current_schema()
    try:
        new = CapCreate.checked(
            group_name=group,
            role_category=role,
            effective_from=effective_from,
            hourly_cap=cap,
            source=source,
            is_example=example,
        )
        with session_scope() as session:
            cap_service.set_cap(session=session, new=new, actor=Actor.cli())
    except InputDataError as exc:
        raise refused_with_options(exc, CAP_OPTIONS) from None
    typer.echo(
        f"{new.group_name}: {new.role_category.value} capped at {new.hourly_cap:.2f} pounds an "
        f"hour from {new.effective_from:%Y-%m-%d}" + (" (example figure)." if example else ".")
    )


@caps_app.command("list")
def caps_list(
    group: Annotated[str, typer.Argument(help="The group's name.")],
) -> None:
    """List every cap GROUP has had, by role and day, with its source."""
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.mou import caps as cap_service
    from workforce.mou import service

    with session_scope() as session:
        try:
            service.get_group(session=session, group_name=group)
        except NotFoundError as exc:
            raise _no_such_group(exc) from None
        for cap in cap_service.caps(session=session, group_name=group):
            example = " EXAMPLE figure, not a published cap" if cap.is_example else ""
            typer.echo(
                f"{cap.role_category:<24} from {cap.effective_from:%Y-%m-%d} "
                f"{cap.hourly_cap:>7.2f}{example}  [{cap.source}]"
            )


# --- on-cost rates ----------------------------------------------------------------------------


@oncosts_app.command("set")
def oncosts_set(
    route: Annotated[str, typer.Argument(help=f"The pay route: one of {_ROUTES}.")],
    effective_from: Annotated[
        str, typer.Option("--from", help="The day the rates apply from (YYYY-MM-DD).")
    ],
    source: Annotated[str, typer.Option(help="Where the rates come from.")],
    employer_ni: Annotated[
        float, typer.Option(help="Employer National Insurance, a share of pay (0.15 is 15%).")
    ] = 0.0,
    levy: Annotated[
        float, typer.Option(help="Apprenticeship levy, a share of pay (0.005 is 0.5%).")
    ] = 0.0,
    other: Annotated[float, typer.Option(help="Any further on-cost, a share of pay.")] = 0.0,
) -> None:
    """Add on-cost rates for ROUTE from a day on; earlier rates are kept, never replaced."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.mou import caps as cap_service
    from workforce.mou.models import OnCostRateCreate

    require_current_schema()
    try:
        new = OnCostRateCreate.checked(
            pay_route=route,
            effective_from=effective_from,
            employer_ni=employer_ni,
            apprenticeship_levy=levy,
            other=other,
            source=source,
        )
        with session_scope() as session:
            cap_service.set_on_cost_rate(session=session, new=new, actor=Actor.cli())
    except InputDataError as exc:
        raise refused_with_options(exc, ON_COST_OPTIONS) from None
    typer.echo(
        f"{new.pay_route.value} on-costs from {new.effective_from:%Y-%m-%d}: employer NI "
        f"{new.employer_ni:.2%}, apprenticeship levy {new.apprenticeship_levy:.2%}, other "
        f"{new.other:.2%}."
    )


@oncosts_app.command("list")
def oncosts_list(
    route: Annotated[str | None, typer.Option(help=f"Only this pay route ({_ROUTES}).")] = None,
) -> None:
    """List every on-cost rate set, by pay route and day, with its source."""
    from workforce.db import session_scope
    from workforce.mou import caps as cap_service

    if route is not None and route not in {r.value for r in PayRoute}:
        typer.echo(f"Unknown pay route {route!r}; choose one of {_ROUTES}.", err=True)
        raise typer.Exit(1)
    with session_scope() as session:
        for rate in cap_service.on_cost_rates(
            session=session, pay_route=PayRoute(route) if route else None
        ):
            typer.echo(
                f"{rate.pay_route:<16} from {rate.effective_from:%Y-%m-%d} employer NI "
                f"{rate.employer_ni:.2%} levy {rate.apprenticeship_levy:.2%} other "
                f"{rate.other:.2%}  [{rate.source}]"
            )


# --- assessment and findings ----------------------------------------------------------------


@mou_app.command("assess")
def assess(group: Annotated[str, typer.Argument(help="The group's name.")]) -> None:
    """Check GROUP's members' accepted agency assignments against the rules; store findings."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.mou import flows

    require_current_schema()
    try:
        with session_scope() as session:
            summary = flows.assess(session=session, group_name=group, actor=Actor.cli())
    except NotFoundError as exc:
        raise _no_such_group(exc) from None
    typer.echo(summary.summary())


@mou_app.command("findings")
def findings(
    group: Annotated[str, typer.Argument(help="The group's name.")],
    council: Annotated[str | None, typer.Option(help="Only this council (DfE code).")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
) -> None:
    """List GROUP's findings: each assignment, rule, figures and the return it came from."""
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.mou import rules, service

    if rule is not None and rule not in rules.RULES:
        raise refused(ValueError(f"Unknown rule {rule!r}; the rules: {', '.join(rules.RULES)}."))
    with session_scope() as session:
        try:
            service.get_group(session=session, group_name=group)
        except NotFoundError as exc:
            raise _no_such_group(exc) from None
        found = service.findings(session=session, group_name=group, council_code=council, rule=rule)
        for f in found:
            typer.echo(
                f"{f.council_code} assignment {f.assignment_id} (return {f.return_id}) "
                f"{f.rule} {f.status}: {f.message}"
            )
            if f.derivation:
                typer.echo(f"    {f.derivation}")
        typer.echo(f"{len(found)} finding(s).")
