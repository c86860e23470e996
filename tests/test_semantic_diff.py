"""The semantic diff (toolkit diff): between two commits of a clone of this repository, two
dataset folders, and the working tree; field by field, with the 1.1.0 fields; refs are
untrusted input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from review_data import git
from toolkit.review.diff_render import md
from toolkit.review.semantic_diff import diff_datasets

A3 = "003_ca5597f59c992008"
A4 = "004_10177aab37503ad3"


def _edit(root: Path, article_id: str, change: Any) -> None:
    path = root / "seeds" / "annotations" / f"{article_id}.json"
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")


def _meaning(doc: dict[str, Any]) -> None:
    """Status, a party, evidence moved, a canonical key merged into another's."""
    security = doc["agreements"][0]
    security["status"] = "signed"
    security["parties"].append({"actor_id": "act-xi-jinping", "role": "signatory"})
    other = doc["agreements"][1]
    ev = other["evidence"][0]
    ev["start"], ev["end"] = ev["start"] + 1, ev["end"] + 1
    other["canonical_key"] = doc["agreements"][2]["canonical_key"]
    doc["dates"] = doc.get("dates") or []


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A clone of the repository with one more commit editing article 003's annotation."""
    root = tmp_path_factory.mktemp("diff") / "clone"
    git(REPO, "clone", "-q", "--depth", "1", f"file://{REPO}", str(root))
    base = git(root, "rev-parse", "HEAD").strip()
    _edit(root, A3, _meaning)
    git(root, "commit", "-q", "-am", "Change the meaning of article 003")
    return root, base, git(root, "rev-parse", "HEAD").strip()


def test_diff_between_two_commits_lists_the_semantic_changes(clone, run_cli) -> None:  # type: ignore[no-untyped-def]
    root, base, head = clone
    result = run_cli("diff", base, head, "--root", str(root))
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"changed {A3} agreement agr-003-security-cooperation" in out
    assert "status: agreed → signed" in out
    assert "parties: + act-xi-jinping (signatory)" in out
    assert "evidence moved: “" in out
    assert "canonical key merged: cn-vn-2023-shared-future-community → " in out
    assert out.rstrip().endswith("0 file change(s)")
    unchanged = run_cli("diff", "--root", str(root))  # HEAD against the clean working tree
    assert unchanged.exit_code == 0 and "no semantic changes" in unchanged.output


def test_json_and_markdown_formats(clone, run_cli) -> None:  # type: ignore[no-untyped-def]
    root, base, head = clone
    data = json.loads(run_cli("diff", base, head, "--root", str(root), "--format", "json").output)
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 2}
    [record] = [r for r in data["records"] if r["record_id"] == "agr-003-security-cooperation"]
    assert {"field": "status", "change": "changed", "before": "agreed", "after": "signed"} in (
        record["fields"]
    )
    assert data["canonical_keys"][0]["change"] == "merged"
    markdown = run_cli("diff", base, head, "--root", str(root), "--format", "markdown").output
    assert markdown.startswith("## Semantic diff")
    assert f"### `{A3}`" in markdown and "- **changed** agreement `agr-003-security" in markdown


def test_diff_of_two_folders_reads_the_coming_fields(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(REPO / "seeds", base / "seeds")
    shutil.copytree(REPO / "seeds", head / "seeds")

    def coming(doc: dict[str, Any]) -> None:
        agreement = doc["agreements"][0]
        agreement["trigger"] = {"article_id": A4, "quote": "x", "start": 1, "end": 2}
        agreement["relations"] = [{"relation": "outcome_of", "canonical_key": "cn-vn-k"}]
        doc["dates"][0]["correction"] = {"value": "2023", "precision": "year", "reason": "r"}
        doc["dates"][1]["earliest"] = None
        del doc["agreements"][-1]

    _edit(head, A4, coming)
    (head / "seeds" / "annotations" / "000_c9643dd3023e532a.json").write_text("{", "utf-8")
    diff = diff_datasets(base, head)
    fields = {(r.record_id, f.field, f.change) for r in diff.records for f in r.fields}
    assert ("agr-004-maritime-patrols-crime-cooperation", "trigger", "added") in fields
    assert ("agr-004-maritime-patrols-crime-cooperation", "relations", "added") in fields
    assert ("dat-004-visit", "correction", "added") in fields
    assert ("dat-004-arrival", "earliest", "changed") in fields
    assert diff.counts()["removed"] >= 1
    assert ("000_c9643dd3023e532a", "annotation ok → unreadable") in diff.documents


def test_refs_are_untrusted_input(clone, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, _, _ = clone
    planted = tmp_path / "written"
    for ref in (f"--output={planted}", "-h", "no-such-ref", "HEAD\n--all"):
        result = run_cli("diff", "--root", str(root), "--", ref, "HEAD")
        assert result.exit_code == 2, (ref, result.output)
        assert "no commit" in result.output or "not a git ref" in result.output
    assert not planted.exists()
    outside = run_cli("diff", "HEAD", "--root", str(tmp_path))
    assert outside.exit_code == 2


def test_markdown_escapes_what_contributors_wrote() -> None:
    assert md("<img src=x onerror=alert(1)> *a* | `b`\n[c](d)") == (
        r"&lt;img src=x onerror=alert(1)&gt; \*a\* \| \`b\` \[c\](d)"
    )
