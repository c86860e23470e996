"""The report formats (docs/validate.md): SARIF 2.1.0 against the official schema and what
GitHub code scanning reads, JUnit XML, the JSON format against the schema the package ships,
-q/--quiet, and the exit codes of every command."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from jsonschema import Draft4Validator, Draft202012Validator

from conftest import DATA
from toolkit.check.run import validate_dataset
from toolkit.report import REPORT_FORMAT, REPORTERS, Report, report_schema, sarif_log

DOC = "seeds/annotations/003_ca5597f59c992008.json"
CLEAN = "seeds/annotations/000_c9643dd3023e532a.json"
SARIF_SCHEMA = json.loads((DATA / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def _edit(root: Path, rel: str, change: Callable[[Any], None]) -> None:
    path = root / rel
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _broken(root: Path) -> Report:
    """Errors of three layers and a warning, one message holding control characters."""

    def change(doc: Any) -> None:
        doc["dates"][0]["earliest"] = "2023-02-30"
        doc["agreements"][0]["parties"][0]["actor_id"] = "act-nobody"
        doc["agreements"][2]["status"] = "\x1b[31mred\u2028"
        doc["agreements"][1].pop("trigger")

    _edit(root, DOC, change)
    report = validate_dataset(root).report
    assert {f.severity for f in report.findings} == {"error", "warning"}
    return report


def _render(fmt: str, report: Report) -> str:
    out = io.StringIO()
    REPORTERS[fmt]().report(report, out)
    return out.getvalue()


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(seeds_copy: Path) -> None:
    report = _broken(seeds_copy)
    log = json.loads(_render("sarif", report))
    assert log == sarif_log(report)
    errors = sorted(Draft4Validator(SARIF_SCHEMA).iter_errors(log), key=str)
    assert not errors, errors[0]
    clean = sarif_log(validate_dataset(seeds_copy, paths=[seeds_copy / CLEAN]).report)
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(clean))


def test_sarif_has_what_github_code_scanning_reads(seeds_copy: Path) -> None:
    report = _broken(seeds_copy)
    log = sarif_log(report)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "toolkit" and driver["version"]
    rules = [r["id"] for r in driver["rules"]]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]] == result["ruleId"] == finding.code
        assert result["level"] == finding.severity
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding.file  # relative to the checkout
        assert physical["region"]["startLine"] == finding.line >= 1
        assert result["partialFingerprints"]
        assert len(result["message"]["text"]) < 1000


def test_junit_has_a_case_per_file_failing_with_its_errors(seeds_copy: Path) -> None:
    report = _broken(seeds_copy)
    root = ET.fromstring(_render("junit", report))
    files, wide = root.findall("testsuite")
    assert files.get("name") == "files" and wide.get("name") == "dataset-wide checks"
    assert int(files.get("tests", "0")) == len(report.checked or ()) == 6
    [failed] = [c for c in files.iter("testcase") if c.find("failure") is not None]
    assert failed.get("name") == DOC
    failure = failed.find("failure")
    assert failure is not None and "schema-violation" in (failure.text or "")
    assert "trigger-missing" in (failed.findtext("system-out") or "")
    [wide_case] = wide.findall("testcase")
    assert "reference-unresolved" in (wide_case.findtext("failure") or "")
    assert root.get("failures") == "2"


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "invalid"])
def test_the_json_format_has_a_version_and_matches_the_published_schema(
    seeds_copy: Path, broken: bool
) -> None:
    report = _broken(seeds_copy) if broken else validate_dataset(seeds_copy).report
    data = json.loads(_render("json", report))
    assert data["format_version"] == REPORT_FORMAT
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(data))
    assert not errors, errors[0]


def test_the_report_schema_ships_with_the_package(repo: Path) -> None:
    pyproject = (repo / "pyproject.toml").read_text("utf-8")
    assert '"report.schema.json"' in pyproject
    assert (repo / "toolkit" / "report.schema.json").is_file()


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_quiet_prints_the_findings_only(seeds_copy: Path, run_cli: Any, fmt: str) -> None:
    _broken(seeds_copy)
    loud: Result = run_cli("validate", "--root", str(seeds_copy), "--format", fmt)
    quiet: Result = run_cli("validate", "--root", str(seeds_copy), "--format", fmt, "-q")
    assert loud.exit_code == quiet.exit_code == 1
    assert "files checked" in loud.output and "files checked" not in quiet.output
    assert "schema-violation" in quiet.output
    clean: Result = run_cli("validate", "--root", str(seeds_copy), "-q", str(seeds_copy / CLEAN))
    assert (clean.exit_code, clean.output) == (0, "")


def test_locate_exits_1_when_the_quote_is_not_found_and_2_for_usage(
    seeds_copy: Path, run_cli: Any
) -> None:
    root = ("--root", str(seeds_copy))
    found = run_cli("locate", "003_ca5597f59c992008", "Pham Minh Chinh", *root)
    assert (found.exit_code, found.output) == (0, "1125 1140\n")
    missing = run_cli("locate", "003_ca5597f59c992008", "no such words here", *root)
    assert missing.exit_code == 1 and "does not occur" in missing.output
    unknown = run_cli("locate", "999_0000000000000000", "x", *root)
    assert unknown.exit_code == 2


def test_exit_codes_agree_across_commands(seeds_copy: Path, run_cli: Any) -> None:
    _broken(seeds_copy)
    root = ("--root", str(seeds_copy))
    assert run_cli("validate", *root).exit_code == 1
    assert run_cli("export", "--check", *root, "-q").exit_code == 1
    assert run_cli("validate", *root, str(seeds_copy / "nope.json")).exit_code == 2
    assert run_cli("validate", *root, "--format", "nope").exit_code == 2
