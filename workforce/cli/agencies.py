"""``workforce agencies``: the kite-mark register's agencies and how the agency names in
councils' returns match them.

A thin layer over :mod:`workforce.agencies.service`, :mod:`workforce.agencies.registration`
and :mod:`workforce.agencies.matching`: every command reads or writes through them; a
refusal lists every problem in the options' words. An agency is named by its id, its
Companies House number or any of its names.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.access import refused_with_options
from workforce.cli.base import refused, require_current_schema

agencies_app = typer.Typer(
    help="Agencies on the kite-mark register and the matching of agency names in returns.",
    no_args_is_help=True,
)

AGENCY_OPTIONS = {
    "legal_name": "LEGAL_NAME",
    "trading_names": "--trading-name",
    "company_number": "--company-number",
    "contact_name": "--contact-name",
    "contact_email": "--contact-email",
    "pay_routes": "--pay-route",
}
NAME_OPTIONS = {"name": "NAME"}


@agencies_app.command("list")
def agencies_list() -> None:
    """List the registered agencies: id, legal name, Companies House number, other names."""
    from workforce.agencies import service
    from workforce.db import session_scope

    with session_scope() as session:
        names = service.names_by_agency(session=session)
        agencies = service.list_agencies(session=session)
        for agency in agencies:
            assert agency.id is not None
            others = [n for n in names.get(agency.id, []) if n != agency.legal_name]
            example = " (example)" if agency.is_example else ""
            typer.echo(
                f"{agency.id}\t{agency.legal_name}{example}\t{agency.company_number or '-'}"
                + (f"\ttrading as: {'; '.join(others)}" if others else "")
            )
        if not agencies:
            typer.echo("No agencies registered yet: see `workforce agencies add --help`.")


@agencies_app.command("add")
def agencies_add(
    legal_name: Annotated[str, typer.Argument(help="The agency's legal name.")],
    trading_name: Annotated[
        list[str] | None, typer.Option(help="A name it trades under; repeat for each.")
    ] = None,
    company_number: Annotated[
        str | None,
        typer.Option(help="Companies House number: 8 digits, or 2 letters and 6 digits."),
    ] = None,
    contact_name: Annotated[str, typer.Option(help="Who to contact at the agency.")] = "",
    contact_email: Annotated[str, typer.Option(help="Their email address.")] = "",
    pay_route: Annotated[
        list[str] | None,
        typer.Option(help="A pay route it uses (paye, umbrella, limited_company); repeat."),
    ] = None,
) -> None:
    """Register an agency with its names, Companies House number, contact and pay routes."""
    from workforce.agencies import registration
    from workforce.agencies.models import AgencyCreate
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    require_current_schema()
    try:
        new = AgencyCreate.checked(
            legal_name=legal_name,
            trading_names=trading_name or [],
            company_number=company_number,
            contact_name=contact_name,
            contact_email=contact_email,
            pay_routes=pay_route or [],
        )
        with session_scope() as session:
            agency = registration.register_agency(session=session, new=new, actor=Actor.cli())
            agency_id = agency.id
    except InputDataError as exc:
        raise refused_with_options(exc, AGENCY_OPTIONS) from None
    typer.echo(f"Registered agency {agency_id}: {new.legal_name}.")


@agencies_app.command("show")
def agencies_show(
    agency: Annotated[str, typer.Argument(help="Id, Companies House number or a name.")],
) -> None:
    """Show an agency: names, contact, pay routes and the returns' names matched to it."""
    from workforce.agencies import service
    from workforce.db import session_scope
    from workforce.errors import NotFoundError

    try:
        with session_scope() as session:
            found = service.find_agency(session=session, ref=agency)
            public = service.agency_public(session=session, agency=found)
    except NotFoundError as exc:
        raise refused(exc) from None
    typer.echo(f"{public.id}: {public.legal_name}" + (" (example)" if public.is_example else ""))
    typer.echo(f"  Companies House number: {public.company_number or '-'}")
    typer.echo(f"  trading names: {'; '.join(public.trading_names) or '-'}")
    typer.echo(f"  contact: {public.contact_name or '-'} <{public.contact_email or '-'}>")
    typer.echo(f"  pay routes: {', '.join(public.pay_routes) or '-'}")
    typer.echo(f"  names in returns matched to it: {'; '.join(public.matched_names) or '-'}")


@agencies_app.command("add-name")
def agencies_add_name(
    agency: Annotated[str, typer.Argument(help="Id, Companies House number or a name.")],
    name: Annotated[str, typer.Argument(help="The trading name to add.")],
) -> None:
    """Add a trading name to an agency."""
    from workforce.agencies import registration, service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        with session_scope() as session:
            found = service.find_agency(session=session, ref=agency)
            assert found.id is not None
            row = registration.add_trading_name(
                session=session, agency_id=found.id, name=name, actor=Actor.cli()
            )
            shown = f"Added the trading name {row.name!r} to {found.legal_name}."
    except InputDataError as exc:
        raise refused_with_options(exc, NAME_OPTIONS) from None
    except NotFoundError as exc:
        raise refused(exc) from None
    typer.echo(shown)


@agencies_app.command("match")
def agencies_match() -> None:
    """Match unmatched agency names in accepted returns to registered agencies.

    A name is matched when exactly one registered agency fits it (its normalised legal or
    trading name, or its Companies House number in the text); the rest are left for
    `workforce agencies unmatched`.
    """
    from workforce.agencies import matching
    from workforce.auth.audit import Actor
    from workforce.db import session_scope

    require_current_schema()
    with session_scope() as session:
        run = matching.match_names(session=session, actor=Actor.cli())
    for key, (agency_id, method) in sorted(run.matched.items()):
        typer.echo(f"matched {key!r} to agency {agency_id} ({method.value})")
    typer.echo(
        f"{len(run.matched)} matched; {len(run.ambiguous)} ambiguous and {len(run.unknown)} "
        "unknown left for `workforce agencies unmatched`."
    )


@agencies_app.command("unmatched")
def agencies_unmatched() -> None:
    """List the agency names in accepted returns that match no agency: the admin's queue.

    Each with its assignments, councils, first and last quarter seen, and the agencies an
    ambiguous name could be.
    """
    from workforce.agencies import match_listing
    from workforce.db import session_scope

    with session_scope() as session:
        queue = match_listing.unmatched_names(session=session)
    if not queue:
        typer.echo("Every agency name in accepted returns is matched.")
    for item in queue:
        could = (
            f"; could be agencies {', '.join(map(str, item.candidates))}" if item.candidates else ""
        )
        typer.echo(
            f"{item.normalised_name!r}: {item.assignments} assignments, councils "
            f"{' '.join(item.councils)}, seen {item.first_seen or '?'} to "
            f"{item.last_seen or '?'} (as {'; '.join(item.spellings)}){could}"
        )


@agencies_app.command("set-match")
def agencies_set_match(
    name: Annotated[str, typer.Argument(help="The agency name as a return gives it.")],
    agency: Annotated[
        str | None,
        typer.Argument(help="Id, Companies House number or name of the agency it stands for."),
    ] = None,
    no_agency: Annotated[
        bool, typer.Option("--no-agency", help="Rule that the name is no registered agency.")
    ] = False,
) -> None:
    """Decide which agency a name in returns stands for (--no-agency: none).

    Every assignment listing any spelling of the name follows at once; the decision is
    audited with the match it replaced.
    """
    from workforce.agencies import matching, service
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    if (agency is None) == (not no_agency):
        typer.echo("Name the agency, or give --no-agency (not both).", err=True)
        raise typer.Exit(1)
    require_current_schema()
    try:
        with session_scope() as session:
            agency_id = (
                None if agency is None else service.find_agency(session=session, ref=agency).id
            )
            match = matching.set_match(
                session=session, name=name, agency_id=agency_id, actor=Actor.cli()
            )
            key = match.normalised_name
    except InputDataError as exc:
        raise refused_with_options(exc, NAME_OPTIONS) from None
    except NotFoundError as exc:
        raise refused(exc) from None
    if agency_id is None:
        typer.echo(f"Ruled {key!r} is no registered agency.")
    else:
        typer.echo(f"Matched {key!r} to agency {agency_id}.")
