"""Data-driven cases: tests/data/invalid/<case>/ must give exactly its expected findings,
tests/data/small and the seeds must give none. Every rule code has a case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, REPO, copy_dataset
from toolkit.check.rule_codes import rule_codes
from toolkit.check.run import validate_dataset

CASES = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case_gives_exactly_its_findings(case: Path, tmp_path: Path) -> None:
    root = copy_dataset(DATA / "small", tmp_path / "ds", overlay=case)
    options = json.loads((case / "case.json").read_text())
    expected = json.loads((case / "expected.json").read_text())
    report = validate_dataset(root, **options).report
    assert sorted(report.flatten(("file", "pointer", "code"))) == sorted(expected)
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.hint
    errors = [f for f in report.findings if f.severity == "error"]
    assert report.valid is (not errors)


#: Codes whose case cannot be a folder of files in the repository, and the test that covers each.
COVERED_ELSEWHERE = {
    # a name that is not UTF-8 cannot be checked out everywhere: the test writes it
    "file-name-invalid": "test_hardening.py::test_a_file_name_not_utf8_is_a_finding",
}


def test_every_rule_code_has_a_case() -> None:
    for reference in COVERED_ELSEWHERE.values():
        module, test = reference.split("::")
        assert f"def {test}(" in (Path(__file__).parent / module).read_text("utf-8"), reference
    covered = set(COVERED_ELSEWHERE)
    for case in CASES:
        covered |= {code for _, _, code in json.loads((case / "expected.json").read_text())}
    assert covered == set(rule_codes())


@pytest.mark.parametrize("root", [DATA / "small", REPO], ids=["small", "seeds"])
def test_valid_datasets_have_no_findings(root: Path) -> None:
    report = validate_dataset(root).report
    assert report.valid
    assert report.findings == ()
    assert report.stats["agreements"] > 0 and report.stats["evidence"] > 0
