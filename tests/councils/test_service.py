import pytest
from sqlmodel import Session

from workforce.councils import service
from workforce.errors import NotFoundError


def test_a_council_is_found_by_dfe_or_ons_code(reference_session: Session) -> None:
    by_dfe = service.get_council(session=reference_session, code="318")
    by_ons = service.get_council(session=reference_session, code="e09000027")
    assert by_dfe == by_ons
    assert by_dfe.name == "Richmond upon Thames"
    assert by_dfe.reporting_unit is not None
    assert by_dfe.reporting_unit.member_codes == ["314", "318"]
    assert by_dfe.reporting_unit.lead_council_code == "314"
    assert len(by_dfe.statistical_neighbours) == 10


def test_reorganisations_link_both_ways(reference_session: Session) -> None:
    northants = service.get_council(session=reference_session, code="928")
    assert northants.current is False
    assert northants.successor_codes == ["940", "941"]
    west = service.get_council(session=reference_session, code="941")
    assert west.predecessor_codes == ["928"]
    assert west.first_year == 2021


@pytest.mark.parametrize("code", ["000", "E09999999", "camden", ""])
def test_an_unknown_code_says_what_to_give(reference_session: Session, code: str) -> None:
    with pytest.raises(NotFoundError, match="3-digit code"):
        service.find_council(session=reference_session, code=code)


def test_councils_filter_by_region_code_name_or_london_subregion(
    reference_session: Session,
) -> None:
    everyone = service.list_councils(session=reference_session)
    assert len(everyone) == 153
    assert len(service.list_councils(session=reference_session, include_former=True)) == 158
    assert len(service.list_councils(session=reference_session, region="E12000001")) == 12
    assert len(service.list_councils(session=reference_session, region="north east")) == 12
    inner = service.list_councils(session=reference_session, region="Inner London")
    assert {c.london_subregion_name for c in inner} == {"Inner London"}
    with pytest.raises(NotFoundError, match="E12000007"):
        service.list_councils(session=reference_session, region="Atlantis")
