"""Jinja2 templates, with what every page needs in its context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from api.navigation import service_navigation
from api.security import csrf_token, signed_in_email, signed_in_may
from workforce.statistics.formats import SUPPRESSION_CODES
from workforce.timeutils import as_utc

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SERVICE_NAME = "Children's social care workforce monitor"
# The service's stage, shown in the phase banner on every page.
SERVICE_PHASE = "Beta"


def local_time(zone: ZoneInfo) -> Callable[[datetime | None, str], str]:
    """A filter showing a stored moment on the service's clock, e.g. "26 Nov 2026 11:47 GMT"."""

    def show(moment: datetime | None, fmt: str = "%d %b %Y %H:%M %Z") -> str:
        moment = as_utc(moment)  # stored times are UTC
        return "" if moment is None else moment.astimezone(zone).strftime(fmt)

    return show


def govuk_date(day: date | None) -> str:
    """A date as the GOV.UK style writes it: "31 March 2024"."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def sentence_case(text: str) -> str:
    """The first letter a capital, the rest as written: "Front door/MASH" (Jinja's own
    ``capitalize`` lowers every other letter, which would say "Front door/mash")."""
    return text[:1].upper() + text[1:]


def make_templates(app: FastAPI) -> Jinja2Templates:
    """Return templates whose globals say whether GOV.UK Frontend is available."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    # GOV.UK components come from govuk-frontend-jinja, the maintained Jinja port of GOV.UK
    # Frontend's macros: {% from "govuk_frontend_jinja/components/button/macro.html" ... %}.
    templates.env.loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    templates.env.globals["service_name"] = SERVICE_NAME
    templates.env.globals["service_phase"] = SERVICE_PHASE
    templates.env.globals["service_navigation"] = service_navigation
    templates.env.globals["govuk_available"] = app.state.govuk_available
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["signed_in_email"] = signed_in_email
    templates.env.globals["signed_in_may"] = signed_in_may
    templates.env.globals["suppression_text"] = lambda code: SUPPRESSION_CODES.get(code, code)
    templates.env.filters["govuk_date"] = govuk_date
    templates.env.filters["sentence_case"] = sentence_case
    templates.env.filters["local_time"] = local_time(ZoneInfo(app.state.settings.timezone))
    return templates
