import csv
import io

import pytest

from workforce.exports import neutralise, to_csv


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=x"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert neutralise(-3.5) == -3.5
    assert neutralise("Camden") == "Camden"
    text = to_csv([{"name": '=HYPERLINK("x")', "change": -1.2}], ["name", "change"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "change"], ['\'=HYPERLINK("x")', "-1.2"]]


@pytest.mark.parametrize(
    "cell",
    [
        " =1+1",
        "   @SUM(A1)",
        '\n=HYPERLINK("http://example.org")',
        " \n -2+3",
        "\r\n+cmd",
        "\t",
        "\rtext",
        "\u00a0=1+1",  # a no-break space is whitespace to a spreadsheet too
    ],
)
def test_a_trigger_after_leading_whitespace_is_neutralised_too(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["  Camden", "\nNorth East", "3 - 2", "a=b", "", "   "])
def test_whitespace_before_plain_text_is_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def test_negative_numbers_stay_numbers_in_the_csv() -> None:
    text = to_csv([{"change": -3.5, "count": -2, "note": " =1"}], ["change", "count", "note"])
    assert list(csv.reader(io.StringIO(text)))[1] == ["-3.5", "-2", "' =1"]
