"""Sign-in attacked the way an attacker would: many requests at once, through HTTP to a
live server, on both backends."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx2
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from tests.builders.people import PASSWORD, TEST_ACTOR
from tests.live import server_process
from workforce.auth import flows, service
from workforce.auth.models import AuditEvent, Role, User
from workforce.config import Settings
from workforce.timeutils import as_utc, utcnow

EMAIL = "target@example.gov.uk"


def _make_user(engine: Engine, email: str = EMAIL) -> int:
    with Session(engine, expire_on_commit=False) as session:
        user = service.create_user(
            session=session, email=email, role=Role.analyst, password=PASSWORD, actor=TEST_ACTOR
        )
        session.commit()
        assert user.id is not None
        return user.id


@contextmanager
def _form_client(base: str) -> Iterator[tuple[httpx2.Client, str]]:
    """A client holding the sign-in form's cookie, and the form's CSRF token."""
    with httpx2.Client(base_url=base, timeout=120) as client:
        form = client.get("/sign-in")
        match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert match, form.text
        yield client, match.group(1)


def _sign_in_at_once(base: str, attempts: list[tuple[str, str]]) -> list[httpx2.Response]:
    """Post every (email, password) in ``attempts`` to /sign-in at the same moment."""
    with _form_client(base) as (form_client, token):
        cookies = dict(form_client.cookies)
    start = threading.Barrier(len(attempts))

    def attempt(pair: tuple[str, str]) -> httpx2.Response:
        with httpx2.Client(base_url=base, cookies=cookies, timeout=120) as client:
            start.wait()
            return client.post(
                "/sign-in",
                data={"email": pair[0], "password": pair[1], "csrf_token": token},
            )

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def _error_summary(answer: httpx2.Response) -> list[str]:
    summary = answer.text.split('class="govuk-error-summary', 1)[-1].split("</ul>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", summary)


def test_forty_wrong_passwords_at_once_lock_the_account(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    user_id = _make_user(reference_engine)
    # Every attempt reaches the password check: the rate limits (which would turn most of
    # them away) are lifted, and a turn at the password check is waited for long enough.
    unlimited = {
        "WORKFORCE_SIGN_IN_ATTEMPTS_PER_ACCOUNT": "1000",
        "WORKFORCE_SIGN_IN_ATTEMPTS_PER_ADDRESS": "1000",
        "WORKFORCE_PASSWORD_CHECK_WAIT_SECONDS": "60",
    }
    with server_process(reference_settings, tmp_path, unlimited) as server:
        base = server.url
        answers = _sign_in_at_once(base, [(EMAIL, f"wrong password {i}") for i in range(40)])
        assert [a.status_code for a in answers] == [400] * 40, [a.text[:200] for a in answers]
        # Every failure was counted: the account is locked, so even the right password
        # is refused now, with the answer a wrong password gets.
        with _form_client(base) as (client, token):
            right = client.post(
                "/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
            )
            assert right.status_code == 400
            assert _error_summary(right) == _error_summary(answers[0]) == [flows.REFUSED]
    with Session(reference_engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        locked_until = as_utc(user.locked_until)
        assert locked_until is not None and locked_until > utcnow()
        failures = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.action) == "sign_in_failed", col(AuditEvent.actor) == EMAIL)
        ).one()
        assert failures == 41
