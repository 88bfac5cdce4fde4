"""The matcher's inputs and its hard rules: who may fill a request's post at all.

``failures(worker, request)`` is the one definition of the rules;
:mod:`workforce.pool.arrays` holds the same rules over arrays (every request against every
worker at once) for the matcher, and the tests hold the two equal on random instances.
The rules:

- ``pool.role``: the same role, or, when the request allows a grade up or down, the next
  grade along ``GRADE``; an IRO/CP chair post takes only an IRO/CP chair, and an IRO/CP
  chair takes no other post.
- ``pool.registration``: Social Work England shows the worker registered, and the check
  was made no more than ``REGISTRATION_CHECK_DAYS`` days before the start (a check made
  after the start date is current too).
- ``pool.availability``: one of the worker's availability windows covers the whole of the
  request's start to end (inclusive).
- ``pool.location``: the worker works for the council (its code is in ``work_councils``)
  or in its region (``work_regions``), or the post needs no days on site and the worker is
  willing to work remotely.
- ``pool.cooling_off``: no permanent post in the same council or the same region was left
  within ``cooling_off_months`` before the start: a post left on ``left_on`` blocks every
  start before ``left_on`` plus that many calendar months (the day clamped to the month's
  end). A post left on or after the start blocks too: the worker is still in it.
- ``pool.experience``: at least ``MIN_YEARS_QUALIFIED`` years qualified on the start date
  (29 February's anniversary in a common year is 1 March).
- ``pool.overlap``: no placement or offer already held overlaps start to end.
- ``pool.rate``: the day rate is at most the request's maximum.
- ``pool.specialism``: every required specialism held.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from workforce.pool.terms import (
    GRADE,
    MIN_YEARS_QUALIFIED,
    REGISTRATION_CHECK_DAYS,
    ROLE_LABELS,
    SPECIALISM_LABELS,
    PoolRole,
    Specialism,
    Tier,
)


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class PermanentPost:
    council_code: str
    region: str
    left_on: date


@dataclass(frozen=True)
class WorkerFacts:
    id: int
    role: PoolRole
    registered: bool  # Social Work England shows them registered
    registration_checked: date | None
    qualified_on: date
    specialisms: frozenset[Specialism]
    intervention_experience: bool
    home_region: str
    work_regions: frozenset[str]
    work_councils: frozenset[str]  # council codes
    remote: bool  # willing to work remotely
    available: tuple[Window, ...]
    permanent_posts: tuple[PermanentPost, ...]
    day_rate: float
    booked: tuple[Window, ...]  # placements and offers already held
    home_region_name: str = ""  # the home region as words name it; blank: its code


@dataclass(frozen=True)
class RequestFacts:
    id: int
    council_code: str
    council_name: str
    region: str
    role: PoolRole
    grade_flex: bool  # a grade up or down allowed
    posts: int  # still open
    required: frozenset[Specialism]
    preferred: frozenset[Specialism]
    start: date
    end: date  # inclusive
    onsite_days: int  # 0..5 a week; 0 = fully remote allowed
    max_day_rate: float
    tier: Tier
    cooling_off_months: int  # 3, or the region's MoU period if longer
    region_name: str = ""  # the region as words name it ("North West"); blank: its code

    @property
    def region_words(self) -> str:
        """The region in a sentence: "the North West", "London"; its code if unnamed."""
        return region_in_words(self.region, self.region_name)


def region_in_words(code: str, name: str) -> str:
    """A region in a sentence: "the North West", "London"; its code if it has no name."""
    if not name:
        return code
    return name if name == "London" else f"the {name}"


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    words: str


ROLE = "pool.role"
REGISTRATION = "pool.registration"
AVAILABILITY = "pool.availability"
LOCATION = "pool.location"
COOLING_OFF = "pool.cooling_off"
EXPERIENCE = "pool.experience"
OVERLAP = "pool.overlap"
RATE = "pool.rate"
SPECIALISM = "pool.specialism"

# In this order everywhere: failures, the arrays, the reasons for an unfilled post.
RULES: dict[str, str] = {
    ROLE: "the request's role, or a grade up or down when the request allows it",
    SPECIALISM: "holds every specialism the request requires",
    AVAILABILITY: "one availability window covers the whole request",
    OVERLAP: "no placement or offer already held overlaps the request",
    LOCATION: "works for the council or in its region, or remotely when no days on site",
    REGISTRATION: f"registered with Social Work England, checked within "
    f"{REGISTRATION_CHECK_DAYS} days before the start",
    EXPERIENCE: f"at least {MIN_YEARS_QUALIFIED} years qualified on the start date",
    COOLING_OFF: "no permanent post in the council or its region left within the "
    "cooling-off period before the start",
    RATE: "day rate within the request's maximum",
}
RULE_IDS: tuple[str, ...] = tuple(RULES)


# --- dates -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's last."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def anniversary(day: date, years: int) -> date:
    """``day`` plus ``years`` years; 29 February's anniversary in a common year is 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def cooling_off_from(start: date, months: int) -> date:
    """The earliest leaving date whose cooling-off period still covers ``start``: the
    smallest ``day`` with ``start < add_months(day, months)``."""
    month0 = start.month - 1 - months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    days_then = calendar.monthrange(year, month)[1]
    # A day of that month reaches past ``start`` only as a later day of the month than
    # start's (none does if start is its month's last); else the next month's first does.
    if start.day < calendar.monthrange(start.year, start.month)[1] and start.day < days_then:
        return date(year, month, start.day + 1)
    return date(year, month, days_then) + timedelta(days=1)


_MONTHS = tuple(calendar.month_name)  # in English whatever the locale: "" then January...


def day_words(day: date) -> str:
    """``1 March 2027``."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def span_words(start: date, end: date) -> str:
    return f"{day_words(start)} to {day_words(end)}"


# --- the rules, one pair at a time ---------------------------------------------------------


def role_fits(worker_role: PoolRole, wanted: PoolRole, grade_flex: bool) -> bool:
    """True when a worker of ``worker_role`` may fill a request for ``wanted``."""
    if worker_role == wanted:
        return True
    mine, theirs = GRADE[worker_role], GRADE[wanted]
    if not grade_flex or mine is None or theirs is None:
        return False
    return abs(mine - theirs) == 1


def failures(worker: WorkerFacts, request: RequestFacts) -> list[RuleFailure]:
    """The hard rules the worker breaks for the request, in ``RULES`` order; empty if none."""
    found: list[RuleFailure] = []
    start, end = request.start, request.end
    wanted = ROLE_LABELS[request.role]

    if not role_fits(worker.role, request.role, request.grade_flex):
        mine = ROLE_LABELS[worker.role]
        if PoolRole.iro_cp_chair in (worker.role, request.role):
            why = f"{mine}, not {wanted}: an IRO/CP chair post takes only an IRO/CP chair"
        elif request.grade_flex:
            why = f"{mine}: more than a grade from {wanted}"
        else:
            why = f"{mine}, not {wanted} (the request allows no other grade)"
        found.append(RuleFailure(ROLE, why))

    missing = sorted(request.required - worker.specialisms)
    if missing:
        names = ", ".join(SPECIALISM_LABELS[s] for s in missing)
        found.append(RuleFailure(SPECIALISM, f"lacks required {names}"))

    if not any(w.start <= start and w.end >= end for w in worker.available):
        found.append(
            RuleFailure(
                AVAILABILITY,
                f"no availability window covers {span_words(start, end)}",
            )
        )

    clashes = [b for b in worker.booked if b.start <= end and b.end >= start]
    if clashes:
        first = min(clashes, key=lambda b: (b.start, b.end))
        found.append(RuleFailure(OVERLAP, f"already booked {span_words(first.start, first.end)}"))

    if not (
        request.council_code in worker.work_councils
        or request.region in worker.work_regions
        or (request.onsite_days == 0 and worker.remote)
    ):
        if request.onsite_days == 0:
            tail = "and is not willing to work remotely"
        else:
            tail = f"and the post needs {request.onsite_days} days a week on site"
        found.append(
            RuleFailure(
                LOCATION,
                f"works neither for {request.council_name} nor in {request.region_words}, {tail}",
            )
        )

    checked_since = start - timedelta(days=REGISTRATION_CHECK_DAYS)
    if not worker.registered:
        found.append(RuleFailure(REGISTRATION, "not shown registered by Social Work England"))
    elif worker.registration_checked is None:
        found.append(RuleFailure(REGISTRATION, "registration never checked"))
    elif worker.registration_checked < checked_since:
        found.append(
            RuleFailure(
                REGISTRATION,
                f"registration last checked {day_words(worker.registration_checked)}, "
                f"before {day_words(checked_since)} ({REGISTRATION_CHECK_DAYS} days before "
                f"the start)",
            )
        )

    if start < anniversary(worker.qualified_on, MIN_YEARS_QUALIFIED):
        found.append(
            RuleFailure(
                EXPERIENCE,
                f"qualified {day_words(worker.qualified_on)}: under {MIN_YEARS_QUALIFIED} "
                f"years by the start ({day_words(start)})",
            )
        )

    for post in sorted(worker.permanent_posts, key=lambda p: (p.left_on, p.council_code)):
        same_council = post.council_code == request.council_code
        if (same_council or post.region == request.region) and start < add_months(
            post.left_on, request.cooling_off_months
        ):
            where = (
                request.council_name
                if same_council
                else f"{request.region_words} (council {post.council_code})"
            )
            verb = "leaves" if post.left_on >= start else "left"
            found.append(
                RuleFailure(
                    COOLING_OFF,
                    f"{verb} a permanent post in {where} on {day_words(post.left_on)}: "
                    f"within the {request.cooling_off_months}-month cooling-off period",
                )
            )
            break

    if worker.day_rate > request.max_day_rate:
        found.append(
            RuleFailure(
                RATE,
                f"day rate £{worker.day_rate:,.2f} above the £{request.max_day_rate:,.2f} maximum",
            )
        )
    return found
