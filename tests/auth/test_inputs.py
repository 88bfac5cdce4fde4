"""What an administrator asks to create or change, checked in the service's own words."""

import pytest
from sqlmodel import Session, select

from tests.builders.people import PASSWORD, TEST_ACTOR
from workforce.auth import flows, service, tokens
from workforce.auth.models import (
    MAX_TOKEN_DAYS,
    GroupCreate,
    Role,
    TokenCreate,
    User,
    UserCreate,
    UserUpdate,
)
from workforce.errors import InputDataError


def _said(new: UserCreate) -> list[tuple[str, str, str | None]]:
    return [(p.rule, p.message, p.column) for p in new.problems()]


def test_a_new_user_is_tidied_and_their_scope_checked_against_their_role() -> None:
    new = UserCreate(
        email=" Lead@Camden.GOV.uk ", role="hr_lead", councils=[" 203", "202", "203", ""]
    )
    assert (new.email, new.councils, new.problems()) == ("lead@camden.gov.uk", ["202", "203"], [])
    assert _said(UserCreate(email="a@example.org", role=Role.hr_lead)) == [
        ("user.scope", "a council HR lead needs at least one council", "councils")
    ]
    assert _said(UserCreate(email="a@example.org", role="intervention_lead", councils=["1", "2"]))
    assert _said(UserCreate(email="a@example.org", role="analyst", councils=["202"])) == [
        ("user.scope", "an analyst is not scoped to councils", "councils")
    ]
    assert _said(UserCreate(email="a@example.org", role="mou_member", group=" ")) == [
        ("user.scope", "an MoU group member needs an MoU group", "group")
    ]
    assert _said(UserCreate(email="a@example.org", role="admin", agency="Acme")) == [
        ("user.scope", "an administrator has no agency: only an agency user does", "agency")
    ]
    assert _said(UserCreate(email="nobody", role="analyst")) == [
        ("user.email", "not an email address", "email")
    ]


@pytest.mark.parametrize(
    ("role", "councils", "group", "agency"),
    [
        (Role.hr_lead, [], None, None),
        (Role.intervention_lead, ["202", "203"], None, None),
        (Role.mou_member, [], None, None),
        (Role.agency_user, [], None, None),
        (Role.analyst, ["202"], "London", "Acme"),
    ],
)
def test_no_refusal_names_a_command_line_option(
    role: Role, councils: list[str], group: str | None, agency: str | None
) -> None:
    new = UserCreate(
        email="a@example.org", role=role, councils=councils, group=group, agency=agency
    )
    assert new.problems()
    for problem in new.problems():
        assert "--" not in problem.message, problem


def test_inputs_that_are_not_of_the_right_kind_are_refused_with_every_field_named() -> None:
    with pytest.raises(InputDataError) as exc:
        UserCreate.checked(email="x" * 300, role="superuser")
    assert {(p.rule, p.column) for p in exc.value.problems} == {
        ("user.email", "email"),
        ("user.role", "role"),
    }
    assert any(
        p.message.startswith("unknown role; choose one of hr_lead") for p in exc.value.problems
    )
    with pytest.raises(InputDataError) as exc:
        TokenCreate.checked(days=MAX_TOKEN_DAYS + 1)
    assert [(p.rule, p.message) for p in exc.value.problems] == [
        ("token.days", f"a token lasts between 1 and {MAX_TOKEN_DAYS} days")
    ]
    assert [p.rule for p in UserUpdate(password="short").problems()] == ["user.password"]
    assert [p.rule for p in GroupCreate(name=" ", councils=[]).problems()] == [
        "group.name",
        "group.councils",
    ]


def test_the_service_takes_the_inputs(reference_session: Session) -> None:
    s = reference_session
    service.create_group(
        session=s, new=GroupCreate(name="London", councils=["202", "203"]), actor=TEST_ACTOR
    )
    member = service.create_user(
        session=s,
        new=UserCreate(email="M@example.org", role="mou_member", group="London"),
        actor=TEST_ACTOR,
    )
    assert (member.email, member.group_name) == ("m@example.org", "London")
    with pytest.raises(InputDataError) as exc:
        service.create_user(
            session=s,
            new=UserCreate(email="m@example.org", role="hr_lead", councils=["999"]),
            password="short",
            actor=TEST_ACTOR,
        )
    assert {p.rule for p in exc.value.problems} == {
        "user.council",
        "user.duplicate",
        "user.password",
    }
    with pytest.raises(TypeError):
        service.create_user(
            session=s,
            new=UserCreate(email="n@example.org", role="analyst"),
            email="o@example.org",
            actor=TEST_ACTOR,
        )

    issued = tokens.create_token(
        session=s,
        new=TokenCreate(name=" reports ", days=7),
        email="m@example.org",
        actor=TEST_ACTOR,
    )
    assert issued.token.name == "reports"

    service.update_user(
        session=s, email="m@example.org", changes=UserUpdate(password=PASSWORD), actor=TEST_ACTOR
    )
    s.commit()
    assert flows.sign_in(session=s, email="m@example.org", password=PASSWORD, source="t")
    with pytest.raises(InputDataError):
        service.update_user(
            session=s, email="m@example.org", changes=UserUpdate(password="short"), actor=TEST_ACTOR
        )
    service.update_user(
        session=s, email="m@example.org", changes=UserUpdate(is_active=False), actor=TEST_ACTOR
    )
    s.commit()
    assert s.exec(select(User.is_active).where(User.email == "m@example.org")).one() is False
    assert tokens.resolve_token(session=s, secret=issued.secret) is None
