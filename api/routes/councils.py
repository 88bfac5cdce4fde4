"""Councils, regions and statistical neighbours (published reference data, open to all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter

from api.deps import SessionDep
from workforce.cache import VersionedCache
from workforce.councils import service
from workforce.councils.models import CouncilDetail, CouncilPublic, RegionPublic

router = APIRouter(prefix="/api", tags=["councils"])
COUNCIL_LIST = TypeAdapter(list[CouncilPublic])


@router.get("/regions", response_model=list[RegionPublic])
def list_regions(session: SessionDep) -> list[RegionPublic]:
    """List England, its regions and the Inner/Outer London sub-regions."""
    return service.list_regions(session=session)


@router.get("/councils", response_model=list[CouncilPublic])
def list_councils(
    request: Request,
    session: SessionDep,
    region: Annotated[
        str | None,
        Query(description="Region or London sub-region: ONS code (E12000007) or name (London)."),
    ] = None,
    include_former: Annotated[
        bool, Query(description="Also list councils abolished in reorganisations since 2017.")
    ] = False,
) -> Response:
    """List councils with children's social care, by name."""
    cache: VersionedCache = request.app.state.answers  # changes only with the data
    body = cache.get(
        session,
        ("councils", region, include_former),
        lambda: COUNCIL_LIST.dump_json(
            service.list_councils(session=session, region=region, include_former=include_former)
        ),
    )
    return Response(content=body, media_type="application/json")


@router.get("/councils/{code}", response_model=CouncilDetail)
def get_council(session: SessionDep, code: str) -> CouncilDetail:
    """Get one council by DfE 3-digit code or ONS code, with its statistical neighbours."""
    return service.get_council(session=session, code=code)
