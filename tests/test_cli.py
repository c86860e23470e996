"""The CLI through click's CliRunner and through the installed `toolkit` command: exit codes,
the three output formats, and what a new contributor sees for common mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from toolkit.check.run import validate_dataset
from toolkit.report import Report

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
A1 = "seeds/annotations/900_00000000000000a1.json"


def _break(root: Path, change: str) -> None:
    path = root / A1
    text = path.read_text("utf-8")
    doc = json.loads(text)
    if change == "shifted-offset":
        doc["agreements"][0]["evidence"][0]["start"] += 2
        doc["agreements"][0]["evidence"][0]["end"] += 2
    elif change == "dangling-actor":
        doc["agreements"][0]["parties"][1]["actor_id"] = "act-atlantis"
    elif change == "unknown-version":
        doc["schema_version"] = "9.9.9"
    if change == "duplicate-key":
        text = text.replace('"language": "en",', '"language": "en",\n    "language": "vi",')
    elif change == "truncated":
        text = text[: len(text) // 2]
    else:
        text = json.dumps(doc, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")


MISTAKES = {
    "shifted-offset": "evidence-quote-mismatch",
    "dangling-actor": "reference-unresolved",
    "duplicate-key": "json-duplicate-key",
    "truncated": "json-syntax",
    "unknown-version": "schema-version-unknown",
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_new_contributors_mistake_gets_path_line_col_and_hint(small: Path, mistake: str) -> None:
    _break(small, mistake)
    out = subprocess.run(
        [TOOLKIT, "validate", "--root", str(small)], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    first = out.stdout.splitlines()[0]
    location, rest = first.split(": ", 1)
    path, line, col = location.rsplit(":", 2)
    assert path == A1 and int(line) >= 1 and int(col) >= 1
    assert rest.startswith(f"error {MISTAKES[mistake]} ")
    assert out.stdout.splitlines()[1].startswith("    hint: ")


def test_validate_seeds_exits_zero(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", "--root", str(REPO))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid: 0 error(s)")


def test_json_format_equals_the_library_report(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _break(small, "shifted-offset")
    result = run_cli("validate", "--root", str(small), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output) == validate_dataset(small).report.to_dict()


def test_text_format_is_compiler_style(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _break(small, "dangling-actor")
    result = run_cli("validate", "--root", str(small))
    report: Report = validate_dataset(small).report
    [finding] = report.findings
    assert result.output.splitlines()[:2] == [
        f"{A1}:{finding.line}:{finding.column}: error reference-unresolved "
        f"actor act-atlantis is not in the actor registry [/agreements/0/parties/1/actor_id]",
        f"    hint: {finding.hint}",
    ]


def test_github_format_annotates_the_line(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _break(small, "shifted-offset")
    result = run_cli("validate", "--root", str(small), "--format", "github")
    [finding] = validate_dataset(small).report.findings
    first = result.output.splitlines()[0]
    assert first.startswith(
        f"::error file={A1},line={finding.line},col={finding.column},"
        "title=evidence-quote-mismatch::"
    )


def test_paths_limit_the_report_to_those_files(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _break(small, "shifted-offset")
    other = small / "seeds" / "annotations" / "900_00000000000000b2.json"
    clean = run_cli("validate", "--root", str(small), str(other))
    assert clean.exit_code == 0
    dirty = run_cli("validate", "--root", str(small), str(small / A1))
    assert dirty.exit_code == 1


def test_changed_since_validates_what_git_changed(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(small), *args], check=True, capture_output=True)

    git("init", "-q")
    git(
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "commit",
        "-qm",
        "base",
        "--allow-empty",
    )
    git("add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "data")
    assert run_cli("validate", "--root", str(small), "--changed-since", "HEAD").exit_code == 0
    _break(small, "shifted-offset")
    changed = run_cli("validate", "--root", str(small), "--changed-since", "HEAD")
    assert changed.exit_code == 1 and "evidence-quote-mismatch" in changed.output
    bad_ref = run_cli("validate", "--root", str(small), "--changed-since", "no-such-ref")
    assert bad_ref.exit_code == 2 and "names no commit" in bad_ref.output


@pytest.mark.parametrize(
    "ref",
    ["--output=victim.txt", "-p", "--output", "HEAD\n--output=victim.txt", "--end-of-options"],
)
def test_a_ref_never_reaches_git_as_an_option(small: Path, run_cli, ref: str) -> None:  # type: ignore[no-untyped-def]
    """``--changed-since '--output=victim.txt'`` was handed to ``git diff`` as an option: it
    emptied the file and the run said "valid"."""
    git = ["git", "-C", str(small)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run(
        [*git, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "data"],
        check=True,
    )
    victim = small / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    _break(small, "shifted-offset")
    result = run_cli("validate", "--root", str(small), "--changed-since", ref)
    assert result.exit_code == 2, result.output
    assert "not a git ref" in result.output or "names no commit" in result.output
    assert victim.read_text("utf-8") == "precious\n"
    assert sorted(p.name for p in small.iterdir()) == [".git", "seeds", "victim.txt"]


def test_usage_errors_exit_two(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("validate", "--format", "xml").exit_code == 2
    missing = run_cli("validate", "--root", str(tmp_path))
    assert missing.exit_code == 2 and "no seeds/articles/ folder" in missing.output


def test_every_command_has_help_and_is_in_the_cli_reference(run_cli) -> None:  # type: ignore[no-untyped-def]
    from toolkit.cli import cli

    readme = (REPO / "docs" / "cli.md").read_text("utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"toolkit {name}" in readme, name


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolkit.cli; heavy = {'pandera', 'polars', 'pyarrow', 'jsonschema'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_toolkit_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "toolkit", "schema", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("1.0.0\n") and "1.1.0  (latest)" in out.stdout


def test_export_refuses_invalid_data_via_the_installed_command(small: Path) -> None:
    _break(small, "truncated")
    out = subprocess.run([TOOLKIT, "export", "--root", str(small)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "export refused" in out.stderr and not (small / "exports").exists()
