"""Sign-in costs bounded memory and is rate-limited: password checks take turns, a burst
from one address or at one account is told to wait, and hashes follow OWASP's advice."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx2
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from tests.builders.people import PASSWORD, TEST_ACTOR
from tests.live import server_process
from tests.signing import csrf_token
from workforce.auth import flows, passwords, service
from workforce.auth.limits import SignInLimits
from workforce.auth.models import Role, User
from workforce.config import Settings
from workforce.db import make_engine

MIB = 1024 * 1024
# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 degree of parallelism.
OWASP_PARAMETERS = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def client_with(reference_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Return a maker of clients on apps with the given settings changed."""
    with ExitStack() as stack:
        engine = make_engine(reference_settings.database_url)
        stack.callback(engine.dispose)

        def make(**changes: object) -> TestClient:
            app = create_app(settings=reference_settings.model_copy(update=changes), engine=engine)
            return stack.enter_context(TestClient(app))

        yield make


def _attempt(client: TestClient, email: str, password: str = "not the password") -> httpx2.Response:
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(form.text)},
        follow_redirects=False,
    )


def _retry_after(answer: httpx2.Response) -> int:
    return int(answer.headers["retry-after"])


def test_a_burst_of_sign_ins_from_one_address_is_told_when_to_try_again(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(sign_in_attempts_per_address=3, sign_in_attempts_per_account=100)
    for i in range(3):
        assert _attempt(client, f"someone{i}@example.org").status_code == 400
    refused = _attempt(client, "someone.else@example.org")
    assert refused.status_code == 429
    window = client.app.state.settings.sign_in_window_seconds  # type: ignore[attr-defined]
    assert 0 < _retry_after(refused) <= window
    assert "Too many sign-in attempts from your network" in refused.text
    assert re.search(r"Try again in \d+ (minutes?|seconds?)", refused.text)


def test_a_burst_of_sign_ins_at_one_account_is_told_when_to_try_again(
    client_with: Callable[..., TestClient], reference_engine: Engine
) -> None:
    client = client_with(sign_in_attempts_per_address=100, sign_in_attempts_per_account=2)
    with Session(reference_engine) as session:
        service.create_user(
            session=session,
            email="a@example.org",
            role=Role.analyst,
            password=PASSWORD,
            actor=TEST_ACTOR,
        )
        session.commit()
    for _ in range(2):
        assert _attempt(client, " A@example.org").status_code == 400
    # Even the right password waits its turn: the limit is on attempts, not failures.
    refused = _attempt(client, "a@example.org", PASSWORD)
    assert refused.status_code == 429
    assert "Too many sign-in attempts for this email address" in refused.text
    assert _retry_after(refused) > 0
    # An email no account has is limited alike, so the answer says nothing about accounts.
    for _ in range(2):
        assert _attempt(client, "nobody@example.org").status_code == 400
    assert _attempt(client, "nobody@example.org").status_code == 429


def test_when_every_password_check_is_busy_sign_in_answers_503_with_retry_after(
    client_with: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_with()
    gate = passwords.PasswordCheckGate(checks_at_once=1, wait_seconds=0.2)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.slot():  # someone else's check, taking its time
        answer = _attempt(client, "someone@example.org")
    assert answer.status_code == 503
    assert _retry_after(answer) >= 1
    assert "busy" in answer.text and "nothing was changed" not in answer.text.lower()
    assert _attempt(client, "someone@example.org").status_code == 400  # free again


def test_hashes_follow_owasp_and_an_older_hash_is_upgraded_at_sign_in(
    reference_session: Session,
) -> None:
    s = reference_session
    assert passwords.hash_password(PASSWORD).startswith(OWASP_PARAMETERS)
    user = service.create_user(session=s, email="a@example.org", role="analyst", actor=TEST_ACTOR)
    # A hash made with argon2-cffi's defaults before (64 MiB, 3 iterations, 4 lanes).
    user.password_hash = PasswordHasher(memory_cost=65536, time_cost=3, parallelism=4).hash(
        PASSWORD
    )
    s.add(user)
    s.commit()
    assert (
        flows.sign_in(session=s, email="a@example.org", password=PASSWORD, source="t").id == user.id
    )
    s.commit()
    stored = s.get(User, user.id, populate_existing=True)
    assert stored is not None and stored.password_hash is not None
    assert stored.password_hash.startswith(OWASP_PARAMETERS)
    assert (
        flows.sign_in(session=s, email="a@example.org", password=PASSWORD, source="t").id == user.id
    )


def _peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert match, status
    return int(match.group(1)) * 1024


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_eighty_sign_ins_at_once_take_bounded_memory(settings: Settings, tmp_path: Path) -> None:
    """80 anonymous sign-ins at once, none turned away by the rate limit: the password
    checks take turns, so the server's peak memory grows by a few checks' worth."""
    extra_env = {
        "WORKFORCE_SIGN_IN_ATTEMPTS_PER_ADDRESS": "1000",
        "WORKFORCE_PASSWORD_CHECK_WAIT_SECONDS": "60",
    }
    with server_process(settings, tmp_path, extra_env) as server:
        with httpx2.Client(base_url=server.url, timeout=120) as client:
            token = csrf_token(client.get("/sign-in").text)
            cookies = dict(client.cookies)
            # One sign-in first, so what is measured is the burst, not the first request.
            client.post(
                "/sign-in",
                data={"email": "warm@example.org", "password": "x", "csrf_token": token},
            )
        before = _peak_rss(server.process.pid)

        def attempt(i: int) -> int:
            with httpx2.Client(base_url=server.url, cookies=cookies, timeout=120) as c:
                return c.post(
                    "/sign-in",
                    data={
                        "email": f"nobody{i}@example.org",
                        "password": "not the password",
                        "csrf_token": token,
                    },
                ).status_code

        with ThreadPoolExecutor(80) as pool:
            statuses = list(pool.map(attempt, range(80)))
        growth = _peak_rss(server.process.pid) - before
    print(f"peak RSS growth over 80 sign-ins at once: {growth / MIB:.0f} MiB")
    assert statuses == [400] * 80, statuses
    assert growth < 200 * MIB, f"{growth / MIB:.0f} MiB"


def test_the_limits_slide_with_time_and_forget_old_attempts() -> None:
    now = [1000.0]
    limits = SignInLimits(per_address=2, per_account=2, window_seconds=60, clock=lambda: now[0])
    assert limits.admit(address="10.0.0.1", email="a@example.org") is None
    now[0] += 30
    assert limits.admit(address="10.0.0.1", email="b@example.org") is None
    refused = limits.admit(address="10.0.0.1", email="c@example.org")
    assert refused is not None and (refused.by, refused.retry_after) == ("address", 30)
    assert (
        refused.message == "Too many sign-in attempts from your network. Try again in 30 seconds."
    )
    now[0] += 30  # the first attempt has left the window
    assert limits.admit(address="10.0.0.1", email="c@example.org") is None
    # A refused attempt is not counted against the other limit.
    assert limits.admit(address="10.0.0.2", email="c@example.org") is None
    refused = limits.admit(address="10.0.0.3", email="c@example.org")
    assert refused is not None and refused.by == "account"
