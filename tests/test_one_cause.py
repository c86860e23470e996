"""One cause, one finding: a registry fault is reported once at its cause with the count of
the references it leaves dangling; findings come most informative first in every format; the
GitHub format says what it cannot show."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.check.run import validate_dataset
from toolkit.report import GITHUB_SHOWN, REPORTERS, GithubReporter

ACTORS = "seeds/actors.json"
DOC = "seeds/annotations/003_ca5597f59c992008.json"
FIRST = "seeds/annotations/000_c9643dd3023e532a.json"


def _edit(root: Path, rel: str, change: Callable[[Any], None]) -> None:
    path = root / rel
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _china(doc: Any) -> int:
    return next(i for i, a in enumerate(doc["actors"]) if a["actor_id"] == "act-china")


def test_a_wrong_kind_in_the_registry_is_one_finding_with_its_count(seeds_copy: Path) -> None:
    _edit(seeds_copy, ACTORS, lambda d: d["actors"][_china(d)].update(kind="nation"))
    report = validate_dataset(seeds_copy).report
    [finding] = report.findings
    assert (finding.file, finding.code) == (ACTORS, "schema-violation")
    assert finding.pointer.endswith("/kind")
    counted = re.search(r"leaving (\d+) reference\(s\) in (\d+) file\(s\)", finding.message)
    assert counted and int(counted[1]) > 50 and int(counted[2]) == 6, finding.message


def test_a_removed_actor_is_one_finding_at_the_registry(seeds_copy: Path) -> None:
    _edit(seeds_copy, ACTORS, lambda d: d["actors"].pop(_china(d)))
    [finding] = validate_dataset(seeds_copy).report.findings
    assert (finding.file, finding.pointer, finding.code) == (
        ACTORS,
        "/actors",
        "reference-unresolved",
    )
    assert re.search(r"act-china is not in the registry, yet \d+ reference", finding.message)
    assert "removed or renamed" in finding.hint


def test_the_cause_is_shown_when_only_an_affected_file_is_checked(seeds_copy: Path) -> None:
    _edit(seeds_copy, ACTORS, lambda d: d["actors"][_china(d)].update(kind="nation"))
    report = validate_dataset(seeds_copy, paths=[seeds_copy / DOC]).report
    assert [f.file for f in report.findings] == [ACTORS]
    assert not report.valid


def test_a_typo_in_one_file_keeps_its_own_finding(seeds_copy: Path) -> None:
    _edit(seeds_copy, DOC, lambda d: d["agreements"][0]["parties"][0].update(actor_id="act-x"))
    [finding] = validate_dataset(seeds_copy).report.findings
    assert (finding.file, finding.code) == (DOC, "reference-unresolved")
    assert finding.pointer == "/agreements/0/parties/0/actor_id"


def _cause_and_consequence(root: Path) -> None:
    """A dangling reference in the first file, an impossible date in a later one."""
    _edit(root, FIRST, lambda d: d["agreements"][0]["parties"][0].update(actor_id="act-x"))
    _edit(root, DOC, lambda d: d["dates"][0].update(earliest="2023-02-30"))


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_the_most_informative_finding_comes_first_in_every_format(
    seeds_copy: Path, fmt: str
) -> None:
    _cause_and_consequence(seeds_copy)
    report = validate_dataset(seeds_copy).report
    assert [f.code for f in report.findings] == ["schema-violation", "reference-unresolved"]
    out = io.StringIO()
    REPORTERS[fmt]().report(report, out)
    text = out.getvalue()
    if fmt == "json":
        assert json.loads(text)["findings"][0]["code"] == "schema-violation"
    else:
        assert text.index("schema-violation") < text.index("reference-unresolved")


def test_the_github_format_summarizes_what_it_cannot_show(seeds_copy: Path) -> None:
    def many(doc: Any) -> None:
        for agreement in doc["agreements"][: GITHUB_SHOWN + 3]:
            agreement["parties"][0]["actor_id"] = "act-x"

    _edit(seeds_copy, DOC, many)
    report = validate_dataset(seeds_copy).report
    assert report.errors == GITHUB_SHOWN + 3
    out = io.StringIO()
    GithubReporter().report(report, out)
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("::error ") for line in lines) == GITHUB_SHOWN
    [notice] = [line for line in lines if line.startswith("::notice ")]
    assert "3 more finding(s)" in notice and "reference-unresolved ×3" in notice
    assert sum(f"{DOC}:" in line and "::" not in line for line in lines) == 3
