"""Screens of each user's journey, for review: `make screens` (or `python -m
tests.browser.screens [FOLDER]`).

Makes a temporary database, loads the demo data into it (`workforce db upgrade`, then
`workforce demo`), adds one user of each kind scoped to the demo's own councils, group and
agencies, serves the app, and with Debian's chromium signs in as each user, asking for no
page, and photographs the page they land on and every page their service navigation
offers them, then the further steps of their journey (the HR lead's return report and
council page, a director's council page just after an inadequate judgement, the analyst's
England table filtered to a council's neighbours and to a region, the form asking for
pool staff, an agency's kite-mark page), at 1280 and 390 pixels wide:
FOLDER/<width>/<user>-<nn>-<page>.png (default FOLDER: var/screens). Nothing here touches
the development database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from sqlmodel import Session, select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve
from tests.builders.people import PASSWORD
from workforce.agencies.models import Agency
from workforce.auth import service as auth_service
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.config import Settings
from workforce.db import make_engine
from workforce.inspections.models import Judgement
from workforce.mou import service as mou_service
from workforce.pool.models import PoolRequest
from workforce.returns.models import CouncilReturn

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1280, 390)
ACTOR = Actor(name="make-screens", source="tests.browser.screens")
# Public pages everyone can reach, photographed once, as a visitor who is not signed in.
VISITOR_PAGES = ("/", "/england", "/early-warnings", "/methods", "/rate-index", "/kitemarks")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_demo(settings: Settings) -> None:
    """Run `workforce db upgrade` and `workforce demo` on ``settings``' database."""
    env = {
        **os.environ,
        "WORKFORCE_DATABASE_URL": settings.database_url,
        "WORKFORCE_DATA_DIR": str(settings.data_dir),
        "WORKFORCE_ENVIRONMENT": "development",
        "PYTHONPATH": str(ROOT),
    }
    for args in (["db", "upgrade"], ["demo"]):
        say(f"workforce {' '.join(args)}")
        subprocess.run(
            [sys.executable, "-m", "workforce.cli", *args],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def make_users(settings: Settings) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Add one user per kind, scoped to the demo's data; return key -> email, and key ->
    the further pages of that user's journey."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        group = mou_service.list_groups(session=session)[0].name
        group_council = mou_service.group_councils(session=session, group_name=group)[0]
        asking = session.exec(select(PoolRequest.council_code)).first() or group_council
        agency = session.exec(select(Agency).order_by(Agency.id)).first()
        # The HR lead's council: one with a return in the demo, so its report can be seen.
        sent = session.exec(select(CouncilReturn).order_by(CouncilReturn.id)).first()
        hr_council = sent.council_code if sent else group_council
        # A director's council: the latest inadequate judgement loaded.
        judged = session.exec(
            select(Judgement.council_code)
            .where(Judgement.grade == "inadequate")
            .order_by(Judgement.published.desc())  # type: ignore[attr-defined]
        ).first()
        steps = {
            "visitor": [f"/councils/{judged}"] if judged else [],
            "hr-lead": [
                *([f"/returns/{sent.id}"] if sent else []),
                f"/councils/{hr_council}",
            ],
            "intervention-lead": [f"/councils/{asking}/pool/new"],
            "analyst": [f"/england?neighbours={hr_council}", "/england?region=E12000007"],
            "kitemark-admin": [f"/kitemarks/{agency.id}"] if agency else [],
        }
        people = {
            "hr-lead": (Role.hr_lead, {"councils": [hr_council]}),
            "mou-member": (Role.mou_member, {"group": group}),
            "intervention-lead": (Role.intervention_lead, {"councils": [asking]}),
            "pool-coordinator": (Role.pool_coordinator, {}),
            "kitemark-admin": (Role.kitemark_admin, {}),
            "agency-user": (
                Role.agency_user,
                {"agency": agency.legal_name if agency else "Unregistered Agency Ltd"},
            ),
            "analyst": (Role.analyst, {}),
            "admin": (Role.admin, {}),
        }
        emails = {}
        for key, (role, scope) in people.items():
            email = f"{key}@screens.example.gov.uk"
            auth_service.create_user(
                session=session, email=email, role=role, password=PASSWORD, actor=ACTOR, **scope
            )
            emails[key] = email
        session.commit()
    engine.dispose()
    return emails, steps


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unquote(path).lower()).strip("-") or "home"


def photograph(page: object, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def journeys(base: str, emails: dict[str, str], steps: dict[str, list[str]], out: Path) -> int:
    """Photograph every journey at each width; return how many screens were written."""
    from playwright.sync_api import sync_playwright

    written = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.set_default_timeout(60_000)
            page = context.new_page()
            folder = out / str(width)
            for n, path in enumerate([*VISITOR_PAGES, *steps.get("visitor", [])], start=1):
                page.goto(base + path)
                photograph(page, folder, f"visitor-{n:02d}-{slug(path)}")
                written += 1
            for key, email in emails.items():
                say(f"{width} px: {key}")
                context.clear_cookies()
                page.goto(base + "/sign-in")
                page.get_by_label("Email address").fill(email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/sign-in" not in url)
                landing = page.url.removeprefix(base)
                photograph(page, folder, f"{key}-01-lands-on-{slug(landing)}")
                written += 1
                # Their own links: those before the public ones, and their account.
                links = page.eval_on_selector_all(
                    ".govuk-service-navigation__list a",
                    "links => links.map(a => a.getAttribute('href'))",
                )
                own = [h for h in links if h not in {*VISITOR_PAGES, "/docs", landing}]
                own += steps.get(key, [])
                for n, href in enumerate(dict.fromkeys(own), start=2):
                    page.goto(base + href)
                    photograph(page, folder, f"{key}-{n:02d}-{slug(href)}")
                    written += 1
            context.close()
        browser.close()
    return written


def main(out: Path) -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workforce-screens-") as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/screens.db",
            data_dir=Path(scratch) / "var",
            environment="development",
        )
        load_demo(settings)
        emails, steps = make_users(settings)
        with serve(settings) as base:
            written = journeys(base, emails, steps, out)
    say(f"{written} screens in {out}/ ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "screens")
