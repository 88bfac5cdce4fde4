"""Signing in through the sign-in form with a test client, as a new browser would (the
browser tests have their own, tests/browser/signing.py)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.builders.people import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, email: str) -> None:
    """Sign ``email`` in through the form, with no cookie from before."""
    client.cookies.clear()
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def signed_in_token(client: TestClient, email: str) -> str:
    """Sign ``email`` in; return the session's CSRF token, for the forms it then posts."""
    sign_in(client, email)
    return csrf_token(client.get("/account").text)
