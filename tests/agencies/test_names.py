"""Agency names as councils type them come to one form."""

import pytest

from workforce.agencies.names import company_number_in, normalise


@pytest.mark.parametrize(
    "typed",
    [
        "Acme Social Care Ltd",
        "ACME SOCIAL CARE LIMITED",
        "Acme Social Care Ltd.",
        "  acme   social-care  ",
        "Acme Social Care",
        "\uff21\uff43\uff4d\uff45 Social Care Ltd",  # full-width letters
    ],
)
def test_spellings_of_one_name_normalise_alike(typed: str) -> None:
    assert normalise(typed) == "acme social care"


def test_ampersand_reads_as_and_and_a_bare_company_word_stays() -> None:
    assert normalise("Smith & Jones Recruitment") == normalise("Smith and Jones Recruitment")
    assert normalise("Limited") == "limited"
    assert normalise("---") == ""


def test_a_company_number_in_the_name_is_found_once() -> None:
    assert company_number_in("Acme Social Care Ltd (01234567)") == "01234567"
    assert company_number_in("Acme SC 12345678 t/a Acme") == "12345678"
    assert company_number_in("acme sc123456") == "SC123456"
    assert company_number_in("Acme Social Care") is None
    assert company_number_in("01234567 and 07654321") is None
