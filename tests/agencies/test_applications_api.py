"""Kite-mark applications and evidence files: an agency user works with their own agency's
only (404 for another's, 401 signed out); evidence is archived byte for byte with its
SHA-256, size-limited and audited."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from tests.builders.agencies import register
from tests.builders.people import TEST_ACTOR, Person, make_people
from workforce.agencies import evidence, flows
from workforce.agencies.models import EvidenceFile
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.errors import InputDataError

PERIOD = {"period_start": "2025-04-01", "period_end": "2026-03-31"}
# Bytes no text handling would keep as they are: NUL, CR LF, a lone CR, high bytes.
CONTENT = b"%PDF-1.4\r\n\x00\x01\xff\xfe evidence \r line\n" + bytes(range(256))


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def agencies(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    """The agency user's own agency (their account says "Acme Social Work Ltd") and another,
    which has an application of its own with one evidence file."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = register(s, "ACME SOCIAL WORK LIMITED")
        other = register(s, "Other Staffing Ltd")
        assert own.id is not None and other.id is not None
        s.commit()
        return {"own": own.id, "other": other.id}


@pytest.fixture
def others(
    reference_engine: Engine, reference_settings: Settings, agencies: dict[str, int]
) -> dict[str, int]:
    """Another agency's application with one evidence file."""
    with Session(reference_engine, expire_on_commit=False) as s:
        application = flows.apply(
            session=s,
            agency_id=agencies["other"],
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            actor=TEST_ACTOR,
        )
        assert application.id is not None
        row = evidence.add_evidence(
            session=s,
            agency_id=agencies["other"],
            application_id=application.id,
            file_name="policy.pdf",
            data=b"the other agency's policy",
            description="vetting policy",
            actor=TEST_ACTOR,
            settings=reference_settings,
        )
        assert row.id is not None
        s.commit()
        return {"agency": agencies["other"], "application": application.id, "evidence": row.id}


def _upload(
    client: TestClient,
    person: Person,
    agency_id: int,
    application_id: int,
    content: bytes = CONTENT,
    name: str = "references.pdf",
) -> object:
    return client.post(
        f"/api/agencies/{agency_id}/applications/{application_id}/evidence",
        files={"file": (name, content, "application/pdf")},
        data={"description": "two practice-based references, standard template"},
        headers=person.headers,
    )


def test_an_agency_user_applies_for_their_own_agency_and_gets_404_for_another(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int], others: dict[str, int]
) -> None:
    user = people["agency_user"]
    own, other = agencies["own"], agencies["other"]
    made = client.post(f"/api/agencies/{own}/applications", json=PERIOD, headers=user.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["agency_id"] == own
    assert body["status"] == "submitted"
    assert body["submitted_by"] == user.email
    listed = client.get(f"/api/agencies/{own}/applications", headers=user.headers)
    assert [a["id"] for a in listed.json()] == [body["id"]]

    # Another agency's applications: exactly as if there were none, for reading and writing.
    for answer in (
        client.get(f"/api/agencies/{other}/applications", headers=user.headers),
        client.post(f"/api/agencies/{other}/applications", json=PERIOD, headers=user.headers),
        client.get("/api/agencies/999999/applications", headers=user.headers),
    ):
        assert answer.status_code == 404, answer.text
        assert "Other Staffing" not in answer.text
    # Other roles with no agency of their own see none.
    for key in ("hr_lead_a", "analyst", "mou_member"):
        headers = people[key].headers
        assert client.get(f"/api/agencies/{own}/applications", headers=headers).status_code == 404
    # Signed out: 401.
    assert client.get(f"/api/agencies/{own}/applications").status_code == 401
    assert client.post(f"/api/agencies/{own}/applications", json=PERIOD).status_code == 401

    # The kite-mark admin sees every agency's.
    admin = people["kitemark_admin"].headers
    theirs = client.get(f"/api/agencies/{other}/applications", headers=admin)
    assert theirs.status_code == 200
    assert [(a["id"], a["evidence_files"]) for a in theirs.json()] == [(others["application"], 1)]

    backwards = {"period_start": "2026-03-31", "period_end": "2025-04-01"}
    refused = client.post(f"/api/agencies/{own}/applications", json=backwards, headers=user.headers)
    assert refused.status_code == 422
    assert "the period ends before it starts" in refused.text


def test_evidence_is_archived_byte_for_byte_with_its_hash_and_audited(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    user = people["agency_user"]
    own = agencies["own"]
    application = client.post(
        f"/api/agencies/{own}/applications", json=PERIOD, headers=user.headers
    ).json()["id"]
    sent = _upload(client, user, own, application)
    assert sent.status_code == 201, sent.text  # type: ignore[attr-defined]
    stored = sent.json()  # type: ignore[attr-defined]
    digest = hashlib.sha256(CONTENT).hexdigest()
    assert stored["sha256"] == digest
    assert stored["size_bytes"] == len(CONTENT)
    assert stored["file_name"] == "references.pdf"
    assert stored["uploaded_by"] == user.email
    assert "archive_path" not in stored

    listed = client.get(
        f"/api/agencies/{own}/applications/{application}/evidence", headers=user.headers
    )
    assert [e["sha256"] for e in listed.json()] == [digest]
    back = client.get(
        f"/api/agencies/{own}/applications/{application}/evidence/{stored['id']}/file",
        headers=user.headers,
    )
    assert back.status_code == 200
    assert back.content == CONTENT
    assert back.headers["content-type"] == "application/octet-stream"
    assert "attachment" in back.headers["content-disposition"]

    with Session(reference_engine) as s:
        row = s.get(EvidenceFile, stored["id"])
        assert row is not None
        assert Path(row.archive_path).read_bytes() == CONTENT
        assert Path(row.archive_path).name.startswith(digest)
        event = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "kitemark.evidence")
            .order_by(col(AuditEvent.id).desc())
        ).first()
        assert event is not None
        assert event.actor == user.email
        assert event.entity_id == str(stored["id"])
        assert digest in str(event.details)

    # The kite-mark admin reads it too.
    admin = people["kitemark_admin"].headers
    assert (
        client.get(
            f"/api/agencies/{own}/applications/{application}/evidence/{stored['id']}/file",
            headers=admin,
        ).content
        == CONTENT
    )


def test_an_agency_user_gets_404_for_another_agencys_evidence(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int], others: dict[str, int]
) -> None:
    user = people["agency_user"]
    own, other = agencies["own"], others["agency"]
    app_id, ev = others["application"], others["evidence"]
    mine = client.post(f"/api/agencies/{own}/applications", json=PERIOD, headers=user.headers)
    mine_id = mine.json()["id"]
    paths = [
        f"/api/agencies/{other}/applications/{app_id}/evidence",
        f"/api/agencies/{other}/applications/{app_id}/evidence/{ev}/file",
        # Their application or file under the user's own agency: not found either.
        f"/api/agencies/{own}/applications/{app_id}/evidence",
        f"/api/agencies/{own}/applications/{app_id}/evidence/{ev}/file",
        f"/api/agencies/{own}/applications/{mine_id}/evidence/{ev}/file",
    ]
    for path in paths:
        answer = client.get(path, headers=user.headers)
        assert answer.status_code == 404, path
        assert "policy" not in answer.text
        assert client.get(path).status_code == 401, path
    for agency_id in (other, own):
        answer = _upload(client, user, agency_id, app_id)
        assert answer.status_code == 404  # type: ignore[attr-defined]
    signed_out = client.post(
        f"/api/agencies/{own}/applications/{mine_id}/evidence",
        files={"file": ("x.pdf", b"x", "application/pdf")},
    )
    assert signed_out.status_code == 401
    # Nothing was added to the other agency's application.
    admin = people["kitemark_admin"].headers
    theirs = client.get(f"/api/agencies/{other}/applications/{app_id}/evidence", headers=admin)
    assert [e["id"] for e in theirs.json()] == [ev]
    assert (
        client.get(
            f"/api/agencies/{other}/applications/{app_id}/evidence/{ev}/file", headers=admin
        ).content
        == b"the other agency's policy"
    )


def test_evidence_past_the_size_limit_is_refused_and_nothing_is_kept(
    reference_settings: Settings,
    reference_engine: Engine,
    people: dict[str, Person],
    agencies: dict[str, int],
) -> None:
    small = reference_settings.model_copy(update={"max_upload_mb": 0.01})  # about 10 kB
    user = people["agency_user"]
    own = agencies["own"]
    with TestClient(create_app(settings=small, engine=reference_engine)) as client:
        application = client.post(
            f"/api/agencies/{own}/applications", json=PERIOD, headers=user.headers
        ).json()["id"]
        too_big = _upload(client, user, own, application, content=b"x" * 20_000)
        assert too_big.status_code == 413  # type: ignore[attr-defined]
        wordy = client.post(
            f"/api/agencies/{own}/applications/{application}/evidence",
            files={"file": ("notes.txt", b"small", "text/plain")},
            data={"description": "word " * 200},
            headers=user.headers,
        )
        assert wordy.status_code == 422
        assert wordy.json()["problems"][0]["rule"] == "evidence.description"
        listed = client.get(
            f"/api/agencies/{own}/applications/{application}/evidence", headers=user.headers
        )
        assert listed.json() == []
    with Session(reference_engine) as s, pytest.raises(InputDataError) as refused:
        evidence.add_evidence(
            session=s,
            agency_id=own,
            application_id=application,
            file_name="big.pdf",
            data=b"x" * 20_000,
            description="",
            actor=TEST_ACTOR,
            settings=small,
        )
    assert [p.rule for p in refused.value.problems] == ["file.too_large"]
    assert small.archive_dir is not None
    assert not (small.archive_dir / "kitemark-evidence" / str(own)).exists()


def test_a_decided_application_takes_no_more_evidence(
    reference_session: Session, reference_settings: Settings, agencies: dict[str, int]
) -> None:
    application = flows.apply(
        session=reference_session,
        agency_id=agencies["own"],
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        actor=TEST_ACTOR,
    )
    application.status = "decided"
    reference_session.flush()
    assert application.id is not None
    with pytest.raises(InputDataError) as refused:
        evidence.add_evidence(
            session=reference_session,
            agency_id=agencies["own"],
            application_id=application.id,
            file_name="late.pdf",
            data=b"late",
            description="",
            actor=TEST_ACTOR,
            settings=reference_settings,
        )
    assert [p.rule for p in refused.value.problems] == ["evidence.application_decided"]
