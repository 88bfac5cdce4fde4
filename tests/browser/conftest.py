"""A live server and Debian's chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from api.main import create_app
from tests.builders.people import Person, make_people
from workforce.config import Settings
from workforce.db import make_engine

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """Yield the base URL of the app served by uvicorn in a thread."""
    engine = make_engine(settings.database_url)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings=settings, engine=engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    """One user of every role, with tokens, in the reference database."""
    return make_people(reference_engine)


@pytest.fixture
def live_server(reference_settings: Settings) -> Iterator[str]:
    """Base URL of the app on a database holding the reference data."""
    with serve(reference_settings) as url:
        yield url


@pytest.fixture
def public_live_server(public_settings: Settings) -> Iterator[str]:
    """Base URL of the app on a database holding all bundled public data."""
    with serve(public_settings) as url:
        yield url


# Generous waits: under CI the browser, the server and another test worker share two cores.
# A real failure still fails; a slow page no longer does.
EXPECT_TIMEOUT_MS = 15_000
ACTION_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt-get"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def wide_or_narrow(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page ``request.param`` pixels wide (tests parametrize it indirectly with 1280 and
    390), downloads allowed."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": request.param, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)
