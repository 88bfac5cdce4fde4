"""Agencies on the register: registration refused in words, names normalised and unique,
contacts changed only by the agency itself or a kite-mark admin, every write audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tests.builders.agencies import listed, quarter, register
from tests.builders.people import TEST_ACTOR
from workforce.agencies import registration, service
from workforce.agencies.models import AgencyName, NameKind
from workforce.auth.models import AuditEvent, Role
from workforce.auth.permissions import Principal
from workforce.cli import app
from workforce.config import Settings
from workforce.errors import InputDataError, NotFoundError


def _rules(exc: pytest.ExceptionInfo[InputDataError]) -> list[str]:
    return [p.rule for p in exc.value.problems]


def _agency_user(agency_name: str | None) -> Principal:
    return Principal(
        user_id=1, email="u@agency.example", role=Role.agency_user, agency_name=agency_name
    )


def test_an_agency_is_registered_with_its_names_normalised_and_audited(
    reference_session: Session,
) -> None:
    s = reference_session
    agency = register(
        s,
        "  Acme Social Care   Ltd ",
        trading_names=["Acme Locums", "ACME LOCUMS"],
        company_number="sc 123456",
        pay_routes=["PAYE", "umbrella"],
    )
    assert agency.id is not None
    public = service.agency_public(session=s, agency=agency)
    assert public.legal_name == "Acme Social Care Ltd"
    assert public.company_number == "SC123456"
    assert public.pay_routes == ["paye", "umbrella"]
    assert public.trading_names == ["Acme Locums"]  # the repeat is the same name
    assert [(n.normalised, n.kind) for n in public.names] == [
        ("acme social care", NameKind.legal),
        ("acme locums", NameKind.trading),
    ]
    assert service.find_agency(session=s, ref="ACME SOCIAL CARE LIMITED") == agency
    assert service.find_agency(session=s, ref="SC123456") == agency
    assert service.find_agency(session=s, ref=str(agency.id)) == agency
    assert [a.id for a in service.list_agencies(session=s)] == [agency.id]
    event = s.exec(select(AuditEvent).where(AuditEvent.entity == "agency")).one()
    assert (event.action, event.entity_id) == ("create", str(agency.id))


@pytest.mark.parametrize("number", ["1234567", "123456789", "S1234567", "SCX12345", "ab12345c"])
def test_a_malformed_companies_house_number_is_refused_in_words(
    reference_session: Session, number: str
) -> None:
    with pytest.raises(InputDataError) as exc:
        register(reference_session, "Acme Social Care Ltd", company_number=number)
    assert _rules(exc) == ["agency.company_number"]
    assert "8 digits, or two letters and 6 digits" in exc.value.problems[0].message


def test_a_name_or_number_another_agency_has_is_refused(reference_session: Session) -> None:
    s = reference_session
    register(s, "Acme Social Care Ltd", trading_names=["Acme Locums"], company_number="01234567")
    with pytest.raises(InputDataError) as exc:
        register(s, "ACME SOCIAL CARE LIMITED")
    assert _rules(exc) == ["agency.name_taken"]
    assert "Acme Social Care Ltd" in exc.value.problems[0].message
    with pytest.raises(InputDataError) as exc:
        register(s, "Zenith Staffing", trading_names=["Acme Locums Ltd"])
    assert _rules(exc) == ["agency.name_taken"]
    with pytest.raises(InputDataError) as exc:
        register(s, "Zenith Staffing", company_number="01234567")
    assert _rules(exc) == ["agency.company_number_taken"]
    with pytest.raises(InputDataError) as exc:
        register(s, " - ", contact_email="not an email", pay_routes=["cash"])
    assert _rules(exc) == ["agency.legal_name", "agency.contact_email", "agency.pay_route"]
    assert len(s.exec(select(AgencyName)).all()) == 2


def test_a_trading_name_is_added_once_and_audited(reference_session: Session) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd")
    other = register(s, "Other Staffing Ltd")
    assert acme.id is not None and other.id is not None
    row = registration.add_trading_name(
        session=s, agency_id=acme.id, name=" Acme  Locums ", actor=TEST_ACTOR
    )
    assert (row.name, row.normalised, row.kind) == ("Acme Locums", "acme locums", NameKind.trading)
    with pytest.raises(InputDataError) as exc:
        registration.add_trading_name(
            session=s, agency_id=other.id, name="ACME LOCUMS", actor=TEST_ACTOR
        )
    assert _rules(exc) == ["agency.name_taken"]
    assert "Acme Social Care Ltd" in exc.value.problems[0].message
    with pytest.raises(InputDataError) as exc:
        registration.add_trading_name(
            session=s, agency_id=acme.id, name="acme locums ltd", actor=TEST_ACTOR
        )
    assert "this agency already has it" in exc.value.problems[0].message
    with pytest.raises(NotFoundError):
        registration.add_trading_name(session=s, agency_id=999_999, name="X", actor=TEST_ACTOR)
    actions = s.exec(
        select(AuditEvent.action)
        .where(AuditEvent.entity == "agency", AuditEvent.entity_id == str(acme.id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions == ["create", "add_name"]


def test_an_agency_user_is_tied_to_their_agency_by_its_normalised_name(
    reference_session: Session,
) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd", trading_names=["Acme Locums"])
    assert service.agency_of_user(session=s, user=_agency_user("ACME SOCIAL CARE LIMITED")) == acme
    assert service.agency_of_user(session=s, user=_agency_user("acme locums")) == acme
    assert service.agency_of_user(session=s, user=_agency_user("Unregistered Ltd")) is None
    assert service.agency_of_user(session=s, user=_agency_user(None)) is None
    admin = Principal(
        user_id=2, email="k@x.example", role=Role.kitemark_admin, agency_name="Acme Locums"
    )
    assert service.agency_of_user(session=s, user=admin) is None


def test_an_agency_user_updates_their_own_contact_only(reference_session: Session) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd")
    other = register(s, "Other Staffing Ltd")
    assert acme.id is not None and other.id is not None
    user = _agency_user("Acme Social Care")
    registration.update_contact(
        session=s,
        agency_id=acme.id,
        contact_email="New@Acme.example",
        actor=TEST_ACTOR,
        principal=user,
    )
    assert (acme.contact_name, acme.contact_email) == ("Test Contact", "new@acme.example")
    with pytest.raises(NotFoundError):
        registration.update_contact(
            session=s, agency_id=other.id, contact_name="Mallory", actor=TEST_ACTOR, principal=user
        )
    assert other.contact_name == "Test Contact"
    with pytest.raises(InputDataError) as exc:
        registration.update_contact(session=s, agency_id=acme.id, actor=TEST_ACTOR, principal=user)
    assert _rules(exc) == ["contact.empty"]
    event = s.exec(
        select(AuditEvent).where(AuditEvent.entity == "agency", AuditEvent.action == "update")
    ).one()
    assert event.details and event.details["before"]["contact_email"] == "contact@agency.example"


# --- workforce agencies ... --------------------------------------------------------------

runner = CliRunner()


def _cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize(
    "command", ["list", "add", "show", "add-name", "match", "unmatched", "set-match"]
)
def test_every_agencies_command_has_help(command: str) -> None:
    assert "Usage:" in _cli("agencies", command, "--help")


def test_the_cli_registers_matches_and_rematches(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    assert "No agencies registered yet" in _cli("agencies", "list")
    assert "Registered agency" in _cli(
        "agencies",
        "add",
        "Acme Social Care Ltd",
        "--company-number",
        "01234567",
        "--pay-route",
        "paye",
    )
    _cli("agencies", "add", "Other Staffing Ltd", "--trading-name", "Other Locums")
    refused = _cli("agencies", "add", "Third Ltd", "--company-number", "123", code=1)
    assert "--company-number" in refused and "two letters and 6 digits" in refused
    assert "Added the trading name 'Acme Locums'" in _cli(
        "agencies", "add-name", "01234567", "Acme Locums"
    )
    assert "is taken" in _cli("agencies", "add-name", "Other Staffing", "ACME LOCUMS", code=1)
    with Session(reference_engine) as s:
        ret = quarter(s, "202", date(2026, 3, 31))
        listed(s, ret, "ACME SOCIAL CARE LIMITED")
        listed(s, ret, "Mystery Agency")
        s.commit()
    assert "1 matched; 0 ambiguous and 1 unknown" in _cli("agencies", "match")
    assert "'mystery agency': 1 assignments, councils 202" in _cli("agencies", "unmatched")
    assert "Matched 'mystery agency' to agency" in _cli(
        "agencies", "set-match", "Mystery Agency", "Other Locums"
    )
    assert "Every agency name in accepted returns is matched" in _cli("agencies", "unmatched")
    shown = _cli("agencies", "show", "Other Staffing Ltd")
    assert "names in returns matched to it: mystery agency" in shown
    assert "no registered agency" in _cli("agencies", "set-match", "Mystery Agency", "--no-agency")
    assert "Name the agency, or give --no-agency" in _cli(
        "agencies", "set-match", "Mystery Agency", code=1
    )
    assert "No agency" in _cli("agencies", "show", "Nobody Ltd", code=1)
