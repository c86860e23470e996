"""The import contract (`make imports`): it holds for the package, and it fails when an
upward import or a cycle is planted in a copy of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_the_package_keeps_its_import_contract() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("check/rows.py", "import toolkit.publish.writers"),  # checking knows no publishing
        ("dataset.py", "import toolkit.text"),  # two independent ground modules
        ("check/strict_json.py", "import toolkit.check.document_rules"),  # upward, inside
        ("text.py", "import toolkit.dataset"),  # with its reverse below: a cycle
    ],
)
def test_a_planted_upward_import_or_cycle_breaks_the_contract(
    tmp_path: Path, module: str, planted: str
) -> None:
    shutil.copytree(
        REPO / "toolkit", tmp_path / "toolkit", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    path = tmp_path / "toolkit" / module
    path.write_text(path.read_text("utf-8") + f"\n{planted}  # noqa\n", "utf-8")
    if module == "text.py":  # and the other way round: a cycle of two ground modules
        other = tmp_path / "toolkit" / "dataset.py"
        other.write_text(other.read_text("utf-8") + "\nimport toolkit.text  # noqa\n", "utf-8")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
