"""The DfE statistical-neighbour model in the layouts DfE publishes it: the CSV, and an
XLSX or ODS workbook with a title row above the header and the neighbours in SN1..SN10."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.builders.ods import FormulaCell, ods
from workforce.config import Settings
from workforce.councils.reference import NEIGHBOURS_FILE, parse_statistical_neighbours
from workforce.errors import InputDataError

TITLE = ["Children's services statistical neighbour benchmarking tool: April 2021"]


def published_rows() -> list[list[Any]]:
    """The bundled CSV's rows, codes as numbers as a workbook holds them."""
    with NEIGHBOURS_FILE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return [rows[0]] + [[int(c) if c.isdigit() else c for c in row] for row in rows[1:]]


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Statistical neighbours"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_the_workbook_with_a_title_row_gives_the_same_neighbours_as_the_csv(
    tmp_path: Path,
) -> None:
    expected = [(r.council_code, r.rank, r.neighbour_code, r.closeness) for r in
                parse_statistical_neighbours(NEIGHBOURS_FILE)]  # fmt: skip
    rows = [TITLE, [], *published_rows()]
    as_xlsx = xlsx(tmp_path / "sn.xlsx", rows)
    as_ods = tmp_path / "sn.ods"
    as_ods.write_bytes(ods({"Notes": [["About this table"]], "SN": rows}))
    for path in (as_xlsx, as_ods):
        records = parse_statistical_neighbours(path)
        assert [(r.council_code, r.rank, r.neighbour_code, r.closeness) for r in records] == (
            expected
        )
        assert records[0].row == 4  # below the title and a blank row


def test_closeness_in_named_columns_after_the_ten_neighbours_is_read(tmp_path: Path) -> None:
    header = ["LA number", "LA name"] + [f"SN{r}" for r in range(1, 11)]
    header += [f"SN{r}P" for r in range(1, 11)]
    camden = [202, "Camden", 213, 205, 207, 206, 212, 352, 203, 870, 309, 302]
    camden += ["Very Close", "Close", "Close", "Close"] + ["Not Close"] * 6
    records = parse_statistical_neighbours(xlsx(tmp_path / "sn.xlsx", [TITLE, header, camden]))
    assert [(r.rank, r.neighbour_code, r.closeness.value) for r in records[:2]] == [
        (1, "213", "Very close"),
        (2, "205", "Close"),
    ]


def test_a_formula_where_a_code_is_read_is_refused(tmp_path: Path) -> None:
    rows = published_rows()[:3]
    rows[2][5] = FormulaCell("of:=[.A2]", 202)
    path = tmp_path / "sn.ods"
    path.write_bytes(ods({"SN": [TITLE, *rows]}))
    with pytest.raises(InputDataError) as caught:
        parse_statistical_neighbours(path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.sheet, problem.row, problem.column) == (
        "neighbours.formula",
        "SN",
        4,
        "SN1",
    )


def test_a_workbook_without_the_neighbour_columns_names_what_it_lacks(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "other.xlsx", [TITLE, ["LA num", "LA Name", "SN1", "SNP"]])
    with pytest.raises(InputDataError, match=r"lacks column\(s\) SN2, SN3") as caught:
        parse_statistical_neighbours(path)
    assert caught.value.problems[0].row == 2


def test_workforce_import_neighbours_reads_the_workbook(
    reference_settings: Settings, tmp_path: Path
) -> None:
    from workforce.cli import app

    path = xlsx(tmp_path / "sn.xlsx", [TITLE, *published_rows()])
    result = CliRunner().invoke(app, ["import", "neighbours", str(path), "--source", "DfE 2021"])
    assert result.exit_code == 0, result.output
    assert "statistical_neighbour: 0 added, 1560 updated" in result.output
