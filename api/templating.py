"""Jinja2 templates, with what every page needs in its context."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from api.security import csrf_token
from workforce.statistics.importer import SUPPRESSION_CODES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SERVICE_NAME = "Children's social care workforce monitor"


def make_templates(app: FastAPI) -> Jinja2Templates:
    """Return templates whose globals say whether GOV.UK Frontend is available."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals["service_name"] = SERVICE_NAME
    templates.env.globals["govuk_available"] = app.state.govuk_available
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["suppression_text"] = lambda code: SUPPRESSION_CODES.get(code, code)
    return templates
