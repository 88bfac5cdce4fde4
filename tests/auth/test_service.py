"""Users, sign-in lock-out, tokens and the append-only audit log, on both backends."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tests.builders.people import PASSWORD, TEST_ACTOR
from workforce.auth import audit, flows, service, tokens
from workforce.auth.audit import AuditLogIsAppendOnly
from workforce.auth.models import ApiToken, AuditEvent, Role, User
from workforce.errors import InputDataError, NotFoundError
from workforce.timeutils import utcnow


def _rules(exc: InputDataError) -> set[str]:
    return {p.rule for p in exc.problems}


def test_create_user_refuses_a_scope_that_does_not_fit_the_role(
    reference_session: Session,
) -> None:
    s = reference_session
    with pytest.raises(InputDataError) as exc:
        service.create_user(session=s, email="x@example.org", role="hr_lead", actor=TEST_ACTOR)
    assert _rules(exc.value) == {"user.scope"}
    with pytest.raises(InputDataError) as exc:
        service.create_user(
            session=s, email="x@example.org", role="analyst", councils=["202"], actor=TEST_ACTOR
        )
    assert _rules(exc.value) == {"user.scope"}
    with pytest.raises(InputDataError) as exc:
        service.create_user(
            session=s,
            email="not-an-email",
            role="hr_lead",
            councils=["999", "909"],
            actor=TEST_ACTOR,
        )
    problems = {(p.rule, p.value) for p in exc.value.problems}
    assert ("user.email", "not-an-email") in problems
    assert ("user.council", "999") in problems  # no such council
    assert ("user.council", "909") in problems  # Cumbria: abolished in 2023
    with pytest.raises(InputDataError) as exc:
        service.create_user(session=s, email="x@example.org", role="superuser", actor=TEST_ACTOR)
    assert _rules(exc.value) == {"user.role"}
    with pytest.raises(InputDataError) as exc:
        service.create_user(
            session=s, email="x@example.org", role="mou_member", group="Nowhere", actor=TEST_ACTOR
        )
    assert _rules(exc.value) == {"user.group"}
    assert s.exec(select(User)).all() == []
    assert s.exec(select(AuditEvent)).all() == []


def test_create_user_normalises_email_and_refuses_duplicates(reference_session: Session) -> None:
    s = reference_session
    user = service.create_user(
        session=s,
        email="  HR.Lead@Camden.gov.uk ",
        role=Role.hr_lead,
        councils=["202"],
        actor=TEST_ACTOR,
    )
    s.commit()
    assert user.email == "hr.lead@camden.gov.uk"
    with pytest.raises(InputDataError) as exc:
        service.create_user(
            session=s,
            email="hr.lead@CAMDEN.gov.uk",
            role="hr_lead",
            councils=["202"],
            actor=TEST_ACTOR,
        )
    assert _rules(exc.value) == {"user.duplicate"}
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "create")).one()
    assert (event.entity, event.entity_id, event.actor) == ("user", str(user.id), "test-setup")
    assert event.details["councils"] == ["202"]


def test_sign_in_locks_the_account_after_repeated_failures(reference_session: Session) -> None:
    s = reference_session
    service.create_user(
        session=s, email="a@example.org", role="analyst", password=PASSWORD, actor=TEST_ACTOR
    )
    s.commit()
    for _ in range(flows.MAX_FAILED_SIGN_INS):
        with pytest.raises(flows.SignInRefused, match="not right"):
            flows.sign_in(session=s, email="a@example.org", password="wrong password!", source="t")
        s.commit()
    user = service.get_user_by_email(session=s, email="a@example.org")
    s.refresh(user)
    assert user.locked_until is not None
    # Locked: even the right password is refused until the lock runs out.
    with pytest.raises(flows.SignInRefused, match="not right"):
        flows.sign_in(session=s, email="a@example.org", password=PASSWORD, source="t")
    user.locked_until = utcnow() - timedelta(seconds=1)
    s.add(user)
    s.commit()
    assert (
        flows.sign_in(session=s, email="a@example.org", password=PASSWORD, source="t").id == user.id
    )
    s.commit()
    actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions.count("sign_in_failed") == flows.MAX_FAILED_SIGN_INS + 1
    assert actions[-1] == "sign_in"


def test_every_refusal_gets_the_same_words_and_costs_one_password_check(
    reference_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown, disabled, locked or wrong: the same answer after the same work, so neither
    the words nor the timing say whether an account exists or is locked."""
    s = reference_session
    for email in ("a@example.org", "locked@example.org", "off@example.org"):
        service.create_user(
            session=s, email=email, role="analyst", password=PASSWORD, actor=TEST_ACTOR
        )
    service.set_active(session=s, email="off@example.org", active=False, actor=TEST_ACTOR)
    locked = service.get_user_by_email(session=s, email="locked@example.org")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    s.add(locked)
    s.commit()
    checks: list[str | None] = []
    real_verify = flows.verify_password

    def counting_verify(password_hash: str | None, password: str) -> bool:
        checks.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(flows, "verify_password", counting_verify)
    answers = []
    for email, password in (
        ("nobody@example.org", PASSWORD),
        ("off@example.org", PASSWORD),
        ("locked@example.org", PASSWORD),
        ("a@example.org", "not the password"),
    ):
        checks.clear()
        with pytest.raises(flows.SignInRefused) as refused:
            flows.sign_in(session=s, email=email, password=password, source="t")
        s.commit()
        assert len(checks) == 1, email
        answers.append(str(refused.value))
    assert len(set(answers)) == 1
    assert "locked" not in answers[0].split(".")[0]


def test_tokens_expire_and_revoke(reference_session: Session) -> None:
    s = reference_session
    service.create_user(session=s, email="a@example.org", role="analyst", actor=TEST_ACTOR)
    issued = tokens.create_token(session=s, email="a@example.org", actor=TEST_ACTOR, days=1)
    s.commit()
    assert issued.secret.startswith(tokens.TOKEN_PREFIX)
    assert tokens.resolve_token(session=s, secret=issued.secret) is not None
    assert tokens.resolve_token(session=s, secret=issued.secret + "x") is None
    assert tokens.resolve_token(session=s, secret="Bearer nonsense") is None
    stored = s.get(ApiToken, issued.token.id)
    assert stored is not None and issued.secret not in (stored.token_hash, stored.prefix)
    assert stored.last_used_at is not None

    stored.expires_at = utcnow() - timedelta(seconds=1)
    s.add(stored)
    s.commit()
    assert tokens.resolve_token(session=s, secret=issued.secret) is None

    second = tokens.create_token(session=s, email="a@example.org", actor=TEST_ACTOR)
    assert second.token.id is not None
    tokens.revoke_token(session=s, token_id=second.token.id, actor=TEST_ACTOR)
    s.commit()
    assert tokens.resolve_token(session=s, secret=second.secret) is None
    with pytest.raises(NotFoundError):
        tokens.revoke_token(session=s, token_id=second.token.id, actor=TEST_ACTOR, owner_id=-1)
    with pytest.raises(InputDataError):
        tokens.create_token(session=s, email="a@example.org", actor=TEST_ACTOR, days=0)


def test_a_disabled_user_s_tokens_stop_working(reference_session: Session) -> None:
    s = reference_session
    service.create_user(session=s, email="a@example.org", role="analyst", actor=TEST_ACTOR)
    issued = tokens.create_token(session=s, email="a@example.org", actor=TEST_ACTOR)
    service.set_active(session=s, email="a@example.org", active=False, actor=TEST_ACTOR)
    s.commit()
    assert tokens.resolve_token(session=s, secret=issued.secret) is None


def test_the_application_cannot_change_or_delete_audit_entries(
    reference_session: Session,
) -> None:
    s = reference_session
    entry = audit.record(
        session=s,
        actor=TEST_ACTOR,
        action="create",
        entity="thing",
        entity_id=1,
        summary="made a thing",
    )
    s.commit()
    entry.summary = "made nothing"
    s.add(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        s.flush()
    s.rollback()
    s.delete(s.get(AuditEvent, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        s.flush()
    s.rollback()
    from sqlalchemy import delete, update

    with pytest.raises(AuditLogIsAppendOnly):
        s.exec(update(AuditEvent).values(summary="x"))  # type: ignore[call-overload]
    with pytest.raises(AuditLogIsAppendOnly):
        s.exec(delete(AuditEvent))  # type: ignore[call-overload]
    s.rollback()


def test_the_database_refuses_changes_to_audit_entries_from_any_client(
    reference_session: Session,
) -> None:
    s = reference_session
    audit.record(
        session=s,
        actor=TEST_ACTOR,
        action="create",
        entity="thing",
        entity_id=1,
        summary="made a thing",
    )
    s.commit()
    connection = s.connection()
    for statement in ("UPDATE audit_event SET summary = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            connection.exec_driver_sql(statement)
        s.rollback()
        connection = s.connection()
    assert s.exec(text("SELECT summary FROM audit_event")).one()[0] == "made a thing"


def test_secrets_are_withheld_from_audit_details(reference_session: Session) -> None:
    entry = audit.record(
        session=reference_session,
        actor=TEST_ACTOR,
        action="x",
        entity="y",
        details={"password": "hunter2", "ok": 1},
    )
    assert entry.details == {"password": "[withheld]", "ok": 1}
