"""A group's digest: new findings since its last digest, the trend of findings by quarter
and the agencies with most findings, written as HTML and CSV in the reports folder, with a
``MouDigest`` row that the group's page lists.

Writing one takes the group's write lock first
(:func:`workforce.mou.service.lock_for_writing`): two digests of a group written at once
queue, and the second covers what came after the first."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from sqlmodel import Session, col, select

from workforce.exports import neutralise
from workforce.mou.models import FindingStatus, MouDigest, MouFinding, MouGroup
from workforce.mou.service import lock_for_writing
from workforce.mou.views import Quarter
from workforce.timeutils import as_utc, utcnow

TOP_AGENCIES = 10
NEW_COLUMNS = ["council_code", "agency_name", "rule", "status", "start_date", "message"]


@dataclass(frozen=True)
class DigestContent:
    group: MouGroup
    period_start: date
    period_end: date
    new: list[MouFinding]
    trend: list[tuple[str, int, int]]  # quarter, breaches, all findings
    agencies: list[tuple[str, int]]  # agency, findings
    total: int


def last_digest(*, session: Session, group_name: str) -> MouDigest | None:
    """Return the group's latest digest, or None if it has had none."""
    return session.exec(
        select(MouDigest)
        .where(MouDigest.group_name == group_name)
        .order_by(col(MouDigest.created_at).desc(), col(MouDigest.id).desc())
    ).first()


def list_digests(*, session: Session, group_name: str) -> list[MouDigest]:
    """Return the group's digests, newest first."""
    return list(
        session.exec(
            select(MouDigest)
            .where(MouDigest.group_name == group_name)
            .order_by(col(MouDigest.created_at).desc(), col(MouDigest.id).desc())
        ).all()
    )


def digest_content(*, session: Session, group: MouGroup, today: date) -> DigestContent:
    """Return what the group's next digest holds."""
    previous = last_digest(session=session, group_name=group.name)
    since = as_utc(previous.created_at) if previous else None
    findings = session.exec(
        select(MouFinding)
        .where(MouFinding.group_name == group.name)
        .order_by(col(MouFinding.start_date), col(MouFinding.id))
    ).all()
    new = [f for f in findings if since is None or (as_utc(f.first_found_at) or since) > since]
    by_quarter: Counter[Quarter] = Counter(Quarter.of(f.start_date) for f in findings)
    breaches: Counter[Quarter] = Counter(
        Quarter.of(f.start_date) for f in findings if f.status == FindingStatus.breach
    )
    agencies = Counter(f.agency_name for f in findings).most_common(TOP_AGENCIES)
    return DigestContent(
        group=group,
        period_start=previous.period_end
        if previous
        else min((f.start_date for f in findings), default=today),
        period_end=today,
        new=new,
        trend=[(q.label, breaches[q], by_quarter[q]) for q in sorted(by_quarter)],
        agencies=sorted(agencies, key=lambda item: (-item[1], item[0])),
        total=len(findings),
    )


def digest_html(content: DigestContent) -> str:
    """Return the digest as a self-contained HTML page."""
    g = content.group
    example = " (example figures)" if g.is_example else ""

    def table(caption: str, header: list[str], rows: list[list[object]]) -> str:
        head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in header)
        body = (
            "".join(
                "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                for row in rows
            )
            or f"<tr><td colspan='{len(header)}'>None.</td></tr>"
        )
        return (
            f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>MoU digest: {escape(g.name)}</title></head><body>"
        f"<h1>MoU digest: {escape(g.name)}{escape(example)}</h1>"
        f"<p>From {content.period_start} to {content.period_end}: {len(content.new)} new "
        f"finding(s) since the last digest, {content.total} in all.</p>"
        + table(
            "New findings since the last digest",
            ["Council", "Agency", "Rule", "Status", "Start", "Finding"],
            [
                [f.council_code, f.agency_name, f.rule, f.status, f.start_date, f.message]
                for f in content.new
            ],
        )
        + table(
            "Findings by quarter of assignment start",
            ["Quarter", "Breaches", "All"],
            [list(row) for row in content.trend],
        )
        + table(
            "Agencies with most findings",
            ["Agency", "Findings"],
            [list(row) for row in content.agencies],
        )
        + "</body></html>"
    )


def digest_csv(content: DigestContent) -> str:
    """Return the digest as CSV: each section a title row, its header and rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    sections: list[tuple[str, list[str], list[list[object]]]] = [
        (
            "New findings since the last digest",
            NEW_COLUMNS,
            [
                [f.council_code, f.agency_name, f.rule, f.status, f.start_date, f.message]
                for f in content.new
            ],
        ),
        (
            "Findings by quarter",
            ["quarter", "breaches", "findings"],
            [list(r) for r in content.trend],
        ),
        (
            "Agencies with most findings",
            ["agency_name", "findings"],
            [list(r) for r in content.agencies],
        ),
    ]
    writer.writerow([neutralise(f"MoU digest: {content.group.name}")])
    for title, header, rows in sections:
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(str(c)) for c in row])
    return buffer.getvalue()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "group"


def write_digest(
    *, session: Session, group: MouGroup, reports_dir: Path, today: date | None = None
) -> MouDigest:
    """Write the group's digest files in ``reports_dir``/mou and add its row (the caller
    commits; the group's write lock is held until then)."""
    lock_for_writing(session=session, group_name=group.name, what=f"{group.name}'s digest")
    content = digest_content(session=session, group=group, today=today or utcnow().date())
    folder = reports_dir / "mou"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    stem = f"{_slug(group.name)}-{content.period_end.isoformat()}-{stamp}"
    html_path, csv_path = folder / f"{stem}.html", folder / f"{stem}.csv"
    html_path.write_text(digest_html(content), encoding="utf-8")
    csv_path.write_text(digest_csv(content), encoding="utf-8")
    row = MouDigest(
        group_name=group.name,
        period_start=content.period_start,
        period_end=content.period_end,
        html_path=str(html_path),
        csv_path=str(csv_path),
        findings=content.total,
        new_findings=len(content.new),
    )
    session.add(row)
    session.flush()
    return row
