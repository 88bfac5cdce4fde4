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
