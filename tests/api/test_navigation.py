"""The service navigation offers each signed-in user the pages their role may open."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.builders.people import Person, make_people
from tests.signing import sign_in
from workforce.auth.models import Role

MAY_READ_MOU = {Role.mou_member, Role.analyst, Role.admin}


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def test_the_mou_link_is_offered_to_those_who_may_open_it(
    client: TestClient, people: dict[str, Person]
) -> None:
    anonymous = client.get("/").text
    assert 'href="/rate-index"' in anonymous and 'href="/kitemarks"' in anonymous
    assert 'href="/mou/groups"' not in anonymous
    for person in people.values():
        sign_in(client, person.email)
        page = client.get("/").text
        # An MoU member's links go straight to their own group's pages.
        offered = 'href="/mou/groups' in page
        assert offered == (person.role in MAY_READ_MOU), person.role
        if offered:
            assert client.get("/mou/groups").status_code == 200, person.role
        else:
            assert client.get("/mou/groups").status_code in (403, 404), person.role
