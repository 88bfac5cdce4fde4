"""Job ``pool_housekeeping``: every hour, the emergency pool's offers past their time to
answer are marked expired, releasing their workers for other offers
(:func:`workforce.pool.answers.expire_offer`), and placements ending within 28 days are
counted in the summary as reminders to extend or replace.

Each offer expires in a transaction of its own, under its request's and worker's locks: an
offer being answered at that moment waits its turn, and one whose lock is held beyond the
wait is left for the next run and named in the summary. An offer whose expiry fails is
rolled back alone; the others still expire, and the run then fails naming it.
"""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth.audit import Actor
from workforce.errors import Busy
from workforce.pool import answers, reporting
from workforce.timeutils import utcnow


@job(
    "pool_housekeeping",
    description="Expire pool offers past their time to answer; count placements ending soon",
    cron={"minute": 20},
)
def pool_housekeeping(*, session: Session) -> JobOutcome:
    actor = Actor.job("pool_housekeeping")
    now = utcnow()
    due = answers.offers_due_to_expire(session=session, on=now)
    session.commit()
    expired: list[int] = []
    busy: list[str] = []
    failed: list[str] = []
    for offer_id in due:
        try:
            if answers.expire_offer(session=session, offer_id=offer_id, on=now, actor=actor):
                expired.append(offer_id)
            session.commit()
        except Busy:
            session.rollback()
            busy.append(str(offer_id))
        except Exception as exc:
            session.rollback()
            failed.append(f"offer {offer_id} ({exc.__class__.__name__}: {exc})")
    ending = reporting.ending_soon(session=session, on=now.date())
    summary = (
        f"{len(expired)} offer(s) expired; {len(ending)} placement(s) ending within "
        f"{reporting.ENDING_SOON_DAYS} days"
        + (
            ": " + ", ".join(f"{e.placement_id} ({e.council_code}, {e.end_date})" for e in ending)
            if ending
            else ""
        )
    )
    if busy:
        summary += f"; left for the next run, as they were being answered: offers {', '.join(busy)}"
    if failed:
        raise RuntimeError(f"{len(failed)} offer(s) not expired: {'; '.join(failed)}. {summary}")
    return JobOutcome(rows=len(expired), summary=summary[:2000])
