"""Trying to single out one council through the cross-region comparison and the public
rate index: small cells, overlapping groups, differencing two figures, filters. Each fails."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.builders.mou_views import (
    add_return,
    councils_of_region,
    make_group,
    make_reader,
    region_of,
)
from workforce.auth.models import Role
from workforce.mou import comparisons, views
from workforce.mou.models import MouGroup


def _returns(session: Session, councils: Iterable[str], each: int, pay: float = 30.0) -> None:
    for number, code in enumerate(councils):
        add_return(
            session,
            code,
            [{"hourly_pay_rate": pay + number + i / 10} for i in range(each)],
        )


def _index(session: Session) -> dict[str, views.RateIndexCellPublic]:
    return {c.region_code: c for c in comparisons.rate_index(session=session)}


def _comparison(session: Session, own: MouGroup | None) -> dict[str, object]:
    return {c.group_name: c for c in comparisons.cross_region(session=session, own_group=own)}


def _visible_contributions(
    session: Session, own: MouGroup | None
) -> list[comparisons.Contribution]:
    """Every figure the reader sees for the same role and quarter, with what is behind it."""
    shown = [
        comparisons.Contribution.of(key, found)
        for name, group in ((g.name, g) for g in views.service.list_groups(session=session))
        for key, found in views.by_cell(
            views.group_assignments(session=session, group=group)
        ).items()
        if (own is not None and name == own.name) or not _comparison(session, own)[name].suppressed
    ]
    published_regions = {code for code, cell in _index(session).items() if not cell.suppressed}
    for code, cells in comparisons._region_cells(
        session=session, everything=views.rated_assignments(session=session)
    ).items():
        if code in published_regions:
            shown += [comparisons.Contribution.of(key, found) for key, found in cells.items()]
    return shown


def _assert_no_two_figures_single_out_a_council(shown: list[comparisons.Contribution]) -> None:
    for one, other in combinations(shown, 2):
        if one.key != other.key:
            continue
        lookup = {**one.councils_by_id, **other.councils_by_id}
        for difference in (
            set(one.councils_by_id) - set(other.councils_by_id),
            set(other.councils_by_id) - set(one.councils_by_id),
        ):
            if difference:
                councils = {lookup[i] for i in difference}
                assert (
                    len(difference) >= views.MIN_ASSIGNMENTS and len(councils) >= views.MIN_COUNCILS
                ), f"two figures shown differ only by {sorted(councils)}"


def test_index_shows_a_region_only_with_5_assignments_from_3_councils(
    reference_session: Session,
) -> None:
    session = reference_session
    big = councils_of_region(session, 3, region_index=0)
    two_councils = councils_of_region(session, 2, region_index=1)
    few_assignments = councils_of_region(session, 3, region_index=2)
    _returns(session, big, each=2)  # 6 assignments from 3 councils: shown
    _returns(session, two_councils, each=5)  # 10 assignments from 2 councils
    add_return(session, few_assignments[0], [{}, {}])
    add_return(session, few_assignments[1], [{}])
    add_return(session, few_assignments[2], [{}])  # 4 assignments from 3 councils
    index = _index(session)
    shown = (
        index[views.region_of_code(session, big[0])] if hasattr(views, "region_of_code") else None
    )
    del shown
    from tests.builders.mou_views import region_of

    assert not index[region_of(session, big[0])].suppressed
    assert index[region_of(session, big[0])].assignments == 6
    for codes in (two_councils, few_assignments):
        cell = index[region_of(session, codes[0])]
        assert cell.suppressed and cell.median is None and cell.assignments is None
        assert cell.reason == views.SUPPRESSED_SMALL


def test_a_small_group_is_hidden_from_other_groups_but_not_from_its_members(
    reference_session: Session,
) -> None:
    session = reference_session
    pair = councils_of_region(session, 2, region_index=0)
    others = councils_of_region(session, 3, region_index=3)
    small = make_group(session, "Pair MoU", pair)
    own = make_group(session, "Others MoU", others)
    _returns(session, pair, each=6)
    _returns(session, others, each=2)
    seen_by_others = _comparison(session, own)
    assert seen_by_others["Pair MoU"].suppressed
    assert seen_by_others["Pair MoU"].median is None
    seen_by_members = _comparison(session, small)
    assert not seen_by_members["Pair MoU"].suppressed  # their own councils: in full
    assert seen_by_members["Pair MoU"].assignments == 12


def test_differencing_two_overlapping_groups_cannot_single_out_a_council(
    reference_session: Session,
) -> None:
    """Group B is group A plus one council: A's and B's medians together would give that
    council away. Neither an outsider nor a member of A sees both."""
    session = reference_session
    region = councils_of_region(session, 6, region_index=6)
    a_councils, extra = region[:3], region[3]
    group_a = make_group(session, "A MoU", a_councils)
    make_group(session, "B MoU", [*a_councils, extra])
    outsiders = councils_of_region(session, 3, region_index=4)
    group_c = make_group(session, "C MoU", outsiders)
    _returns(session, [*a_councils, extra], each=3, pay=32.0)
    _returns(session, outsiders, each=3)
    for reader in (group_c, group_a, None):
        seen = _comparison(session, reader)
        shown = {name for name in ("A MoU", "B MoU") if not seen[name].suppressed}
        if reader is group_a:
            assert seen["B MoU"].suppressed  # A's members know A: B would give `extra` away
            assert seen["B MoU"].reason == views.SUPPRESSED_DIFFERENCE
        else:
            assert len(shown) <= 1, f"{reader}: both A and B shown"
        _assert_no_two_figures_single_out_a_council(_visible_contributions(session, reader))


def test_a_group_one_council_short_of_its_region_is_not_shown_beside_the_index(
    reference_session: Session,
) -> None:
    session = reference_session
    region = councils_of_region(session, 5, region_index=5)
    make_group(session, "Most of a region MoU", region[:4])
    _returns(session, region, each=2)
    viewer = make_group(session, "Viewer MoU", councils_of_region(session, 3, region_index=0))
    seen = _comparison(session, viewer)
    region_cell = _index(session)[region_of(session, region[0])]
    # One of the two goes: here the index, as the group's own members know the group's.
    assert region_cell.suppressed and region_cell.reason == views.SUPPRESSED_DIFFERENCE
    assert not seen["Most of a region MoU"].suppressed
    _assert_no_two_figures_single_out_a_council(_visible_contributions(session, viewer))


@pytest.fixture
def member_of_c(reference_session: Session) -> tuple[str, dict[str, str], list[str]]:
    session = reference_session
    councils = councils_of_region(session, 3, region_index=4)
    make_group(session, "C MoU", councils)
    _returns(session, councils, each=2)
    reader = make_reader(session, "c.member", Role.mou_member, group="C MoU")
    session.commit()
    return "C MoU", reader.headers, councils


@pytest.mark.parametrize(
    "query",
    [
        "council={code}",
        "agency=Example%20Agency%20Ltd",
        "from=2025-10-01",
        "to=2025-11-30",
        "quarter=2025-Q4",
        "region=E12000001",
    ],
)
def test_the_aggregate_views_refuse_any_filter(
    client: TestClient, member_of_c: tuple[str, dict[str, str], list[str]], query: str
) -> None:
    group, headers, councils = member_of_c
    query = query.format(code=councils[0])
    public = client.get(f"/api/rate-index?{query}")
    assert public.status_code == 422, public.text
    assert public.json()["problems"][0]["rule"] == "mou.no_filters"
    rates = client.get(f"/api/mou/groups/{group}/rates?{query}", headers=headers)
    assert rates.status_code == 422, rates.text


def test_the_index_is_public_and_the_same_for_everyone(
    client: TestClient, member_of_c: tuple[str, dict[str, str], list[str]]
) -> None:
    _, headers, _ = member_of_c
    anonymous = client.get("/api/rate-index")
    assert anonymous.status_code == 200
    assert anonymous.json() == client.get("/api/rate-index", headers=headers).json()
    assert any(not c["suppressed"] for c in anonymous.json())
    csv = client.get("/api/rate-index?format=csv")
    assert csv.status_code == 200 and csv.text.startswith("region_code,")
    page = client.get("/rate-index")
    assert page.status_code == 200 and "at least 5 assignments" in page.text
