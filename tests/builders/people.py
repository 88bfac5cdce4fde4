"""One user of every role, each with a bearer token, for access-control tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from workforce.auth import service, tokens
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.mou import service as mou_service
from workforce.returns.models import CouncilReturn, ReturnStatus

COUNCIL_A = "202"  # Camden
COUNCIL_B = "203"  # Greenwich
GROUP = "North Central London MoU"
PASSWORD = "correct horse battery staple"
TEST_ACTOR = Actor(name="test-setup", source="tests")


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    role: Role
    token: str
    user_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# key -> (role, councils, group, agency)
PEOPLE = {
    "hr_lead_a": (Role.hr_lead, [COUNCIL_A], None, None),
    "hr_lead_b": (Role.hr_lead, [COUNCIL_B], None, None),
    "intervention_lead_a": (Role.intervention_lead, [COUNCIL_A], None, None),
    "pool_coordinator": (Role.pool_coordinator, [], None, None),
    "mou_member": (Role.mou_member, [], GROUP, None),
    "kitemark_admin": (Role.kitemark_admin, [], None, None),
    "agency_user": (Role.agency_user, [], None, "Acme Social Work Ltd"),
    "analyst": (Role.analyst, [], None, None),
    "admin": (Role.admin, [], None, None),
}


def make_people(engine: Engine) -> dict[str, Person]:
    """Create one user per entry of PEOPLE with a token; and a return for each council."""
    people = {}
    with Session(engine, expire_on_commit=False) as session:
        mou_service.create_group(
            session=session, name=GROUP, councils=[COUNCIL_A, COUNCIL_B], actor=TEST_ACTOR
        )
        for key, (role, councils, group, agency) in PEOPLE.items():
            email = f"{key.replace('_', '.')}@example.gov.uk"
            user = service.create_user(
                session=session,
                email=email,
                role=role,
                councils=councils,
                group=group,
                agency=agency,
                password=PASSWORD,
                actor=TEST_ACTOR,
            )
            issued = tokens.create_token(session=session, email=email, actor=TEST_ACTOR, days=30)
            assert user.id is not None
            people[key] = Person(key, email, role, issued.secret, user.id)
        for code in (COUNCIL_A, COUNCIL_B):
            session.add(
                CouncilReturn(
                    council_code=code,
                    kind="quarterly",
                    period_end=date(2026, 9, 30),
                    status=ReturnStatus.accepted,
                    file_name=f"return-{code}.csv",
                    sha256=code * 21 + "0",
                    size_bytes=100,
                )
            )
        session.commit()
    return people
