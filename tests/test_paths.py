"""`toolkit validate PATH...` checks exactly what it is given or refuses it: no run says
"valid" for a file it did not check (docs/validate.md, "Paths")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.check.run import validate_dataset
from toolkit.check.selection import PathRefused, select
from toolkit.dataset import Dataset

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
ANNOTATIONS = "seeds/annotations"
DOC = f"{ANNOTATIONS}/003_ca5597f59c992008.json"
ARTICLE = "seeds/articles/003_ca5597f59c992008.txt"


def _run(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TOOLKIT, "validate", *args],
        cwd=root,
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
    )


def _break_date(root: Path, rel: str = DOC) -> bytes:
    """An impossible date in *rel*'s first date record; returns the broken bytes."""
    doc = json.loads((root / rel).read_text("utf-8"))
    doc["dates"][0]["earliest"] = "2023-02-30"
    data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    (root / rel).write_bytes(data)
    return data


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("nonexistent.json", "nonexistent.json: no such file or folder"),
        (f"{ANNOTATIONS}/999_0000000000000000.json", "no such file or folder"),
        ("../outside.json", "outside the dataset"),
        ("seeds/README.md", "not a file the validator checks"),
        ("seeds/articles/SHA256SUMS", "not a file the validator checks"),
    ],
)
def test_a_path_it_cannot_check_is_a_usage_error_naming_it(
    seeds_copy: Path, path: str, says: str
) -> None:
    (seeds_copy / "seeds/README.md").write_text("notes\n")
    (seeds_copy.parent / "outside.json").write_text("{}\n")
    out = _run(seeds_copy, path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert says in out.stderr and "valid" not in out.stdout


def test_a_folder_holding_a_broken_file_is_invalid(seeds_copy: Path) -> None:
    _break_date(seeds_copy)
    out = _run(seeds_copy, f"{ANNOTATIONS}/")
    assert out.returncode == 1, out.stdout
    assert f"{DOC}:" in out.stdout
    assert "files checked: 5: 1 error(s)" in out.stdout


def test_an_edited_article_selects_the_document_annotating_it(seeds_copy: Path) -> None:
    dataset = Dataset.at(seeds_copy)
    assert select(dataset, [seeds_copy / ARTICLE]).files == (DOC,)
    with (seeds_copy / ARTICLE).open("a", encoding="utf-8") as f:
        f.write("an edit\n")
    out = _run(seeds_copy, ARTICLE)
    assert out.returncode == 1 and "source-hash-mismatch" in out.stdout
    assert "files checked: 1:" in out.stdout


def test_the_registry_and_a_schema_select_every_document(seeds_copy: Path) -> None:
    dataset = Dataset.at(seeds_copy)
    every = {*dataset.annotation_names(), "seeds/actors.json"}
    assert set(select(dataset, [seeds_copy / "seeds/actors.json"]).files) == every
    (seeds_copy / "schemas/1.1.0").mkdir(parents=True)
    schema = seeds_copy / "schemas/1.1.0/date.schema.json"
    schema.write_text("{}\n")
    assert set(select(dataset, [schema]).files) == every


def test_an_article_nobody_annotated_is_refused(seeds_copy: Path) -> None:
    new = seeds_copy / "seeds/articles/009_0123456789abcdef.txt"
    new.write_text("text\n")
    with pytest.raises(PathRefused, match="no annotation document annotates this article"):
        select(Dataset.at(seeds_copy), [new])


def test_standard_input_is_one_document_named_by_stdin_filename(seeds_copy: Path) -> None:
    good = (seeds_copy / DOC).read_bytes()
    broken = _break_date(seeds_copy)
    (seeds_copy / DOC).write_bytes(good)  # the file on disk stays valid
    out = _run(seeds_copy, "-", "--stdin-filename", DOC, stdin=broken)
    assert out.returncode == 1, out.stdout + out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith(f"{DOC}:") and "/dates/0/earliest" in first
    assert "files checked: 1: 1 error(s)" in out.stdout
    clean = _run(seeds_copy, "-", "--stdin-filename", DOC, stdin=good)
    assert clean.returncode == 0, clean.stdout


def test_a_stdin_filename_outside_the_annotations_is_refused(seeds_copy: Path) -> None:
    out = _run(seeds_copy, "-", "--stdin-filename", "seeds/actors.json", stdin=b"{}")
    assert out.returncode == 2 and "stands for an annotation document" in out.stderr


def test_the_summary_counts_the_files_checked_and_the_dataset_wide_checks_apart(
    seeds_copy: Path,
) -> None:
    _break_date(seeds_copy)
    other = f"{ANNOTATIONS}/000_c9643dd3023e532a.json"
    report = validate_dataset(seeds_copy, paths=[seeds_copy / other]).report
    assert report.checked == (other,) and report.valid
    s = report.summary
    assert (s.files_checked, s.file_errors, s.dataset_files) == (1, 0, 6)
    out = _run(seeds_copy, other)
    assert out.stdout.splitlines() == [
        "valid: 0 error(s), 0 warning(s)",
        "  files checked: 1: 0 error(s), 0 warning(s)",
        out.stdout.splitlines()[2],
    ]
    assert out.stdout.splitlines()[2].startswith(
        "  dataset-wide checks over 6 file(s): 0 error(s), 0 warning(s) in the files checked;"
    )


def test_nothing_selected_never_says_valid(seeds_copy: Path) -> None:
    report = validate_dataset(seeds_copy, paths=[]).report
    assert report.checked == () and report.verdict == "nothing checked"
