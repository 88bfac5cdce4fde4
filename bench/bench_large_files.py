"""Reading oversized returns: time and peak memory to answer, against a council-sized census.

Each file is read and checked by ``parse_upload`` (what an upload, the inbox job and
``workforce returns ingest`` all call) in a fresh process. Memory is the rise of that
process's peak resident size while it reads and checks the file, over its size just before
(the interpreter, the service's modules and the file's bytes). The baseline is a census of
a large council (3,000 worker records).

- census CSV, 900,000 valid records: far more than any council has; must be refused;
- census CSV of a million records, each with an error: must be refused;
- quarterly workforce CSV of 100,000 rows (one row per role group is six): refused;
- census XML of 200,000 records (about 20 MB, the upload limit): must be refused.

Target: each oversized file refused in at most 1 s, reading within 100 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders.returns import CSV_COLUMNS, CensusDesign, census_csv, quarterly_rows, to_csv

TODAY = "2026-11-24"


def _agency_rows(count: int) -> bytes:
    """A census CSV of ``count`` agency workers: the shortest valid records."""
    lines = [
        "LEA,ReferenceDate,NumberOfVacancies,NoAgencyFTE,NoAgencyHeadcount,AgencyWorker,"
        "SWENo,QualInst",
        f"202,2025-09-30,1,1,{count},1,SW{0:010d},X",
    ]
    lines += [f",,,,,1,SW{i:010d},X" for i in range(1, count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _short_rows(count: int) -> bytes:
    """A census CSV of ``count`` records whose registration numbers are too short."""
    lines = ["LEA,ReferenceDate,NumberOfVacancies,NoAgencyFTE,NoAgencyHeadcount,AgencyWorker,SWENo"]
    lines.append("202,2025-09-30,1,1,1,1,SW1")
    lines += [",,,,,1,SW1"] * (count - 1)
    return ("\r\n".join(lines) + "\r\n").encode()


def _census_xml(count: int) -> bytes:
    head = (
        "<Message><Header><CollectionDetails><ReferenceDate>2025-09-30</ReferenceDate>"
        "</CollectionDetails><Source><LEA>202</LEA></Source></Header><LALevelVacancies>"
        "<NumberOfVacancies>1</NumberOfVacancies><NoAgencyFTE>1</NoAgencyFTE>"
        f"<NoAgencyHeadcount>{count}</NoAgencyHeadcount></LALevelVacancies>"
    )
    worker = "<CSWWWorker><AgencyWorker>1</AgencyWorker><SWENo>SW{:010d}</SWENo>" + (
        "<QualInst>X</QualInst></CSWWWorker>"
    )
    return (head + "".join(worker.format(i) for i in range(count)) + "</Message>").encode()


def _files(folder: Path) -> dict[str, Path]:
    rows = quarterly_rows()
    made = {
        "large council census CSV, 3,000 records (baseline)": census_csv(
            CensusDesign(stayers=2400, starters=250, leavers=200, agency=150, agency_headcount=150)
        ),
        "census CSV, 900,000 records": _agency_rows(900_000),
        "census CSV, 1,000,000 records, each invalid": _short_rows(1_000_000),
        "quarterly CSV, 100,000 rows": to_csv([rows[0], *(rows[1:] * 16_667)][:100_001]),
        "census XML, 200,000 records": _census_xml(200_000),
    }
    assert CSV_COLUMNS  # the factory's layout is the one read here
    paths = {}
    for number, (name, data) in enumerate(made.items()):
        path = folder / f"{number}.bin"
        path.write_bytes(data)
        paths[name] = path
    return paths


def _measure(path: str) -> None:
    """In the child: read and check one file; print seconds, peak MB and the outcome."""
    from datetime import date

    from workforce.ingest.problems import Issues
    from workforce.returns.reading import Upload, parse_upload

    data = Path(path).read_bytes()
    issues = Issues()
    before_mb, _ = _memory_mb()
    start = time.perf_counter()
    parse_upload(issues, Upload(data, Path(path).name), date.fromisoformat(TODAY))
    seconds = time.perf_counter() - start
    _, peak_mb = _memory_mb()
    errors = issues.errors
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rise_mb": max(0.0, peak_mb - before_mb),
                "peak_mb": peak_mb,
                "size_mb": len(data) / 1048576,
                "outcome": f"rejected: {errors[0].rule}" if errors else "accepted",
            }
        )
    )


def _memory_mb() -> tuple[float, float]:
    """The process's resident size now and its peak so far, in MB (Linux; both start afresh
    when a process is started, unlike getrusage's peak, which a child inherits)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="workforce-bench-large-") as folder:
        results = {}
        for name, path in _files(Path(folder)).items():
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    baseline = next(iter(results.values()))
    for name, r in results.items():
        print(
            f"{name} ({r['size_mb']:.1f} MB): {r['outcome']} in {r['seconds']:.2f} s "
            f"({r['seconds'] / baseline['seconds']:.1f}x the baseline), memory +{r['rise_mb']:.0f} "
            f"MB (peak {r['peak_mb']:.0f} MB)"
        )
    print("[baseline: parse_upload of a 3,000-record census CSV; target: oversized files <= 1 s]")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
