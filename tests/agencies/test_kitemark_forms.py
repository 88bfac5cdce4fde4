"""The kite-mark's web forms: an agency's own user applies and uploads evidence, a council's
user records a complaint, the agency's user responds and the kite-mark admin rules; each
refused input comes back with the GOV.UK error summary linking to its field; anyone the API
refuses is refused the same (404), signed out is sent to sign in, a post without the CSRF
token is refused and stores nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from tests.builders.agencies import register
from tests.builders.people import COUNCIL_A, PASSWORD, TEST_ACTOR, Person, make_people
from tests.signing import signed_in_token
from workforce.agencies.models import Application, Complaint, EvidenceFile
from workforce.auth import service as auth_service
from workforce.auth.models import AuditEvent, Role
from workforce.config import Settings
from workforce.timeutils import utcnow

CONTENT = b"%PDF-1.4\r\n\x00\xff vetting policy \r\n" + bytes(range(256))
OTHER_AGENCY_USER = "other.agency@example.gov.uk"


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def agencies(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    """The agency user's own agency ("Acme Social Work Ltd") and another, which has a user
    of its own."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = register(s, "ACME SOCIAL WORK LIMITED")
        other = register(s, "Other Staffing Ltd")
        auth_service.create_user(
            session=s,
            email=OTHER_AGENCY_USER,
            role=Role.agency_user,
            agency="Other Staffing Ltd",
            password=PASSWORD,
            actor=TEST_ACTOR,
        )
        assert own.id is not None and other.id is not None
        s.commit()
        return {"own": own.id, "other": other.id}


DATE_PARTS = ("day", "month", "year")


def _typed(html: str, name: str) -> str | None:
    """The value an input named ``name`` shows."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    found = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return found.group(1) if found else None


def _summary_links(html: str) -> list[str]:
    """The fields the page's GOV.UK error summary links to."""
    assert "govuk-error-summary" in html and "There is a problem" in html
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">', summary)


def _count(engine: Engine, model: type, **where: object) -> int:
    with Session(engine) as s:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return len(s.exec(query).all())


def _audited(engine: Engine, action: str) -> int:
    with Session(engine) as s:
        return len(s.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def test_the_agency_user_applies_and_uploads_evidence_through_the_forms(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    own = agencies["own"]
    assert "Apply for the kite-mark" not in client.get(f"/kitemarks/{own}").text
    token = signed_in_token(client, people["agency_user"].email)
    page = client.get(f"/kitemarks/{own}").text
    assert "Apply for the kite-mark" in page and "Record a complaint" not in page

    applied = client.post(
        f"/kitemarks/{own}/applications",
        data={"csrf_token": token, "period_start": "2025-04-01", "period_end": "2026-03-31"},
        follow_redirects=False,
    )
    assert applied.status_code == 303, applied.text
    with Session(reference_engine) as s:
        application = s.exec(select(Application).where(Application.agency_id == own)).one()
    assert applied.headers["location"] == f"/kitemarks/{own}/applications/{application.id}"
    assert str(application.period_start) == "2025-04-01"
    assert _audited(reference_engine, "kitemark.apply") == 1

    shown = client.get(applied.headers["location"])
    assert shown.status_code == 200 and "Upload evidence" in shown.text
    uploaded = client.post(
        f"/kitemarks/{own}/applications/{application.id}/evidence",
        data={"csrf_token": token, "description": "Our vetting policy"},
        files={"file": ("policy.pdf", CONTENT, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    assert uploaded.headers["location"].startswith(
        f"/kitemarks/{own}/applications/{application.id}"
    )
    with Session(reference_engine) as s:
        row = s.exec(
            select(EvidenceFile).where(EvidenceFile.application_id == application.id)
        ).one()
    assert row.sha256 == hashlib.sha256(CONTENT).hexdigest() and row.size_bytes == len(CONTENT)
    assert (
        row.description == "Our vetting policy" and row.uploaded_by == people["agency_user"].email
    )
    assert _audited(reference_engine, "kitemark.evidence") == 1
    listed = client.get(f"/kitemarks/{own}/applications/{application.id}").text
    assert "policy.pdf" in listed and "Our vetting policy" in listed
    assert client.get(f"/kitemarks/{own}").text.count(f"/applications/{application.id}") >= 1


def test_refused_applications_and_evidence_come_back_with_the_error_summary(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    own = agencies["own"]
    token = signed_in_token(client, people["agency_user"].email)

    backwards = client.post(
        f"/kitemarks/{own}/applications",
        data={"csrf_token": token, "period_start": "2026-03-31", "period_end": "2025-04-01"},
    )
    assert backwards.status_code == 400
    assert _summary_links(backwards.text) == ["period_end-day"]
    assert "The period ends before it starts" in backwards.text
    # What was typed is kept, in the date input's day, month and year.
    assert [_typed(backwards.text, f"period_start-{part}") for part in DATE_PARTS] == [
        "31",
        "03",
        "2026",
    ]

    not_a_date = client.post(
        f"/kitemarks/{own}/applications",
        data={"csrf_token": token, "period_start": "31/03/2026", "period_end": ""},
    )
    assert not_a_date.status_code == 400
    assert _summary_links(not_a_date.text) == ["period_start-day", "period_end-day"]
    assert 'id="period_start-error"' in not_a_date.text
    # The page's own GOV.UK date inputs: day, month and year, kept as typed when refused.
    in_words = client.post(
        f"/kitemarks/{own}/applications",
        data={
            "csrf_token": token,
            "period_start-day": "31",
            "period_start-month": "March",
            "period_start-year": "2026",
            "period_end-day": "31",
            "period_end-month": "2",
            "period_end-year": "2027",
        },
    )
    assert in_words.status_code == 400
    assert _summary_links(in_words.text) == ["period_start-day", "period_end-day"]
    assert "must be a real date" in in_words.text
    assert [_typed(in_words.text, f"period_start-{part}") for part in DATE_PARTS] == [
        "31",
        "March",
        "2026",
    ]
    assert _count(reference_engine, Application, agency_id=own) == 0

    client.post(
        f"/kitemarks/{own}/applications",
        data={
            "csrf_token": token,
            "period_start-day": "1",
            "period_start-month": "4",
            "period_start-year": "2025",
            "period_end-day": "31",
            "period_end-month": "03",
            "period_end-year": "2026",
        },
    )
    with Session(reference_engine) as s:
        application_id = s.exec(select(Application.id).where(Application.agency_id == own)).one()
        applied = s.get(Application, application_id)
        assert applied is not None
        assert (applied.period_start, applied.period_end) == (date(2025, 4, 1), date(2026, 3, 31))
    url = f"/kitemarks/{own}/applications/{application_id}/evidence"

    no_file = client.post(url, data={"csrf_token": token, "description": "kept"}, files={})
    assert no_file.status_code == 400
    assert _summary_links(no_file.text) == ["file"]
    assert (
        "Choose the evidence file to upload" in no_file.text and ">kept</textarea>" in no_file.text
    )

    empty_and_wordy = client.post(
        url,
        data={"csrf_token": token, "description": "x" * 501},
        files={"file": ("empty.pdf", b"", "application/pdf")},
    )
    assert empty_and_wordy.status_code == 400
    assert _summary_links(empty_and_wordy.text) == ["file", "description"]
    assert "The file is empty" in empty_and_wordy.text
    assert _count(reference_engine, EvidenceFile) == 0

    wordy = client.post(
        url,
        data={"csrf_token": token, "description": "x" * 501},
        files={"file": ("policy.pdf", CONTENT, "application/pdf")},
    )
    assert wordy.status_code == 400
    assert _summary_links(wordy.text) == ["description"]
    assert "The description is at most 500 characters" in wordy.text
    assert _count(reference_engine, EvidenceFile) == 0


def test_a_complaint_is_recorded_answered_and_ruled_through_the_forms(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    own = agencies["own"]
    token = signed_in_token(client, people["hr_lead_a"].email)
    page = client.get(f"/kitemarks/{own}").text
    assert "Record a complaint or incident" in page and "Apply for the kite-mark" not in page

    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    refused = client.post(
        f"/kitemarks/{own}/complaints",
        data={
            "csrf_token": token,
            "council_code": COUNCIL_A,
            "kind": "incident",
            "received_on": tomorrow,
            "summary": "  ",
        },
    )
    assert refused.status_code == 400
    assert _summary_links(refused.text) == ["received_on-day", "summary"]
    assert "The date received is in the future" in refused.text
    assert _count(reference_engine, Complaint) == 0

    recorded = client.post(
        f"/kitemarks/{own}/complaints",
        data={
            "csrf_token": token,
            "council_code": COUNCIL_A,
            "kind": "incident",
            "received_on": "2026-01-15",
            "summary": "The locum missed two booked home visits.",
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"] == f"/kitemarks/{own}#complaints"
    with Session(reference_engine) as s:
        complaint = s.exec(select(Complaint)).one()
    assert (complaint.council_code, complaint.kind) == (COUNCIL_A, "incident")
    assert _audited(reference_engine, "kitemark.complaint") == 1
    assert "The locum missed two booked home visits." in client.get(f"/kitemarks/{own}").text

    token = signed_in_token(client, people["agency_user"].email)
    respond = f"/kitemarks/{own}/complaints/{complaint.id}/response"
    blank = client.post(respond, data={"csrf_token": token, "response": " "})
    assert blank.status_code == 400
    assert _summary_links(blank.text) == [f"response-{complaint.id}"]
    answered = client.post(
        respond,
        data={"csrf_token": token, "response": "Cover was arranged the next day."},
        follow_redirects=False,
    )
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"/kitemarks/{own}#complaint-{complaint.id}"
    assert _audited(reference_engine, "kitemark.complaint_response") == 1

    token = signed_in_token(client, people["kitemark_admin"].email)
    ruling = f"/kitemarks/{own}/complaints/{complaint.id}/ruling"
    unchosen = client.post(ruling, data={"csrf_token": token})
    assert unchosen.status_code == 400
    assert _summary_links(unchosen.text) == [f"upheld-{complaint.id}"]
    assert "Select upheld or not upheld" in unchosen.text
    ruled = client.post(ruling, data={"csrf_token": token, "upheld": "no"}, follow_redirects=False)
    assert ruled.status_code == 303, ruled.text
    with Session(reference_engine) as s:
        done = s.get(Complaint, complaint.id)
        assert done is not None
    assert done.upheld is False and done.agency_response == "Cover was arranged the next day."
    assert _audited(reference_engine, "kitemark.complaint_ruling") == 1
    assert (
        f'id="complaint-{complaint.id}-ruling">Not upheld' in client.get(f"/kitemarks/{own}").text
    )


def test_anyone_the_api_refuses_is_refused_the_forms_and_sees_none(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    own = agencies["own"]
    token = signed_in_token(client, people["agency_user"].email)
    client.post(
        f"/kitemarks/{own}/applications",
        data={"csrf_token": token, "period_start": "2025-04-01", "period_end": "2026-03-31"},
    )
    with Session(reference_engine) as s:
        application_id = s.exec(select(Application.id)).one()
    token = signed_in_token(client, people["hr_lead_a"].email)
    client.post(
        f"/kitemarks/{own}/complaints",
        data={
            "csrf_token": token,
            "council_code": COUNCIL_A,
            "kind": "complaint",
            "received_on": "2026-01-15",
            "summary": "No cover sent.",
        },
    )
    with Session(reference_engine) as s:
        complaint_id = s.exec(select(Complaint.id)).one()
    period = {"period_start": "2025-04-01", "period_end": "2026-03-31"}
    complaint = {
        "council_code": COUNCIL_A,
        "kind": "complaint",
        "received_on": "2026-01-15",
        "summary": "Not theirs to record.",
    }
    evidence = {"file": ("x.pdf", CONTENT, "application/pdf")}

    # Another agency's user: none of the forms on the page, and 404 for each post.
    token = signed_in_token(client, OTHER_AGENCY_USER)
    page = client.get(f"/kitemarks/{own}").text
    for form in ("Apply for the kite-mark", "Record a complaint", "Send the response"):
        assert form not in page
    refused = [
        client.post(f"/kitemarks/{own}/applications", data={"csrf_token": token, **period}),
        client.get(f"/kitemarks/{own}/applications/{application_id}"),
        client.post(
            f"/kitemarks/{own}/applications/{application_id}/evidence",
            data={"csrf_token": token},
            files=evidence,
        ),
        client.post(f"/kitemarks/{own}/complaints", data={"csrf_token": token, **complaint}),
        client.post(
            f"/kitemarks/{own}/complaints/{complaint_id}/response",
            data={"csrf_token": token, "response": "not ours"},
        ),
        client.post(
            f"/kitemarks/{own}/complaints/{complaint_id}/ruling",
            data={"csrf_token": token, "upheld": "yes"},
        ),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused)

    # Another council's user may not record for council A; only the kite-mark admin rules;
    # only the agency's own user responds (not even the kite-mark admin).
    token = signed_in_token(client, people["hr_lead_b"].email)
    assert "Record a complaint or incident" in client.get(f"/kitemarks/{own}").text
    answer = client.post(f"/kitemarks/{own}/complaints", data={"csrf_token": token, **complaint})
    assert answer.status_code == 404
    for key in ("hr_lead_a", "admin"):
        token = signed_in_token(client, people[key].email)
        answer = client.post(
            f"/kitemarks/{own}/complaints/{complaint_id}/ruling",
            data={"csrf_token": token, "upheld": "yes"},
        )
        assert answer.status_code == 404, key
    token = signed_in_token(client, people["kitemark_admin"].email)
    answer = client.post(
        f"/kitemarks/{own}/complaints/{complaint_id}/response",
        data={"csrf_token": token, "response": "not the admin's to say"},
    )
    assert answer.status_code == 404
    # A complaint asked for under another agency's address is not found either.
    answer = client.post(
        f"/kitemarks/{agencies['other']}/complaints/{complaint_id}/ruling",
        data={"csrf_token": token, "upheld": "yes"},
    )
    assert answer.status_code == 404

    with Session(reference_engine) as s:
        assert len(s.exec(select(Application)).all()) == 1
        assert len(s.exec(select(EvidenceFile)).all()) == 0
        only = s.exec(select(Complaint)).one()
    assert only.agency_response == "" and only.upheld is None


def test_signed_out_is_sent_to_sign_in_and_a_post_without_the_csrf_token_is_refused(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    own = agencies["own"]
    period = {"period_start": "2025-04-01", "period_end": "2026-03-31"}
    for url, data in (
        (f"/kitemarks/{own}/applications", period),
        (f"/kitemarks/{own}/applications/1/evidence", {}),
        (f"/kitemarks/{own}/complaints", {"council_code": COUNCIL_A}),
        (f"/kitemarks/{own}/complaints/1/response", {"response": "x"}),
        (f"/kitemarks/{own}/complaints/1/ruling", {"upheld": "yes"}),
    ):
        answer = client.post(url, data=data, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"].startswith("/sign-in?next="), url
    answer = client.get(f"/kitemarks/{own}/applications/1", follow_redirects=False)
    assert answer.status_code == 303

    token = signed_in_token(client, people["agency_user"].email)
    missing = client.post(f"/kitemarks/{own}/applications", data=period)
    wrong = client.post(f"/kitemarks/{own}/applications", data={**period, "csrf_token": "forged"})
    assert missing.status_code == 403 and wrong.status_code == 403
    assert "did not come from this service" in missing.text
    assert _count(reference_engine, Application) == 0
    client.post(f"/kitemarks/{own}/applications", data={**period, "csrf_token": token})
    with Session(reference_engine) as s:
        application_id = s.exec(select(Application.id)).one()
    upload = client.post(
        f"/kitemarks/{own}/applications/{application_id}/evidence",
        data={"description": "no token"},
        files={"file": ("policy.pdf", CONTENT, "application/pdf")},
    )
    assert upload.status_code == 403
    assert _count(reference_engine, EvidenceFile) == 0
    signed_in_token(client, people["hr_lead_a"].email)
    answer = client.post(
        f"/kitemarks/{own}/complaints",
        data={
            "council_code": COUNCIL_A,
            "kind": "complaint",
            "received_on": "2026-01-15",
            "summary": "No token sent.",
        },
    )
    assert answer.status_code == 403
    assert _count(reference_engine, Complaint) == 0
