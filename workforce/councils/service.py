"""Looking up councils, regions and statistical neighbours."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from workforce.councils.models import (
    Council,
    CouncilDetail,
    CouncilPublic,
    CouncilSuccession,
    NeighbourPublic,
    Region,
    RegionPublic,
    ReportingUnit,
    ReportingUnitPublic,
    StatisticalNeighbour,
)
from workforce.errors import NotFoundError


def _region_names(*, session: Session) -> dict[str, str]:
    return {r.code: r.name for r in session.exec(select(Region))}


def council_names(*, session: Session) -> dict[str, str]:
    """Every council's name by its DfE code, for pages that list councils by code."""
    return dict(session.exec(select(Council.code, Council.name)).all())


def _public(council: Council, names: dict[str, str]) -> CouncilPublic:
    sub = council.london_subregion_code
    return CouncilPublic(
        code=council.code,
        ons_code=council.ons_code,
        name=council.name,
        region_code=council.region_code,
        region_name=names.get(council.region_code, council.region_code),
        london_subregion_code=sub,
        london_subregion_name=names.get(sub) if sub else None,
        current=council.last_year is None,
        first_year=council.first_year,
        last_year=council.last_year,
        reporting_unit_code=council.reporting_unit_code,
    )


def list_regions(*, session: Session) -> list[RegionPublic]:
    """Return England, its regions and the London sub-regions, in code order."""
    regions = session.exec(select(Region).order_by(col(Region.code))).all()
    return [RegionPublic.model_validate(r, from_attributes=True) for r in regions]


def resolve_region(*, session: Session, region: str) -> Region:
    """Return the region named by its ONS code or its name (any case)."""
    wanted = region.strip()
    found = session.exec(
        select(Region).where(
            or_(col(Region.code) == wanted.upper(), col(Region.name).ilike(wanted))
        )
    ).first()
    if found is None:
        raise NotFoundError(
            f"No region {region!r}: use an ONS region code such as E12000007 or a name such as "
            "'London' (GET /api/regions lists them)"
        )
    return found


def list_councils(
    *, session: Session, region: str | None = None, include_former: bool = False
) -> list[CouncilPublic]:
    """Return councils by name; current ones only unless ``include_former``."""
    query = select(Council).order_by(col(Council.name), col(Council.code))
    if region:
        found = resolve_region(session=session, region=region)
        column = (
            Council.london_subregion_code
            if found.kind == "london_subregion"
            else (Council.region_code)
        )
        query = query.where(column == found.code)
    if not include_former:
        query = query.where(col(Council.last_year).is_(None))
    names = _region_names(session=session)
    return [_public(c, names) for c in session.exec(query)]


def find_council(*, session: Session, code: str) -> Council:
    """Return the council with this DfE 3-digit code or 9-character ONS code."""
    wanted = code.strip().upper()
    column = Council.code if wanted.isdigit() else Council.ons_code
    council = session.exec(select(Council).where(column == wanted)).first()
    if council is None:
        raise NotFoundError(
            f"No council with code {code!r}: give a DfE 3-digit code such as 202 or an "
            "ONS code such as E09000007 (GET /api/councils lists them)"
        )
    return council


def get_council(*, session: Session, code: str) -> CouncilDetail:
    """Return a council with its reporting unit, reorganisation links and neighbours."""
    council = find_council(session=session, code=code)
    names = _region_names(session=session)
    unit = None
    if council.reporting_unit_code:
        row = session.get(ReportingUnit, council.reporting_unit_code)
        if row is not None:
            members = session.exec(
                select(Council)
                .where(Council.reporting_unit_code == row.code)
                .order_by(col(Council.code))
            ).all()
            lead = next((m for m in members if m.code == row.lead_council_code), None)
            unit = ReportingUnitPublic(
                code=row.code,
                name=row.name,
                ons_code=row.ons_code,
                lead_council_code=row.lead_council_code,
                lead_council_name=lead.name if lead else None,
                member_codes=[m.code for m in members],
            )
    successions = session.exec(
        select(CouncilSuccession).where(
            or_(
                CouncilSuccession.predecessor_code == council.code,
                CouncilSuccession.successor_code == council.code,
            )
        )
    ).all()
    neighbour_rows = session.exec(
        select(StatisticalNeighbour, Council)
        .join(Council, col(Council.code) == StatisticalNeighbour.neighbour_code)
        .where(StatisticalNeighbour.council_code == council.code)
        .order_by(col(StatisticalNeighbour.rank))
    ).all()
    return CouncilDetail(
        **_public(council, names).model_dump(),
        reporting_unit=unit,
        predecessor_codes=sorted(
            s.predecessor_code for s in successions if s.successor_code == council.code
        ),
        successor_codes=sorted(
            s.successor_code for s in successions if s.predecessor_code == council.code
        ),
        statistical_neighbours=[
            NeighbourPublic(
                rank=n.rank,
                code=c.code,
                name=c.name,
                closeness=n.closeness,
                current=c.last_year is None,
            )
            for n, c in neighbour_rows
        ],
        neighbours_source=neighbour_rows[0][0].source if neighbour_rows else None,
    )
